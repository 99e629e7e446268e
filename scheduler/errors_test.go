package scheduler_test

// Tests of "failures are errors" (issue 16, case 5): ExecuteWork returns nil
// only for a work that ends in success, and an error that errors.Is and
// errors.As understand otherwise; and of the misuse of calling ExecuteWork
// or Run from inside a crank (case 4).

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// TestExecuteWorkFailureIsError is the first example: a RetryNever
// work that fails. Before, ExecuteWork returned nil.
func TestExecuteWorkFailureIsError(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	// Three steps, the last returning Failure, never retried.
	w := testworks.NewBasicWork(app, "w", true, 3, basicwork.RetryNever)
	err := app.WorkScheduler().ExecuteWork(t.Context(), w)
	require.ErrorIs(t, err, basicwork.ErrWorkFailed)
	require.NotErrorIs(t, err, basicwork.ErrWorkAborted)
	require.NotErrorIs(t, err, basicwork.ErrClockStopped)
	var we *basicwork.WorkError
	require.ErrorAs(t, err, &we)
	// No cause was recorded: the error says which work and how it ended.
	require.Equal(t, basicwork.WorkError{Name: "w", State: basicwork.InternalFailure, Status: "Failed: w"}, *we)
	require.EqualError(t, err, "work w: work failed (Failed: w)")
	require.Equal(t, 3, w.RunningCount)
}

// TestExecuteWorkSuccessIsNil: the one nil outcome.
func TestExecuteWorkSuccessIsNil(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	w := testworks.NewBasicWork(app, "w", false, 3, basicwork.RetryNever)
	require.NoError(t, app.WorkScheduler().ExecuteWork(t.Context(), w))
	require.Equal(t, basicwork.Success, w.State())
}

// TestExecuteWorkClockStoppedIsError is the second example: an
// action shuts the clock down while the work waits; ExecuteWork returns,
// since nothing can crank any more, with ErrClockStopped and the work's
// state at that moment.
func TestExecuteWorkClockStoppedIsError(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	w := &hourWait{} // waits an hour on its timer
	w.Init(app, "waits", basicwork.RetryNever, w)
	stopper := vclock.NewTimer(clock)
	stopper.ExpiresFromNow(time.Second)
	stopper.AsyncWaitFunc(clock.Shutdown, vclock.OnFailureNoop)
	err := app.WorkScheduler().ExecuteWork(t.Context(), w)
	require.ErrorIs(t, err, scheduler.ErrClockStopped)
	require.NotErrorIs(t, err, basicwork.ErrWorkFailed)
	var we *basicwork.WorkError
	require.ErrorAs(t, err, &we)
	require.Equal(t, basicwork.WorkError{Name: "waits", State: basicwork.InternalWaiting, Status: "Waiting: waits"}, *we)
	require.False(t, w.IsDone())
}

// TestExecuteWorkCallbackCause is the third example: the callback's
// error reaches the caller as the cause, and the log line stays the C++
// one (TestWorkWithCallbackOutcomes checks it).
func TestExecuteWorkCallbackCause(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	errDiskFull := errors.New("disk full")
	w, err := basicwork.NewWorkWithCallback(app, "save", func(basicwork.Application) (bool, error) {
		return false, errDiskFull
	})
	require.NoError(t, err)
	err = app.WorkScheduler().ExecuteWork(t.Context(), w)
	require.Equal(t, basicwork.Failure, w.State())
	require.ErrorIs(t, err, basicwork.ErrWorkFailed)
	require.ErrorIs(t, err, errDiskFull)
	var we *basicwork.WorkError
	require.ErrorAs(t, err, &we)
	require.Same(t, errDiskFull, we.Cause)
	require.EqualError(t, err, "work save: work failed (Failed: save): disk full")
}

// TestExecuteWorkCancelledCarriesWorkError: on cancellation the error
// matches the context's error and still describes the work, aborted, with
// the context's error as its cause.
func TestExecuteWorkCancelledCarriesWorkError(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	w := &cancelAfter{steps: 2, cancel: cancel}
	w.Init(app, "long", basicwork.RetryNever, w)
	err := app.WorkScheduler().ExecuteWork(ctx, w)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, basicwork.ErrWorkAborted)
	var we *basicwork.WorkError
	require.ErrorAs(t, err, &we)
	require.Equal(t, basicwork.WorkError{Name: "long", State: basicwork.InternalAborted, Status: "Aborted: long", Cause: context.Canceled}, *we)
}

// causeWork fails each attempt; attempt k records the cause given for it
// (nil: none).
type causeWork struct {
	basicwork.BasicWork
	causes []error
	seen   []error // FailureCause as OnRun found it on entry
}

func (w *causeWork) OnRun() basicwork.State {
	w.seen = append(w.seen, w.FailureCause())
	if c := w.causes[w.Attempt()-1]; c != nil {
		w.SetFailureCause(c)
	}
	return basicwork.Failure
}
func (w *causeWork) OnAbort() bool { return true }

