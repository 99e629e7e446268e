package conditionalwork_test

// The "ConditionalWork test" test case of stellar-core's
// src/work/test/WorkTests.cpp, one Go subtest per upstream SECTION.

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
	"github.com/stellarwork/stellarwork/worktest"
)

// newConditional builds a ConditionalWork with the default sleep delay.
func newConditional(e *upstreamtest.Env, name string, cond conditionalwork.Condition, w basicwork.Work) *conditionalwork.ConditionalWork {
	e.T.Helper()
	c, err := conditionalwork.New(e.App, name, cond, w)
	require.NoError(e.T, err)
	return c
}

// succeeded is a condition that holds once w has succeeded.
func succeeded(w basicwork.Work) conditionalwork.Condition {
	return func(basicwork.Application) bool { return w.State() == basicwork.Success }
}

// liveWorks is the C++ numLiveWorks: how many of the batch's yielded works
// are still alive. A collection first clears the weak pointers of those
// nothing holds any more.
func liveWorks(b *testworks.BatchWork) int {
	worktest.Collect()
	return b.LiveWorks()
}

// TestConditionalWork is the upstream "ConditionalWork test".
func TestConditionalWork(t *testing.T) {
	upstreamtest.RunSections(t, []upstreamtest.Section{
		{Name: "condition satisfied", Scenario: "conditional/condition-satisfied.txt", Body: func(e *upstreamtest.Env) {
			w := testworks.NewDefaultBasicWork(e.App, "conditioned-work")
			always := func(basicwork.Application) bool { return true }
			e.Execute(newConditional(e, "condition-success", always, w))
			e.RequireState(w, basicwork.Success)
		}},
		{Name: "condition failed", Scenario: "conditional/condition-failed.txt", Body: func(e *upstreamtest.Env) {
			parent := testworks.NewWork(e.App, "parent-work")
			e.Schedule(parent)
			failed := testworks.NewBasicWork(e.App, "other-work", true, 100, basicwork.RetryOnce)
			require.NoError(e.T, parent.AddTestWork(failed))
			dependent := testworks.NewDefaultBasicWork(e.App, "dependent-work")
			conditioned := newConditional(e, "condition-fail", succeeded(failed), dependent)
			require.NoError(e.T, parent.AddTestWork(conditioned))

			e.CrankWhile(func() bool { return !e.WM.AllChildrenDone() })

			e.RequireState(failed, basicwork.Failure)
			// The sibling's failure made the parent abort the conditional
			// work, still waiting for its condition.
			e.RequireState(conditioned, basicwork.Aborted)
			// The dependent work never started: it is still pending, which
			// reads as running.
			e.RequireState(dependent, basicwork.Running)
			require.Equal(e.T, basicwork.InternalPending, baseOf(dependent).InternalState())
			e.RequireState(parent, basicwork.Failure)
		}},
		{Name: "shutdown while waiting for condition", Scenario: "conditional/shutdown-while-waiting-for-condition.txt", Body: func(e *upstreamtest.Env) {
			// A long work the condition waits for.
			other := testworks.NewBasicWork(e.App, "other-work", false, 100, basicwork.RetryOnce)
			e.Schedule(other)
			dependent := testworks.NewDefaultBasicWork(e.App, "dependent-work")
			conditioned := newConditional(e, "condition-shutdown", succeeded(other), dependent)
			e.Schedule(conditioned)

			e.CrankWhile(func() bool { return conditioned.State() != basicwork.Waiting })
			e.WM.Shutdown()
			e.CrankWhile(e.AllDone())

			e.RequireState(conditioned, basicwork.Aborted)
			// Never started: still pending.
			e.RequireState(dependent, basicwork.Running)
			require.Equal(e.T, basicwork.InternalPending, baseOf(dependent).InternalState())
			e.RequireState(e.WM, basicwork.Aborted)
			e.RequireState(other, basicwork.Aborted)
		}},
		{Name: "shutdown after condition is met", Scenario: "conditional/shutdown-after-condition-is-met.txt", Body: func(e *upstreamtest.Env) {
			other := testworks.NewDefaultBasicWork(e.App, "other-work")
			e.Schedule(other)
			// A long dependent work, still running at the shutdown.
			dependent := testworks.NewBasicWork(e.App, "dependent-work", false, 100, basicwork.RetryOnce)
			cond := succeeded(other)
			conditioned := newConditional(e, "condition-shutdown", cond, dependent)
			e.Schedule(conditioned)

			// Until the condition holds and the conditional work has seen
			// it (it no longer waits).
			e.CrankWhile(func() bool {
				return !cond(e.App) || conditioned.State() == basicwork.Waiting
			})
			e.Crank()
			e.CheckState(conditioned, basicwork.Running)
			e.CheckState(dependent, basicwork.Running)
			e.WM.Shutdown()
			e.CrankWhile(e.AllDone())

			e.RequireState(conditioned, basicwork.Aborted)
			e.RequireState(dependent, basicwork.Aborted)
			e.RequireState(e.WM, basicwork.Aborted)
			// The work the condition waited for had finished before.
			e.RequireState(other, basicwork.Success)
		}},
		{Name: "condition is reset once satisfied", Scenario: "conditional/condition-is-reset-once-satisfied.txt", Body: func(e *upstreamtest.Env) {
			// Each child after the first is a ConditionalWork whose
			// condition holds the child yielded before it. Once satisfied,
			// the condition must be dropped, or every finished work would
			// stay alive through the chain.
			b := testworks.NewBatchWorkCondition(e.App, "test-conditional-batch")
			// The iterator's own REQUIREs; a failure is reported after the
			// crank, not from inside it.
			var iterFailed []string
			b.OnCheck = func(label string, ok bool) {
				if !ok {
					iterFailed = append(iterFailed, label)
				}
			}
			e.Schedule(b)

			released := 0 // cranks after which some yielded work was freed
			collections := 0
			for n := 0; !e.Clock.IsStopped() && !e.WM.AllChildrenDone(); n++ {
				require.Less(e.T, n, upstreamtest.MaxCranks, "the crank loop does not end")
				e.Crank()
				require.Empty(e.T, iterFailed, "checks of the iterator that failed")
				// At most the batch, plus the work the first conditional
				// work in it waits for. Without a collection the count is an
				// upper bound (a weak pointer clears only once a collection
				// found its work unreachable): when that bound already
				// holds, so does the exact count, and only otherwise does
				// the check collect to count exactly. The parity scenario
				// collects after every crank for its live lines.
				live := b.LiveWorks()
				if live > b.NumWorksInBatch()+1 {
					live = liveWorks(b)
					collections++
				}
				e.RequireTrue("live works <= numWorksInBatch + 1", live <= b.NumWorksInBatch()+1)
				if live < len(b.BatchedWorks) {
					released++
				}
			}
			e.T.Logf("%d collections", collections)
			e.RequireState(b, basicwork.Success)
			// Not upstream REQUIREs: the bound above could not fail if nothing
			// was ever freed. The works were really released, while the
			// batch ran and all of them at the end.
			require.Positive(e.T, released, "no yielded work was ever freed")
			require.Len(e.T, b.BatchedWorks, b.Total)
			require.Zero(e.T, liveWorks(b), "works still alive after the batch succeeded")
		}},
	})
}
