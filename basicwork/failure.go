package basicwork

import (
	"errors"
	"strings"
)

// The sentinels of a work that did not succeed. A *WorkError matches one of
// them with errors.Is, chosen by its final state.
var (
	// ErrWorkFailed matches a *WorkError whose work ended in Failure, with
	// no retry left.
	ErrWorkFailed = errors.New("work failed")
	// ErrWorkAborted matches a *WorkError whose work ended Aborted: it was
	// shut down.
	ErrWorkAborted = errors.New("work aborted")
	// ErrClockStopped matches a *WorkError whose work was not done when the
	// clock was shut down (vclock's Shutdown), so that nothing could crank
	// it any more.
	ErrClockStopped = errors.New("clock stopped before the work was done")
)

// WorkError describes a work that did not end in success: the error that
// scheduler's ExecuteWork returns for it, and that a DAGWork records as the
// cause of its failure for each node that failed. It has no C++
// counterpart: stellar-core's executeWork returns nothing and its callers
// read the work's state.
//
// errors.Is matches ErrWorkFailed, ErrWorkAborted or ErrClockStopped (see
// Sentinel) and anything Cause matches; errors.As reaches Cause's types.
type WorkError struct {
	// Name is the work's name.
	Name string
	// State is the work's internal state when the error was made:
	// InternalFailure, InternalAborted, or a state that is not terminal
	// when the clock stopped first.
	State InternalState
	// Status is the work's Status() at that moment, such as
	// "Failed: download".
	Status string
	// Cause is why: what the work recorded with SetFailureCause, or, for a
	// work shut down because a context was cancelled, the context's error.
	// It may be nil.
	Cause error
}

// Sentinel returns the sentinel the error matches: ErrWorkFailed for
// InternalFailure, ErrWorkAborted for InternalAborted, and ErrClockStopped
// for a work that is not done (or done with success, which no WorkError
// should describe).
func (e *WorkError) Sentinel() error {
	switch e.State {
	case InternalFailure:
		return ErrWorkFailed
	case InternalAborted:
		return ErrWorkAborted
	}
	return ErrClockStopped
}

// Error reads "work <name>: <sentinel> (<status>)", followed by ": <cause>"
// when there is a cause, for example
// "work backup: work failed (Failed: backup): disk full".
func (e *WorkError) Error() string {
	var b strings.Builder
	b.WriteString("work ")
	b.WriteString(e.Name)
	b.WriteString(": ")
	b.WriteString(e.Sentinel().Error())
	b.WriteString(" (")
	b.WriteString(e.Status)
	b.WriteString(")")
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel and, if there is one, the cause, so that
// errors.Is and errors.As look at both.
func (e *WorkError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Sentinel()}
	}
	return []error{e.Sentinel(), e.Cause}
}

// ResultError returns nil if w ended in Success, and otherwise a *WorkError
// describing w as it is now: its name, internal state, status and
// FailureCause. It panics if w is nil.
func ResultError(w Work) error {
	b := w.basicWork()
	st := b.InternalState()
	if st == InternalSuccess {
		return nil
	}
	return &WorkError{Name: b.name, State: st, Status: w.Status(), Cause: b.FailureCause()}
}

// failureRecord is a cause recorded by SetFailureCause, with the retries the
// work had used then: a retry begins with one more, which makes the record
// stale without anyone having to clear it.
type failureRecord struct {
	cause   error
	retries int
}

// SetFailureCause records err as the cause of the work's failure in the
// current attempt; a later call replaces it and nil clears it. Call it from
// OnRun (or a hook it calls) before returning Failure; a wrapper or parent
// may also call it for the work it runs. The cause does not change what
// the work logs: the log lines stay those of the C++, which has no such
// notion. It ports nothing; see FailureCause.
func (b *BasicWork) SetFailureCause(err error) {
	if err == nil {
		if b.ext != nil {
			b.ext.failure = nil
		}
		return
	}
	x := b.more()
	x.failure = &failureRecord{cause: err, retries: x.retries}
}

// FailureCause returns the cause recorded with SetFailureCause during the
// current attempt, or nil. It is kept while the work is failed, retrying,
// aborting or aborted, and cleared when a new attempt begins: when the work
// is started (again), and when a scheduled retry begins. So after a failure
// it is the cause of that failure; while a retry runs it is nil until the
// retry records its own.
func (b *BasicWork) FailureCause() error {
	if b.ext == nil {
		return nil
	}
	if r := b.ext.failure; r != nil && r.retries == b.ext.retries {
		return r.cause
	}
	return nil
}
