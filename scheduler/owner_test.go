package scheduler_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// TestExecuteWorkWhileRunElsewherePanics: Run cranks the clock on one
// goroutine (a program's main loop) and ExecuteWork, then Run, are called
// from another (an HTTP handler, say). Both must panic at once, naming the
// misuse and pointing to PostAction, before they touch the tree: w is never
// added and stays PENDING, and the race detector sees no race. Before, the
// crank guard was a plain field read from the other goroutine (a data race)
// and w was added to the live tree before any check fired.
//
// It is deterministic: the probe action runs inside a Crank of Run's loop,
// so when the test goroutine goes on, Run is inside its loop (cranking, or
// blocked in Crank(true) waiting for a post) until ctx is cancelled.
func TestExecuteWorkWhileRunElsewherePanics(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	ws := app.WorkScheduler()
	w := testworks.NewDefaultBasicWork(app, "w")
	inLoop := make(chan struct{})
	clock.PostAction(func() { close(inLoop) }, "probe", vclock.NormalAction)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- ws.Run(ctx) }()
	<-inLoop

	for _, op := range []struct {
		name string
		call func()
	}{
		{"ExecuteWork(w)", func() { _ = ws.ExecuteWork(context.Background(), w) }},
		{"Run(work-scheduler)", func() { _ = ws.Run(context.Background()) }},
	} {
		v := recoverAny(op.call)
		require.NotNil(t, v, "%s from another goroutine must panic", op.name)
		var ie *basicwork.InvariantError
		require.ErrorAs(t, v.(error), &ie)
		require.Contains(t, ie.Msg, "scheduler: "+op.name+" called while a Run or an ExecuteWork")
		require.Contains(t, ie.Msg, "another goroutine")
		require.Contains(t, ie.Msg, "PostAction")
	}
	require.Equal(t, basicwork.InternalPending, baseOf(w).InternalState(), "w was not touched")

	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	// Run is over: the tree is this goroutine's again. w was never added.
	require.Zero(t, ws.TotalChildren())
	require.Equal(t, basicwork.InternalPending, baseOf(w).InternalState())
}

// TestExecuteWorkFromActionPanicsBeforeScheduling: ExecuteWork called from a
// posted action (inside a Crank, but not from a work's hook) panics before
// it adds w to the tree. Before, only the clock's guard fired, at
// ExecuteWork's first Crank, after w had been scheduled.
func TestExecuteWorkFromActionPanicsBeforeScheduling(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	ws := app.WorkScheduler()
	w := testworks.NewDefaultBasicWork(app, "w")
	var v any
	clock.PostAction(func() {
		v = recoverAny(func() { _ = ws.ExecuteWork(context.Background(), w) })
	}, "nested", vclock.NormalAction)
	for range 3 {
		clock.Crank(false)
	}
	require.NotNil(t, v)
	var ie *basicwork.InvariantError
	require.ErrorAs(t, v.(error), &ie)
	require.Contains(t, ie.Msg, "scheduler: ExecuteWork(w) called from inside a crank")
	require.Zero(t, ws.TotalChildren())
	require.Equal(t, basicwork.InternalPending, baseOf(w).InternalState())
	// The refused call left nothing held: ExecuteWork works between cranks.
	require.NoError(t, ws.ExecuteWork(t.Context(), w))
}

// TestAddWorkOnSchedulerRuns: AddWork called on the WorkScheduler schedules
// w as ScheduleWork does, so w runs to success as the clock is cranked.
// Before, the AddWork promoted from work.Work returned nil and added w
// without the wake-up callback that posts the scheduler's crank: w stayed
// RUNNING for ever. Once the scheduler is shut down, AddWork refuses with
// ErrNotScheduled and leaves the work untouched.
func TestAddWorkOnSchedulerRuns(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	ws := app.WorkScheduler()
	// testworks' default work succeeds on its third run (three steps).
	w := testworks.NewDefaultBasicWork(app, "w")
	require.NoError(t, ws.AddWork(w))
	for n := 0; !w.IsDone(); n++ {
		require.Less(t, n, 100, "w never finishes")
		clock.Crank(false)
	}
	require.Equal(t, basicwork.Success, w.State())
	require.Equal(t, 3, w.RunningCount)
	require.ErrorIs(t, ws.AddWork(nil), basicwork.ErrNilWork)

	ws.Shutdown()
	late := testworks.NewDefaultBasicWork(app, "late")
	require.ErrorIs(t, ws.AddWork(late), scheduler.ErrNotScheduled)
	require.Equal(t, basicwork.InternalPending, baseOf(late).InternalState())
}
