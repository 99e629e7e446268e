package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worksequence"
)

// TestTransitionEvents: the listener sees every internal transition of a
// work that fails once, is retried and succeeds, with RETRYING, its attempt,
// its retries and the virtual time of each change.
func TestTransitionEvents(t *testing.T) {
	var events []string
	clk := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clk, scheduler.WithRand(basicwork.LowerBound{}),
		scheduler.WithTransitionListener(func(e basicwork.TransitionEvent) {
			events = append(events, fmt.Sprintf("%s %s->%s attempt=%d retries=%d/%d t=%d",
				e.Path(), e.From, e.To, e.Attempt(), e.Retries, e.MaxRetries, e.At.Milliseconds()))
		}))
	// The scheduler's own start: PENDING -> RUNNING -> WAITING.
	require.Equal(t, []string{
		"work-scheduler WORK_PENDING->WORK_RUNNING attempt=1 retries=0/0 t=0",
		"work-scheduler WORK_RUNNING->WORK_WAITING attempt=1 retries=0/0 t=0",
	}, events)
	events = nil
	// One step (sleeping 1 ms), failing, retried once after 1 s (lower
	// bound of backoff(0)), then failing for good.
	w := testworks.NewBasicWork(app, "w", true, 1, basicwork.RetryOnce)
	require.ErrorIs(t, app.WorkScheduler().ExecuteWork(context.Background(), w), basicwork.ErrWorkFailed)
	require.Equal(t, []string{
		"work-scheduler/w WORK_PENDING->WORK_RUNNING attempt=1 retries=0/1 t=0",
		"work-scheduler WORK_WAITING->WORK_RUNNING attempt=1 retries=0/0 t=0",
		"work-scheduler/w WORK_RUNNING->WORK_RETRYING attempt=1 retries=0/1 t=1",
		"work-scheduler/w WORK_RETRYING->WORK_WAITING attempt=1 retries=0/1 t=1",
		"work-scheduler WORK_RUNNING->WORK_WAITING attempt=1 retries=0/0 t=1",
		"work-scheduler/w WORK_WAITING->WORK_RUNNING attempt=2 retries=1/1 t=1001",
		"work-scheduler WORK_WAITING->WORK_RUNNING attempt=1 retries=0/0 t=1001",
		"work-scheduler/w WORK_RUNNING->WORK_FAILURE attempt=2 retries=1/1 t=1002",
	}, events)
	require.Equal(t, 2*time.Millisecond+time.Second, baseOf(w).Since())
}

// TestPathOf: sequences and conditional works are parents too.
func TestPathOf(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	inner := testworks.NewDefaultBasicWork(app, "leaf")
	cond, err := conditionalwork.New(app, "gate", func(basicwork.Application) bool { return true }, inner)
	require.NoError(t, err)
	seq, err := worksequence.New(app, "seq", []basicwork.Work{cond})
	require.NoError(t, err)
	parent := testworks.NewWork(app, "parent")
	app.WorkScheduler().ScheduleWork(parent)
	require.NoError(t, parent.AddWork(seq))
	require.Equal(t, "leaf", basicwork.PathOf(inner)) // not started yet
	var paths []string
	app.SetTransitionListener(func(e basicwork.TransitionEvent) {
		if e.Name() == "leaf" {
			paths = append(paths, e.Path())
		}
	})
	for !seq.IsDone() {
		app.Clock().Crank(true)
	}
	require.NotEmpty(t, paths)
	for _, p := range paths {
		require.Equal(t, "work-scheduler/parent/seq/gate/leaf", p)
	}
}

// TestAttempt: 1 on the first run, one more after each retry.
func TestAttempt(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithRand(basicwork.LowerBound{}))
	w := &attemptWork{}
	w.Init(app, "a", basicwork.RetryAFew, w)
	require.NoError(t, app.WorkScheduler().ExecuteWork(context.Background(), w))
	require.Equal(t, []int{1, 2, 3}, w.seen)
	require.Equal(t, basicwork.Success, w.State())
}

