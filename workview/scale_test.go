package workview_test

// Snapshot and Render on deep chains (issue 15, item 5): linear in the
// number of works, with bounded output.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/worksequence"
	"github.com/stellarwork/stellarwork/workview"
)

// condChain returns n ConditionalWorks, each holding the next, the last a
// sleeper; no condition ever holds, so none is started but the first,
// which is scheduled and cranked until it waits. chain[0] is the outermost.
func condChain(tb testing.TB, app *scheduler.App, n int) []basicwork.Work {
	tb.Helper()
	never := func(basicwork.Application) bool { return false }
	var w basicwork.Work = newSleeper(app, "leaf", time.Second, basicwork.RetryNever)
	chain := wrapChain(tb, w, n, func(i int, inner basicwork.Work) (basicwork.Work, error) {
		return conditionalwork.New(app, fmt.Sprintf("c%d", i), never, inner)
	})
	app.WorkScheduler().ScheduleWork(chain[0])
	crankUntil(app, func() bool { return chain[0].State() == basicwork.Waiting })
	return chain
}

// wrapChain wraps leaf n times, wrap(i, inner) making the work at depth i,
// and returns the chain from the outermost work (depth 0) to leaf.
func wrapChain(tb testing.TB, leaf basicwork.Work, n int, wrap func(int, basicwork.Work) (basicwork.Work, error)) []basicwork.Work {
	tb.Helper()
	chain := make([]basicwork.Work, n+1)
	chain[n] = leaf
	for i := n - 1; i >= 0; i-- {
		w, err := wrap(i, chain[i+1])
		require.NoError(tb, err)
		chain[i] = w
	}
	return chain
}

// seqChain returns n WorkSequences, each holding the next, the last a
// sleeper, the first scheduled and cranked until the sleeper waits.
func seqChain(tb testing.TB, app *scheduler.App, n int) []basicwork.Work {
	tb.Helper()
	var w basicwork.Work = newSleeper(app, "leaf", time.Hour, basicwork.RetryNever)
	chain := wrapChain(tb, w, n, func(i int, inner basicwork.Work) (basicwork.Work, error) {
		return worksequence.New(app, fmt.Sprintf("s%d", i), []basicwork.Work{inner})
	})
	app.WorkScheduler().ScheduleWork(chain[0])
	leaf := chain[len(chain)-1]
	crankUntil(app, func() bool { return leaf.State() == basicwork.Waiting })
	return chain
}

// TestSnapshotConditionalChainBounded: in a chain of 4,000 ConditionalWorks
// none of which started its work, each one's Status is "Waiting before
// starting " once per work below it, then the leaf's status: 96 KB at the
// top, 192 MB in all. The snapshot keeps the statuses of the works with
// at most MaxStatusDepth of them below (themselves included) and shows the
// others' own BasicWork status, so its statuses add up to less than 40
// bytes a work; Render's lines are bounded too.
func TestSnapshotConditionalChainBounded(t *testing.T) {
	const n = 4000
	app := newApp()
	chain := condChain(t, app, n)
	snap := workview.Snapshot(chain[0], workview.Now(chain[0]))

	total, depth := 0, 0
	for nd := &snap; ; nd = &nd.Children[0] {
		w := chain[depth]
		total += len(nd.Status)
		// A ConditionalWork at depth d has n-d of them below it, itself
		// included; the leaf none.
		switch stack := n - depth; {
		case depth == n:
			require.Equal(t, "Ready to run: leaf", nd.Status)
		case stack <= workview.MaxStatusDepth:
			require.Equal(t, w.Status(), nd.Status, "depth %d", depth)
			require.Equal(t, strings.Repeat("Waiting before starting ", stack)+"Ready to run: leaf", nd.Status)
		default:
			require.Equal(t, baseOf(w).Status(), nd.Status, "depth %d", depth)
		}
		if len(nd.Children) == 0 {
			break
		}
		depth++
	}
	require.Equal(t, n, depth)
	require.Less(t, total, 40*(n+1))

	text := snap.Render()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	require.Len(t, lines, n+2) // the header and a line per work
	for _, l := range lines {
		require.LessOrEqual(t, len(l), 500)
	}
	require.Contains(t, lines[n+1], "[4000] └─ leaf")
}

// TestRenderIndentBounded: a 40-deep chain of sequences is indented 32
// levels at most; deeper lines carry their depth.
func TestRenderIndentBounded(t *testing.T) {
	app := newApp()
	chain := seqChain(t, app, 40)
	lines := strings.Split(workview.Snapshot(chain[0], 0).Render(), "\n")
	indent := strings.Repeat("   ", workview.MaxRenderIndent-1)
	// lines[0] is the header, lines[d+1] the work at depth d.
	require.True(t, strings.HasPrefix(lines[workview.MaxRenderIndent+1], indent+"└─ s32 "), lines[workview.MaxRenderIndent+1])
	require.True(t, strings.HasPrefix(lines[workview.MaxRenderIndent+2], indent+"[33] └─ s33 "), lines[workview.MaxRenderIndent+2])
	require.True(t, strings.HasPrefix(lines[41], indent+"[40] └─ leaf "), lines[41])
}

// BenchmarkSnapshotConditionalChain: Snapshot of the chain of
// TestSnapshotConditionalChainBounded; ns/work divides by the works.
func BenchmarkSnapshotConditionalChain(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		b.Run(fmt.Sprintf("works=%d", n), func(b *testing.B) {
			app := newApp()
			chain := condChain(b, app, n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				workview.Snapshot(chain[0], 0)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n+1), "ns/work")
		})
	}
}

// BenchmarkRenderSequenceChain: Render of a snapshot of a chain of
// WorkSequences; ns/work divides by the works, bytes/work is the text's
// size per work.
func BenchmarkRenderSequenceChain(b *testing.B) {
	for _, n := range []int{4000, 16000} {
		b.Run(fmt.Sprintf("works=%d", n), func(b *testing.B) {
			app := newApp()
			chain := seqChain(b, app, n)
			snap := workview.Snapshot(chain[0], 0)
			size := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				size = len(snap.Render())
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n+1), "ns/work")
			b.ReportMetric(float64(size)/float64(n+1), "bytes/work")
		})
	}
}
