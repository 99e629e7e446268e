package conditionalwork_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
)

// TestShutdownOverridePanicCompletesTheAbort (review H2): the conditioned
// work waits an hour, and its Shutdown override panics before it calls the
// embedded one. The ConditionalWork's shutdown completes the work's before
// the panic goes on, so cranking on aborts both and cancels the timer.
// Before, the work stayed WAITING under an aborting ConditionalWork.
func TestShutdownOverridePanicCompletesTheAbort(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	l := testworks.NewShutdownPanics(e.App, "l")
	c, err := conditionalwork.New(e.App, "c", func(basicwork.Application) bool { return true }, l)
	require.NoError(t, err)
	c.StartWork(nil)
	for c.State() == basicwork.Running {
		c.CrankWork()
	}
	require.Equal(t, basicwork.Waiting, l.State())

	var v any
	func() {
		defer func() { v = recover() }()
		c.Shutdown()
	}()
	require.Equal(t, testworks.ShutdownPanicValue, v)
	require.True(t, l.IsAborting(), "the work's shutdown was completed")
	require.True(t, c.IsAborting())
	require.Zero(t, e.Clock.PendingTimers())
	// Two cranks: the work's abort, then the ConditionalWork's.
	for n := 0; !c.IsDone(); n++ {
		require.Less(t, n, 2)
		c.CrankWork()
	}
	require.Equal(t, basicwork.Aborted, c.State())
	require.Equal(t, basicwork.Aborted, l.State())
}
