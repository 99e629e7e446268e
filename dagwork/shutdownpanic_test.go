package dagwork_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
)

// TestCancelWithPanickingShutdownOverride (review H2): Cancel of a node
// whose work waits an hour and whose Shutdown override panics before it
// calls the embedded one. The work's shutdown is completed and the DAGWork
// woken before the panic goes on, so cranking on ends the graph (Failure:
// a node was cancelled) with the work Aborted and no timer left. Before,
// the DAGWork stayed WAITING for ever over a WAITING work.
func TestCancelWithPanickingShutdownOverride(t *testing.T) {
	app, _ := newApp(t)
	clock := app.Clock()
	x := testworks.NewShutdownPanics(app, "x")
	d, err := dagwork.New(app, "d", []dagwork.Node{{Work: x}})
	require.NoError(t, err)
	app.WorkScheduler().ScheduleWork(d)
	for n := 0; x.State() != basicwork.Waiting; n++ {
		require.Less(t, n, 100)
		clock.Crank(false)
	}
	var v any
	func() {
		defer func() { v = recover() }()
		_ = d.Cancel("x")
	}()
	require.Equal(t, testworks.ShutdownPanicValue, v)
	require.True(t, x.IsAborting(), "the work's shutdown was completed")
	// A handful of cranks: the scheduler's, the DAGWork's, the work's abort.
	for n := 0; !d.IsDone(); n++ {
		require.Less(t, n, 20, "the graph never ends: %s", d.Status())
		clock.Crank(false)
	}
	require.Equal(t, "WORK_FAILURE", d.State().String())
	require.Equal(t, "WORK_ABORTED", x.State().String())
	st, _ := d.NodeState("x")
	require.Equal(t, dagwork.Cancelled, st)
	require.Zero(t, clock.PendingTimers())
}
