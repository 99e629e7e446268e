package cpumeasure_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/internal/cpumeasure"
)

// TestProcessCountsBusyWork spins until the process's CPU time has grown by
// 50 ms, which must happen well within 10 s of wall time however loaded the
// machine is, and checks that the reading never goes backwards.
func TestProcessCountsBusyWork(t *testing.T) {
	before, err := cpumeasure.Process()
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip(err)
	}
	require.NoError(t, err)
	require.Positive(t, before)

	last := before
	deadline := time.Now().Add(10 * time.Second)
	for last-before < 50*time.Millisecond {
		require.True(t, time.Now().Before(deadline), "50 ms of spinning never showed up as CPU time")
		now, err := cpumeasure.Process()
		require.NoError(t, err)
		require.GreaterOrEqual(t, now, last, "CPU time went backwards")
		last = now
	}
}
