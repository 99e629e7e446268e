package workview_test

import (
	"bytes"
	"runtime/trace"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// traceOf runs f under the runtime tracer and returns the trace.
func traceOf(t *testing.T, f func()) []byte {
	t.Helper()
	if trace.IsEnabled() {
		t.Skip("the runtime tracer is already on (go test -trace)")
	}
	var buf bytes.Buffer
	require.NoError(t, trace.Start(&buf))
	f()
	trace.Stop()
	return buf.Bytes()
}

// region is how a region's name is stored in the trace's string table:
// its length as a uvarint, then its bytes.
func region(name string) []byte { return append([]byte{byte(len(name))}, name...) }

// TestTraceRegions checks that `go test -trace` (or runtime/trace.Start)
// shows the regions the core marks: each crank of the clock, each OnRun
// and OnAbort, and each DoWork of a work with children.
func TestTraceRegions(t *testing.T) {
	names := []string{"crank", "run", "abort", "do-work"}
	got := traceOf(t, func() {
		app := newApp()
		root := newParent(app, "root",
			newSleeper(app, "a", time.Second, basicwork.RetryNever),
			newSleeper(app, "b", time.Hour, basicwork.RetryNever))
		app.WorkScheduler().ScheduleWork(root)
		crankUntil(app, func() bool { return app.Clock().Elapsed() >= time.Second })
		app.WorkScheduler().Shutdown()
		crankUntil(app, root.IsDone)
		require.Equal(t, basicwork.Aborted, root.State())
	})
	for _, name := range names {
		require.True(t, bytes.Contains(got, region(name)), "the trace has no region %q", name)
	}

	// An idle program's trace has none of them.
	got = traceOf(t, func() { time.Sleep(time.Millisecond) })
	for _, name := range names {
		require.False(t, bytes.Contains(got, region(name)), "region %q in an idle trace", name)
	}
}
