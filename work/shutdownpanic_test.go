package work_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
)

// crankAbortToEnd cranks w by hand until it is done, at most 100 times:
// an abort over one leaf whose OnAbort completes at once needs a handful.
func crankAbortToEnd(t *testing.T, w basicwork.Work) {
	t.Helper()
	for n := 0; !w.IsDone(); n++ {
		require.Less(t, n, 100, "the abort never ends: %s", w.Status())
		w.CrankWork()
	}
}

// TestShutdownOverridePanicCompletesTheAbort (review H2): a child whose
// Shutdown override panics before it calls the embedded one, while the
// child waits an hour. The Work's shutdown completes the child's (the
// embedded BasicWork's Shutdown) before the panic goes on, so cranking on
// aborts the tree and cancels the hour's timer. Before, the child stayed
// WAITING under an aborting parent, which cranked at t=0 for ever.
func TestShutdownOverridePanicCompletesTheAbort(t *testing.T) {
	app := newApp()
	l := testworks.NewShutdownPanics(app, "l")
	p := newCustom(app, "p", func(c *custom) basicwork.State {
		if !c.HasChildren() && c.count("DoWork") == 1 {
			require.NoError(t, c.AddWork(l))
			return basicwork.Running
		}
		return c.CheckChildrenStatus()
	})
	p.StartWork(nil)
	for p.State() == basicwork.Running {
		p.CrankWork()
	}
	require.Equal(t, basicwork.Waiting, l.State())
	require.Equal(t, 1, app.Clock().PendingTimers())

	require.Equal(t, testworks.ShutdownPanicValue, recoveredValue(p.Shutdown))
	require.True(t, l.IsAborting(), "the child's shutdown was completed")
	require.True(t, p.IsAborting())
	require.Zero(t, app.Clock().PendingTimers(), "the waiting timer is cancelled")
	crankAbortToEnd(t, p)
	require.Equal(t, basicwork.Aborted, p.State())
	require.Equal(t, basicwork.Aborted, l.State())
}

// TestShutdownOverridePanicInsideACrank: the same panic while a Work fails
// because a sibling failed and aborts its other children inside its crank.
// The crank panics; cranking on ends the Work in Failure. Before, it stayed
// RUNNING, cranking its abort for ever at t=0.
func TestShutdownOverridePanicInsideACrank(t *testing.T) {
	app := newApp()
	l := testworks.NewShutdownPanics(app, "l")
	f := testworks.NewBasicWork(app, "f", true, 1, basicwork.RetryNever)
	p := newCustom(app, "p", func(c *custom) basicwork.State {
		if c.count("DoWork") == 1 {
			require.NoError(t, c.AddWork(l))
			require.NoError(t, c.AddWork(f))
			return basicwork.Running
		}
		return c.CheckChildrenStatus()
	})
	p.StartWork(nil)
	var v any
	for n := 0; v == nil; n++ {
		require.Less(t, n, 100)
		v = recoveredValue(p.CrankWork)
	}
	require.Equal(t, testworks.ShutdownPanicValue, v)
	require.True(t, l.IsAborting())
	crankAbortToEnd(t, p)
	require.Equal(t, basicwork.Failure, p.State())
	require.Equal(t, basicwork.Aborted, l.State())
	require.Zero(t, app.Clock().PendingTimers())
}

// recoveredValue runs f and returns what it panicked with, or nil.
func recoveredValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
