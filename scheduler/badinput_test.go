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

// The scheduler rows of docs/ROBUSTNESS.md.

func recoverAny(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// TestBadInputNewApp: NewApp panics on a nil clock, a nil logger or rand,
// and a MaxConcurrentSubprocesses below 1.
func TestBadInputNewApp(t *testing.T) {
	require.Equal(t, "scheduler: NewApp with a nil clock", recoverAny(func() { scheduler.NewApp(nil) }))
	require.Equal(t, "scheduler: NewApp with a nil logger or rand",
		recoverAny(func() { scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithRand(nil)) }))
	require.Equal(t, "scheduler: MaxConcurrentSubprocesses must be at least 1, not 0",
		recoverAny(func() {
			scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithConfig(basicwork.Config{}))
		}))
}

// TestBadInputScheduleNil: ScheduleWork(nil) returns nil and ExecuteWork(nil)
// ErrNotScheduled; the scheduler is untouched.
func TestBadInputScheduleNil(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	require.Nil(t, app.WorkScheduler().ScheduleWork(nil))
	require.ErrorIs(t, app.WorkScheduler().ExecuteWork(context.Background(), nil), scheduler.ErrNotScheduled)
	require.Zero(t, app.WorkScheduler().TotalChildren())
	require.Equal(t, basicwork.Waiting, app.WorkScheduler().State())
}

// TestBadInputExecuteAfterClockShutdown: ExecuteWork on a stopped clock
// returns at once, without blocking, with ErrClockStopped; the work is
// scheduled (started, so Running) but never runs.
func TestBadInputExecuteAfterClockShutdown(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	app.Clock().Shutdown()
	w := testworks.NewDefaultBasicWork(app, "w")
	err := app.WorkScheduler().ExecuteWork(context.Background(), w)
	require.ErrorIs(t, err, scheduler.ErrClockStopped)
	require.EqualError(t, err, "work w: clock stopped before the work was done (Running: w)")
	require.Zero(t, w.RunningCount)
	require.Zero(t, app.Clock().Crank(true))
}
