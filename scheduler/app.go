// Package scheduler holds the root of every work tree, WorkScheduler, and
// App, the concrete application a program builds around a clock.
package scheduler

import (
	"fmt"
	"os"

	"go.uber.org/zap"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/appenv"
	"github.com/stellarwork/stellarwork/vclock"
)

// App is the concrete basicwork.Application: a clock, a config, the Work
// logger, the jitter source, the directory for temporary files, and the
// WorkScheduler built with it. It is the part of stellar-core's Application
// that the work code uses.
//
// A port extends it by embedding: its own application type holds a *App (or
// a type that embeds one, such as process.App) and adds its managers and
// configuration as fields with typed getters, so that a C++ mApp.getX()
// becomes one typed call (docs/PORTING.md, "Application extension"). Such a
// type is a basicwork.Application through the embedded *App; managers that
// must stop with the application register with AtShutdown.
type App struct {
	basicwork.EnvCache // where its works find their shared record

	clock  *vclock.Clock
	config basicwork.Config
	logger *zap.Logger
	rand   basicwork.Rand
	tmpDir string
	ws     *WorkScheduler
	listen basicwork.TransitionListener

	shutdownHooks []func()
	shutdownDone  bool
}

// Option configures an App.
type Option func(*options)

// options are the settings NewApp takes.
type options struct {
	config basicwork.Config
	logger *zap.Logger
	rand   basicwork.Rand
	tmpDir string
	listen basicwork.TransitionListener
}

// WithConfig sets the configuration. MaxConcurrentSubprocesses must be at
// least 1.
func WithConfig(c basicwork.Config) Option { return func(o *options) { o.config = c } }

// WithLogger sets the Work logger. The default discards everything.
func WithLogger(l *zap.Logger) Option { return func(o *options) { o.logger = l } }

// WithRand sets the source of retry jitter. The default is seeded with 0,
// so that runs repeat.
func WithRand(r basicwork.Rand) Option { return func(o *options) { o.rand = r } }

// WithTmpDir sets the directory under which the application's managers
// create their temporary directories (the process manager's output files
// among them): stellar-core's TMP_DIR_PATH. The default is os.TempDir().
// The process manager creates it, with its parents, when it first needs it,
// as stellar-core does.
func WithTmpDir(dir string) Option { return func(o *options) { o.tmpDir = dir } }

// ownEnv declares an App the owner of the EnvCache it embeds, so that its
// works read its transition listener from its field (basicwork's own,
// reached through internal/appenv).
var ownEnv = appenv.Get[basicwork.EnvCache, basicwork.Application, basicwork.TransitionListener]()

// NewApp builds an application on clock and creates its WorkScheduler,
// which starts, runs once and waits for work. It panics on a nil clock, a
// nil option value or a MaxConcurrentSubprocesses below 1.
func NewApp(clock *vclock.Clock, opts ...Option) *App {
	if clock == nil {
		panic("scheduler: NewApp with a nil clock")
	}
	o := options{
		config: basicwork.DefaultConfig(),
		logger: zap.NewNop(),
		rand:   basicwork.NewRand(0),
		tmpDir: os.TempDir(),
	}
	for _, opt := range opts {
		opt(&o)
	}
	a := &App{clock: clock, config: o.config, logger: o.logger, rand: o.rand, tmpDir: o.tmpDir, listen: o.listen}
	if a.logger == nil || a.rand == nil {
		panic("scheduler: NewApp with a nil logger or rand")
	}
	if a.config.MaxConcurrentSubprocesses < 1 {
		panic(fmt.Sprintf("scheduler: MaxConcurrentSubprocesses must be at least 1, not %d", a.config.MaxConcurrentSubprocesses))
	}
	if a.tmpDir == "" {
		panic("scheduler: NewApp with an empty tmp dir")
	}
	ownEnv(&a.EnvCache, a, &a.listen)
	a.ws = newWorkScheduler(a)
	a.ws.onShutdown = a.runShutdownHooks
	return a
}

// TmpDir returns the directory under which the application's managers put
// their temporary directories (WithTmpDir): the C++ Config's TMP_DIR_PATH.
func (a *App) TmpDir() string { return a.tmpDir }

// AtShutdown registers f to run when the application shuts down: when its
// WorkScheduler is shut down (WorkScheduler.Shutdown, App.Shutdown, the end
// of WorkScheduler.Run), right after the scheduler has started aborting its
// works, on the crank goroutine. Hooks run once, in the order registered,
// as stellar-core's Application shuts down its managers after its
// WorkScheduler. A hook registered after the shutdown runs at once. It
// panics on a nil f.
func (a *App) AtShutdown(f func()) {
	if f == nil {
		panic("scheduler: AtShutdown with a nil function")
	}
	if a.shutdownDone {
		f()
		return
	}
	a.shutdownHooks = append(a.shutdownHooks, f)
}

// Shutdown shuts the application down, as stellar-core's
// Application::gracefulStop does for the work code: the WorkScheduler starts
// aborting its works, then the hooks registered with AtShutdown run (the
// process manager's shutdown among them). Crank the clock afterwards for the
// aborts to complete. Calling it again does nothing.
func (a *App) Shutdown() {
	a.ws.Shutdown()
	a.runShutdownHooks()
}

// runShutdownHooks runs the AtShutdown hooks, once.
func (a *App) runShutdownHooks() {
	if a.shutdownDone {
		return
	}
	a.shutdownDone = true
	hooks := a.shutdownHooks
	a.shutdownHooks = nil
	for _, f := range hooks {
		f()
	}
}

// Clock returns the application's clock.
func (a *App) Clock() *vclock.Clock { return a.clock }

// PostOnMainThread queues f on the clock; safe from any goroutine.
func (a *App) PostOnMainThread(f func(), name string, typ vclock.ActionType) {
	a.clock.PostAction(f, name, typ)
}

// Config returns the configuration.
func (a *App) Config() *basicwork.Config { return &a.config }

// Logger returns the Work logger.
func (a *App) Logger() *zap.Logger { return a.logger }

// Rand returns the jitter source.
func (a *App) Rand() basicwork.Rand { return a.rand }

// TransitionListener returns the listener set with SetTransitionListener.
func (a *App) TransitionListener() basicwork.TransitionListener { return a.listen }

// SetTransitionListener makes l receive every state change of every work
// of the application, on the crank goroutine; nil removes it.
func (a *App) SetTransitionListener(l basicwork.TransitionListener) { a.listen = l }

// WithTransitionListener sets the transition listener from the start, so
// that it also sees the WorkScheduler's first transitions.
func WithTransitionListener(l basicwork.TransitionListener) Option {
	return func(o *options) { o.listen = l }
}

// WorkScheduler returns the application's root work.
func (a *App) WorkScheduler() *WorkScheduler { return a.ws }
