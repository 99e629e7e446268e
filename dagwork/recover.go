package dagwork

import (
	"runtime/debug"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
)

// tree is basicwork's record of the work tree (see package tree).
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()

// recoverWork runs a node's work and turns a panic raised while it is
// started, cranked or shut down into a final failure (or, while aborting,
// into the end of the abort). It has the node's name and is never retried:
// the inner work's own retries happen inside it, as inside a
// ConditionalWork.
//
// After a panic nothing the inner work started may outlive the node: the
// wrapper first shuts the inner work down and cranks it until it is done,
// and only then fails (or ends its abort). If the inner work panics again
// while aborting, its abort cannot be trusted: the wrapper then drives the
// inner work's children (those it started, as the work tree records them)
// to their end itself, and theirs in turn if one of them panics while
// aborting.
type recoverWork struct {
	basicwork.BasicWork
	inner    basicwork.Work
	started  bool
	panicked bool // a panic was recovered: clean up, then fail
	// abandoned is set once the inner work panicked while aborting; the
	// works in orphans are then driven to their end instead.
	abandoned bool
	orphans   []basicwork.Work
}

func newRecoverWork(app basicwork.Application, inner basicwork.Work) *recoverWork {
	r := &recoverWork{inner: inner}
	r.Init(app, inner.Name(), basicwork.RetryNever, r)
	tree.Declare(&r.BasicWork, itree.Cranked[basicwork.Work](func(yield func(basicwork.Work) bool) {
		yield(r.inner)
	}))
	return r
}

// appendRunning appends to dst the children of w that were started and are
// not done, as the work tree records them, and returns the extended slice.
func appendRunning(dst []basicwork.Work, w basicwork.Work) []basicwork.Work {
	for c := range tree.Children(w) {
		if st := tree.Base(c).InternalState(); st != basicwork.InternalPending && !st.IsDone() {
			dst = append(dst, c)
		}
	}
	return dst
}

// StartWork starts this work, then the inner one at once, so that the
// inner work's attempt count is reset when the node starts. An inner work
// that cannot be started (it runs elsewhere) is left alone, its parent
// unchanged; one whose start panicked half-way is cleaned up.
func (r *recoverWork) StartWork(notify func()) {
	r.forget()
	r.BasicWork.StartWork(notify)
	st := tree.Base(r.inner).InternalState()
	startable := st == basicwork.InternalPending || st.IsDone()
	defer func() {
		if v := recover(); v != nil {
			// Ours to clean up only if the start got under way.
			r.started = startable && tree.Base(r.inner).InternalState() != basicwork.InternalPending
			r.onPanic("StartWork", v)
		}
	}()
	if startable {
		tree.SetParent(r.inner, &r.BasicWork, 0)
	}
	r.started = true
	r.inner.StartWork(r.WakeSelfUpCallback(nil))
}

// OnRun cranks the inner work and reports its state. After a panic it
// cleans up, reading Running, and then fails.
func (r *recoverWork) OnRun() (st basicwork.State) {
	if r.panicked {
		if r.cleanUp() {
			return basicwork.Failure
		}
		return basicwork.Running
	}
	defer func() {
		if v := recover(); v != nil {
			r.onPanic("OnRun", v)
			st = basicwork.Running
			if r.cleanUp() {
				st = basicwork.Failure
			}
		}
	}()
	r.inner.CrankWork()
	st = r.inner.State()
	switch st {
	case basicwork.Aborted:
		// Shut down from outside the DAG: it did not succeed.
		r.SetFailureCause(basicwork.ResultError(r.inner))
		st = basicwork.Failure
	case basicwork.Failure:
		r.SetFailureCause(tree.Base(r.inner).FailureCause())
	}
	return st
}

