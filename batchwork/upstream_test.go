package batchwork_test

// The "Work batching" test case of stellar-core's
// src/work/test/WorkTests.cpp, one Go subtest per upstream SECTION.

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
)

// TestWorkBatching is the upstream "Work batching".
func TestWorkBatching(t *testing.T) {
	upstreamtest.RunSections(t, []upstreamtest.Section{
		{Name: "success", Scenario: "batch/success.txt", Body: func(e *upstreamtest.Env) {
			b := testworks.NewBatchWork(e.App, "test-batch", false)
			e.Schedule(b)
			limit := e.App.Config().MaxConcurrentSubprocesses
			for n := 0; !e.Clock.IsStopped() && !e.WM.AllChildrenDone(); n++ {
				require.Less(e.T, n, upstreamtest.MaxCranks, "the crank loop does not end")
				e.Crank()
				e.RequireTrue("test-batch.numWorksInBatch <= 16", b.NumWorksInBatch() <= limit)
			}
			e.RequireState(b, basicwork.Success)
		}},
		{Name: "shutdown", Scenario: "batch/shutdown.txt", Body: func(e *upstreamtest.Env) {
			// The last child would fail, but the scheduler is shut down
			// long before.
			b := testworks.NewBatchWork(e.App, "test-batch", true)
			e.Schedule(b)
			// Strong references to every batched work alive when the
			// shutdown happens, as the C++ keeps shared_ptrs.
			var kept []*basicwork.BasicWork
			for n := 0; !e.Clock.IsStopped() && !e.WM.AllChildrenDone(); n++ {
				require.Less(e.T, n, upstreamtest.MaxCranks, "the crank loop does not end")
				e.Crank()
				if !e.WM.IsAborting() {
					// After the first crank, which only moved the scheduler's
					// action into its queue, the batch is still empty: the
					// loop body has nothing to check, as in the C++.
					for _, p := range b.BatchedWorks {
						w := p.Value()
						e.RequireTrue("batched work is alive", w != nil)
						kept = append(kept, w)
					}
					e.WM.Shutdown()
				}
			}
			e.RequireState(b, basicwork.Aborted)
			// Every child that was in the batch ended well or was aborted.
			for _, w := range kept {
				st := w.State()
				e.RequireTrue(w.Name()+" state is WORK_SUCCESS or WORK_ABORTED",
					st == basicwork.Success || st == basicwork.Aborted)
			}
		}},
	})
}