type attemptWork struct {
	basicwork.BasicWork
	seen []int
}

func (w *attemptWork) OnRun() basicwork.State {
	w.seen = append(w.seen, w.Attempt())
	if len(w.seen) < 3 {
		return basicwork.Failure
	}
	return basicwork.Success
}
func (w *attemptWork) OnAbort() bool { return true }

// TestExecuteWorkContext: cancelling the context shuts the work down; the
// call returns once the work is aborted, with the context's error.
func TestExecuteWorkContext(t *testing.T) {
	t.Run("virtual", func(t *testing.T) {
		app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
		ctx, cancel := context.WithCancel(context.Background())
		w := &cancelAfter{steps: 5, cancel: cancel}
		w.Init(app, "long", basicwork.RetryNever, w)
		err := app.WorkScheduler().ExecuteWork(ctx, w)
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, basicwork.Aborted, w.State())
		require.Equal(t, 5, w.runs)
	})
	t.Run("real time, blocked crank woken", func(t *testing.T) {
		app := scheduler.NewApp(vclock.New(vclock.RealTime))
		// A work that waits an hour: the crank blocks until the context's
		// deadline wakes it.
		w := &hourWait{}
		w.Init(app, "waits", basicwork.RetryNever, w)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := app.WorkScheduler().ExecuteWork(ctx, w)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Less(t, time.Since(start), 5*time.Second)
		require.Equal(t, basicwork.Aborted, w.State())
	})
	t.Run("refused", func(t *testing.T) {
		app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
		app.WorkScheduler().Shutdown()
		w := testworks.NewDefaultBasicWork(app, "late")
		require.ErrorIs(t, app.WorkScheduler().ExecuteWork(context.Background(), w), scheduler.ErrNotScheduled)
	})
}

// hourWait waits an hour on its waiting timer.
type hourWait struct{ basicwork.BasicWork }

func (w *hourWait) OnRun() basicwork.State {
	w.SetupWaitingCallback(time.Hour)
	return basicwork.Waiting
}
func (w *hourWait) OnAbort() bool { return true }

// cancelAfter cancels its context on its last step and would run forever.
type cancelAfter struct {
	basicwork.BasicWork
	steps, runs int
	cancel      func()
}

func (w *cancelAfter) OnRun() basicwork.State {
	w.runs++
	if w.runs == w.steps {
		w.cancel()
	}
	return basicwork.Running
}
func (w *cancelAfter) OnAbort() bool { return true }

// TestRun: the main loop runs scheduled work until the context ends, then
// aborts everything before returning.
func TestRun(t *testing.T) {
	for _, mode := range []vclock.Mode{vclock.VirtualTime, vclock.RealTime} {
		t.Run(mode.String(), func(t *testing.T) {
			app := scheduler.NewApp(vclock.New(mode))
			ws := app.WorkScheduler()
			ctx, cancel := context.WithCancel(context.Background())
			done := testworks.NewDefaultBasicWork(app, "quick")
			forever := &cancelAfter{steps: 1 << 40, cancel: func() {}}
			forever.Init(app, "forever", basicwork.RetryNever, forever)
			ws.ScheduleWork(done)
			ws.ScheduleWork(forever)
			// Cancel from the crank goroutine once "quick" is done.
			stopper := &cancelWhenDone{watch: done, cancel: cancel}
			stopper.Init(app, "stopper", basicwork.RetryNever, stopper)
			ws.ScheduleWork(stopper)
			require.ErrorIs(t, ws.Run(ctx), context.Canceled)
			require.Equal(t, basicwork.Success, done.State())
			require.Equal(t, basicwork.Aborted, forever.State())
			require.Equal(t, basicwork.Aborted, ws.State())
		})
	}
}

type cancelWhenDone struct {
	basicwork.BasicWork
	watch  basicwork.Work
	cancel func()
}

func (w *cancelWhenDone) OnRun() basicwork.State {
	if w.watch.IsDone() {
		w.cancel()
	}
	return basicwork.Running
}
func (w *cancelWhenDone) OnAbort() bool { return true }

