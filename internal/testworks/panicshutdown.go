package testworks

import (
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
)

// ShutdownPanics is a leaf that waits an hour on its waiting timer, then
// succeeds, and whose Shutdown override panics once, the first time, before
// it calls the embedded Shutdown. It has no C++ counterpart: it tests that
// a parent's abort completes all the same.
type ShutdownPanics struct {
	basicwork.BasicWork
	Fired  bool // the override has panicked
	waited bool
}

// NewShutdownPanics returns a ShutdownPanics named name, never retried.
func NewShutdownPanics(app basicwork.Application, name string) *ShutdownPanics {
	w := &ShutdownPanics{}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

// ShutdownPanicValue is what the override panics with.
const ShutdownPanicValue = "Shutdown override panics"

// OnRun waits an hour, then succeeds.
func (w *ShutdownPanics) OnRun() basicwork.State {
	if !w.waited {
		w.waited = true
		w.SetupWaitingCallback(time.Hour)
		return basicwork.Waiting
	}
	return basicwork.Success
}

// OnAbort completes at once.
func (w *ShutdownPanics) OnAbort() bool { return true }

// Shutdown panics the first time; later calls shut down as BasicWork does.
func (w *ShutdownPanics) Shutdown() {
	if !w.Fired {
		w.Fired = true
		panic(ShutdownPanicValue)
	}
	w.BasicWork.Shutdown()
}