// TestFailureCauseLifetime: a cause belongs to its attempt. It is kept
// while the work waits for its retry, cleared when the retry begins (so a
// retry that fails without a cause reports none), and cleared when the
// work is started again.
func TestFailureCauseLifetime(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.LowerBound{}))
	first := errors.New("first attempt")
	w := &causeWork{causes: []error{first, nil}}
	w.Init(app, "w", basicwork.RetryOnce, w)
	app.WorkScheduler().ScheduleWork(w)
	for w.Attempt() == 1 && !w.IsDone() {
		clock.Crank(false)
		if w.State() == basicwork.Waiting {
			// Waiting out its retry: the first failure's cause is readable.
			require.Equal(t, first, w.FailureCause())
			require.Contains(t, w.Status(), "Retrying in")
		}
	}
	for !w.IsDone() {
		clock.Crank(true)
	}
	require.Equal(t, basicwork.Failure, w.State())
	require.Equal(t, []error{nil, nil}, w.seen, "each attempt starts without a cause")
	require.NoError(t, w.FailureCause(), "the second attempt recorded none")

	// Started again (as a parent's restart does), the record is gone even
	// if the new attempt is the same first attempt.
	w2 := &causeWork{causes: []error{first}}
	w2.Init(app, "w2", basicwork.RetryNever, w2)
	err := app.WorkScheduler().ExecuteWork(t.Context(), w2)
	require.ErrorIs(t, err, first)
	w2.causes = []error{nil}
	err = app.WorkScheduler().ExecuteWork(t.Context(), w2)
	require.ErrorIs(t, err, basicwork.ErrWorkFailed)
	require.NotErrorIs(t, err, first)
	require.Equal(t, []error{nil, nil}, w2.seen)

	// SetFailureCause(nil) clears.
	w2.SetFailureCause(first)
	require.Equal(t, first, w2.FailureCause())
	w2.SetFailureCause(nil)
	require.NoError(t, w2.FailureCause())
}

// TestRunClockStopped: Run returns ErrClockStopped, not nil, when the clock
// is shut down before the context is done.
func TestRunClockStopped(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	stopper := vclock.NewTimer(clock)
	stopper.ExpiresFromNow(time.Second)
	stopper.AsyncWaitFunc(clock.Shutdown, vclock.OnFailureNoop)
	err := app.WorkScheduler().Run(t.Context())
	require.ErrorIs(t, err, scheduler.ErrClockStopped)
	require.NotErrorIs(t, err, context.Canceled)
	require.Equal(t, time.Second, clock.Elapsed())
}

// nested calls ExecuteWork (or Run) from its OnRun with a context that has
// a deadline, as in the issue; what it panics with is left in recovered.
type nested struct {
	basicwork.BasicWork
	ws    *scheduler.WorkScheduler
	inner basicwork.Work
	run   bool
}

func (w *nested) OnRun() basicwork.State {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if w.run {
		_ = w.ws.Run(ctx)
	} else {
		_ = w.ws.ExecuteWork(ctx, w.inner)
	}
	return basicwork.Success
}
func (w *nested) OnAbort() bool { return true }

// TestExecuteWorkInsideCrankPanics is the case 4: ExecuteWork (or
// Run) called from a work's OnRun used to block for ever; it now panics at
// once, before scheduling anything, with a message that names the work and
// the misuse. The caller that recovers the panic out of Crank can crank on:
// the work is cranked again (and panics again), and nothing was scheduled.
func TestExecuteWorkInsideCrankPanics(t *testing.T) {
	for _, run := range []bool{false, true} {
		t.Run(fmt.Sprintf("Run=%v", run), func(t *testing.T) {
			clock := vclock.New(vclock.VirtualTime)
			app := scheduler.NewApp(clock)
			ws := app.WorkScheduler()
			inner := testworks.NewDefaultBasicWork(app, "inner")
			w := &nested{ws: ws, inner: inner, run: run}
			w.Init(app, "outer", basicwork.RetryNever, w)
			ws.ScheduleWork(w)
			op, name := "ExecuteWork(inner)", "inner"
			if run {
				op, name = "Run(work-scheduler)", "work-scheduler"
			}
			for range 2 {
				// A post is queued on one crank and run on a later one.
				var v any
				for k := 0; k < 3 && v == nil; k++ {
					v = crankRecovering(clock)
				}
				require.NotNil(t, v, "the nested call panics")
				var ie *basicwork.InvariantError
				require.ErrorAs(t, v.(error), &ie)
				require.Equal(t, name, ie.Name)
				require.Contains(t, ie.Msg, "scheduler: "+op+" called from inside a crank")
				require.Equal(t, basicwork.InternalPending, baseOf(inner).InternalState(), "inner was not scheduled")
				require.Equal(t, 1, ws.TotalChildren())
				require.Equal(t, basicwork.Running, w.State())
			}
			// The scheduler's own bookkeeping is clean: outside a crank the
			// calls work again.
			w.Shutdown()
			for !w.IsDone() {
				require.Nil(t, crankRecovering(clock))
			}
			require.NoError(t, ws.ExecuteWork(t.Context(), inner))
		})
	}
}

// crankRecovering cranks clock once, without blocking, and returns what it
// panicked with, or nil.
func crankRecovering(clock *vclock.Clock) (v any) {
	defer func() { v = recover() }()
	clock.Crank(false)
	return nil
}
