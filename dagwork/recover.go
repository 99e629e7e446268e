package dagwork

import (
	"runtime/debug"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
)

// recoverWork runs a node's work and turns a panic raised while it is
// started or cranked into a final failure (or, while aborting, into the end
// of the abort). It has the node's name and is never retried: the inner
// work's own retries happen inside it, as inside a ConditionalWork.
type recoverWork struct {
	basicwork.BasicWork
	inner    basicwork.Work
	started  bool
	panicked bool
}

func newRecoverWork(app basicwork.Application, inner basicwork.Work) *recoverWork {
	r := &recoverWork{inner: inner}
	r.Init(app, inner.Name(), basicwork.RetryNever, r)
	return r
}

// StartWork starts this work, then the inner one at once, so that the
// inner work's attempt count is reset when the node starts.
func (r *recoverWork) StartWork(notify func()) {
	r.BasicWork.StartWork(notify) // OnReset clears started and panicked
	defer func() {
		if v := recover(); v != nil {
			r.onPanic("StartWork", v)
		}
	}()
	basicwork.Base(r.inner).SetParent(r, 0)
	r.inner.StartWork(r.WakeSelfUpCallback(nil))
	r.started = true
}

// OnRun cranks the inner work and reports its state; a panic is a failure.
func (r *recoverWork) OnRun() (st basicwork.State) {
	if r.panicked || !r.started {
		return basicwork.Failure
	}
	defer func() {
		if v := recover(); v != nil {
			r.onPanic("OnRun", v)
			st = basicwork.Failure
		}
	}()
	r.inner.CrankWork()
	st = r.inner.State()
	if st == basicwork.Aborted {
		// Shut down from outside the DAG: it did not succeed.
		st = basicwork.Failure
	}
	return st
}

// OnAbort cranks the inner work until it is done; a panic ends the abort.
func (r *recoverWork) OnAbort() (done bool) {
	if r.panicked || !r.started || r.inner.IsDone() {
		return true
	}
	defer func() {
		if v := recover(); v != nil {
			r.onPanic("OnAbort", v)
			done = true
		}
	}()
	r.inner.CrankWork()
	return r.inner.IsDone()
}

// OnReset forgets the inner work's start.
func (r *recoverWork) OnReset() { r.started, r.panicked = false, false }

// Shutdown shuts the inner work down, then this one.
func (r *recoverWork) Shutdown() {
	if r.started && !r.panicked && !r.inner.IsDone() {
		r.inner.Shutdown()
	}
	r.BasicWork.Shutdown()
}

// Status is the inner work's status.
func (r *recoverWork) Status() string { return r.inner.Status() }

// ChildWaiting does nothing: the inner work is cranked directly. It makes a
// recoverWork a basicwork.Parent, for PathOf.
func (r *recoverWork) ChildWaiting(int, bool) {}

// ChildLost does nothing.
func (r *recoverWork) ChildLost(int) {}

// ParentWork returns the wrapper.
func (r *recoverWork) ParentWork() basicwork.Work { return r }

// onPanic records a recovered panic v of the inner work and logs it at
// ERROR level (the stack at DEBUG).
func (r *recoverWork) onPanic(where string, v any) {
	r.panicked = true
	r.Logf(zapcore.ErrorLevel, "dagwork: work %s panicked in %s: %v", r.Name(), where, v)
	if r.LogEnabled(zapcore.DebugLevel) {
		r.Logf(zapcore.DebugLevel, "dagwork: stack of the panic of %s:\n%s", r.Name(), debug.Stack())
	}
}
