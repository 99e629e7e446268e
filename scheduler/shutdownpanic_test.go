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

// TestExecuteWorkCancelWithPanickingShutdown (review H2): ExecuteWork with
// a cancelled context shuts the work down; its Shutdown override panics
// before it calls the embedded one. The panic comes out of ExecuteWork, but
// the work's shutdown was completed and the scheduler woken, so cranking on
// aborts it, with its hour's timer cancelled. Before, the cancel was lost:
// the work ran on and, an hour later, succeeded.
func TestExecuteWorkCancelWithPanickingShutdown(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	clock := app.Clock()
	w := testworks.NewShutdownPanics(app, "w")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var v any
	func() {
		defer func() { v = recover() }()
		_ = app.WorkScheduler().ExecuteWork(ctx, w)
	}()
	require.Equal(t, testworks.ShutdownPanicValue, v)
	require.True(t, w.IsAborting(), "the work's shutdown was completed")
	for n := 0; !w.IsDone(); n++ {
		require.Less(t, n, 20)
		clock.Crank(false)
	}
	require.Equal(t, basicwork.Aborted, w.State())
	require.Zero(t, clock.PendingTimers())
}
