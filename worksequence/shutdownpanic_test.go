package worksequence_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
	"github.com/stellarwork/stellarwork/worksequence"
)

// TestShutdownOverridePanicCompletesTheAbort (review H2): the current work
// of a sequence waits an hour, and its Shutdown override panics before it
// calls the embedded one. The sequence's shutdown completes the work's
// before the panic goes on, so cranking on aborts both and cancels the
// timer. Before, the sequence aborted over a WAITING work and each crank
// panicked "cannot crank l in state WORK_WAITING".
func TestShutdownOverridePanicCompletesTheAbort(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	l := testworks.NewShutdownPanics(e.App, "l")
	s, err := worksequence.New(e.App, "s", []basicwork.Work{l})
	require.NoError(t, err)
	s.StartWork(nil)
	for s.State() == basicwork.Running {
		s.CrankWork()
	}
	require.Equal(t, basicwork.Waiting, l.State())

	var v any
	func() {
		defer func() { v = recover() }()
		s.Shutdown()
	}()
	require.Equal(t, testworks.ShutdownPanicValue, v)
	require.True(t, l.IsAborting(), "the work's shutdown was completed")
	require.True(t, s.IsAborting())
	require.Zero(t, e.Clock.PendingTimers())
	// Two cranks: the work's abort, then the sequence's.
	for n := 0; !s.IsDone(); n++ {
		require.Less(t, n, 2)
		s.CrankWork()
	}
	require.Equal(t, basicwork.Aborted, s.State())
	require.Equal(t, basicwork.Aborted, l.State())
}