// TestRunRealTimeMock: Run on a RealTime clock with a mock wall clock
// returns when the context is cancelled from another goroutine while the
// crank is blocked.
func TestRunRealTimeMock(t *testing.T) {
	mock := clock.NewMock()
	app := scheduler.NewApp(vclock.New(vclock.RealTime, vclock.WithWallClock(mock)))
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- app.WorkScheduler().Run(ctx) }()
	cancel()
	select {
	case err := <-errc:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	require.Equal(t, basicwork.Aborted, app.WorkScheduler().State())
}

// TestPanicInOnRunLeavesTreeConsistent: a panic in a user's OnRun goes up
// through Crank; the work's state is unchanged and the scheduler has posted
// itself again, so cranking on after recovering works.
func TestPanicInOnRunLeavesTreeConsistent(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	w := &panicOnce{}
	w.Init(app, "p", basicwork.RetryNever, w)
	app.WorkScheduler().ScheduleWork(w)
	var recovered any
	for i := 0; i < 10 && recovered == nil; i++ {
		func() {
			defer func() { recovered = recover() }()
			app.Clock().Crank(true)
		}()
	}
	require.Equal(t, "boom", recovered)
	require.Equal(t, basicwork.InternalRunning, baseOf(w).InternalState())
	for i := 0; i < 10 && !w.IsDone(); i++ {
		app.Clock().Crank(true)
	}
	require.Equal(t, basicwork.Success, w.State())
}

type panicOnce struct {
	basicwork.BasicWork
	panicked bool
}

func (w *panicOnce) OnRun() basicwork.State {
	if !w.panicked {
		w.panicked = true
		panic("boom")
	}
	return basicwork.Success
}
func (w *panicOnce) OnAbort() bool { return true }

// TestErrorsAreMatchable: every rejection matches its sentinel with
// errors.Is and keeps the C++ text.
func TestErrorsAreMatchable(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	_, err := conditionalwork.New(app, "c", nil, testworks.NewDefaultBasicWork(app, "x"))
	require.ErrorIs(t, err, conditionalwork.ErrNilCondition)
	_, err = conditionalwork.New(app, "c", func(basicwork.Application) bool { return true }, nil)
	require.ErrorIs(t, err, basicwork.ErrNilWork)
	_, err = worksequence.New(app, "s", []basicwork.Work{nil})
	require.ErrorIs(t, err, basicwork.ErrNilWork)
	_, err = basicwork.NewWorkWithCallback(app, "cb", nil)
	require.ErrorIs(t, err, basicwork.ErrNilCallback)

	// Programming errors panic with typed values.
	w := testworks.NewBasicWork(app, "done", false, 1, basicwork.RetryNever)
	require.NoError(t, app.WorkScheduler().ExecuteWork(context.Background(), w))
	err = catch(w.CrankWork)
	require.ErrorIs(t, err, basicwork.ErrInvariant)
	require.EqualError(t, err, "BasicWork error: cannot crank done in state WORK_SUCCESS")
	var inv *basicwork.InvariantError
	require.True(t, errors.As(err, &inv))
	require.Equal(t, "done", inv.Name)

	bad := &returnsAborted{}
	bad.Init(app, "bad", basicwork.RetryNever, bad)
	bad.StartWork(nil)
	err = catch(bad.CrankWork)
	require.ErrorIs(t, err, basicwork.ErrIllegalTransition)
	require.EqualError(t, err, "BasicWork error: illegal state transition WORK_RUNNING -> WORK_ABORTED")
}

// returnsAborted returns a state OnRun must not return.
type returnsAborted struct{ basicwork.BasicWork }

func (w *returnsAborted) OnRun() basicwork.State { return basicwork.Aborted }
func (w *returnsAborted) OnAbort() bool          { return true }

// catch runs f and returns the error it panicked with.
func catch(f func()) (err error) {
	defer func() { err, _ = recover().(error) }()
	f()
	return nil
}