// OnAbort cranks the inner work until it is done. A panic of the inner
// work while it aborts ends its part of the abort: its children are then
// driven to their end instead.
func (r *recoverWork) OnAbort() (done bool) {
	if r.panicked {
		return r.cleanUp()
	}
	if !r.started || r.inner.IsDone() {
		return true
	}
	defer func() {
		if v := recover(); v != nil {
			r.onPanic("OnAbort", v)
			r.abandon()
			done = r.cleanUp()
		}
	}()
	r.inner.CrankWork()
	return r.inner.IsDone()
}

// forget forgets the inner work's start and any panic, when the node
// starts again. (Not on reset: the wrapper's final failure resets it, and
// the DAGWork then still reads whether it panicked.)
func (r *recoverWork) forget() {
	r.started, r.panicked, r.abandoned = false, false, false
	clear(r.orphans)
	r.orphans = r.orphans[:0]
}

// Shutdown shuts the inner work down, then this one; a panic of the inner
// work's Shutdown is recovered (and the inner work abandoned).
func (r *recoverWork) Shutdown() {
	if r.started && !r.panicked && !r.inner.IsDone() {
		func() {
			defer func() {
				if v := recover(); v != nil {
					r.onPanic("Shutdown", v)
					r.abandon()
				}
			}()
			r.inner.Shutdown()
		}()
	}
	r.BasicWork.Shutdown()
}

// cleanUp moves the shutdown of the inner work's tree one step on, after a
// panic, and reports whether nothing of it is left running.
func (r *recoverWork) cleanUp() bool {
	if !r.started {
		return true // nothing of the inner work's was started
	}
	if !r.abandoned {
		if r.inner.IsDone() {
			return true
		}
		ok := r.stepAbort(r.inner)
		if ok {
			return r.inner.IsDone()
		}
		r.abandon()
	}
	// A work may leave more children than it takes a place: kept does not
	// share r.orphans' array, which the loop is still reading.
	kept := make([]basicwork.Work, 0, len(r.orphans))
	for _, w := range r.orphans {
		if w.IsDone() {
			continue
		}
		ok := r.stepAbort(w)
		switch {
		case !ok:
			// It cannot abort either: drive its own children instead.
			kept = appendRunning(kept, w)
		case !w.IsDone():
			kept = append(kept, w)
		}
	}
	r.orphans = kept
	return len(r.orphans) == 0
}

// abandon gives the inner work up, after it panicked while aborting: its
// children that are not done become the orphans to drive to their end.
func (r *recoverWork) abandon() {
	if r.abandoned {
		return
	}
	r.panicked, r.abandoned = true, true
	r.orphans = appendRunning(r.orphans, r.inner)
}

// stepAbort shuts w down if it is not aborting yet, then cranks its abort
// once. It reports false if w panicked, which is logged as onPanic does.
func (r *recoverWork) stepAbort(w basicwork.Work) (ok bool) {
	where := "Shutdown"
	defer func() {
		if v := recover(); v != nil {
			r.onPanic(where, v)
			ok = false
		}
	}()
	if !w.IsAborting() {
		w.Shutdown()
	}
	if w.IsAborting() {
		where = "OnAbort"
		w.CrankWork()
	}
	return true
}

// Status is the inner work's status.
func (r *recoverWork) Status() string { return r.inner.Status() }

// onPanic records a recovered panic v of the inner work as the failure
// cause (the first one only) and logs it at ERROR level (the stack at
// DEBUG).
func (r *recoverWork) onPanic(where string, v any) {
	if !r.panicked || r.FailureCause() == nil {
		r.SetFailureCause(&PanicError{Node: r.Name(), Where: where, Value: v})
	}
	r.panicked = true
	r.Logf(zapcore.ErrorLevel, "dagwork: work %s panicked in %s: %v", r.Name(), where, v)
	if r.LogEnabled(zapcore.DebugLevel) {
		r.Logf(zapcore.DebugLevel, "dagwork: stack of the panic of %s:\n%s", r.Name(), debug.Stack())
	}
}
