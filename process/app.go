package process

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
)

// Application is what a RunCommandWork is built from: a
// basicwork.Application that owns a process manager, as stellar-core's
// Application answers getProcessManager(). App implements it, and so does
// any application type that embeds an *App.
type Application interface {
	basicwork.Application
	// ProcessManager returns the application's process manager: the same
	// one on every call.
	ProcessManager() *Manager
}

// App is a scheduler.App that owns a process Manager, whose lifetime is
// the application's: the manager is shut down when the application is
// (scheduler.App.AtShutdown: WorkScheduler.Shutdown, App.Shutdown, the end
// of WorkScheduler.Run), and keeps its temporary files under the
// application's TmpDir. It is the part of stellar-core's Application that
// getProcessManager() reaches. A port's own application type embeds it
// (docs/PORTING.md).
type App struct {
	*scheduler.App
	pm *Manager
}

// NewApp returns base extended with a process manager built by New(base,
// opts...), whose temporary directory is under base.TmpDir() unless an
// option says otherwise. It panics on a nil base, and where New panics.
func NewApp(base *scheduler.App, opts ...Option) *App {
	if base == nil {
		panic("process: NewApp with a nil scheduler.App")
	}
	opts = append([]Option{WithTmpDir(base.TmpDir())}, opts...)
	a := &App{App: base, pm: New(base, opts...)}
	base.AtShutdown(a.pm.Shutdown)
	return a
}

// ProcessManager returns the application's process manager (the C++
// Application::getProcessManager).
func (a *App) ProcessManager() *Manager { return a.pm }
