package worksequence_test

// The WorkSequence sections of stellar-core's src/work/test/WorkTests.cpp:
// all of "WorkSequence test", and the "flat work sequence" section of "work
// scheduling compare trees". One Go subtest per upstream SECTION.

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
	"github.com/stellarwork/stellarwork/worksequence"
)

// newSequence builds a WorkSequence with the C++ defaults (RETRY_A_FEW,
// stop at the first failure).
func newSequence(e *upstreamtest.Env, name string, works ...basicwork.Work) *worksequence.WorkSequence {
	e.T.Helper()
	s, err := worksequence.New(e.App, name, works)
	require.NoError(e.T, err)
	return s
}

// standalone builds a TestBasicWork that nothing has started yet.
func standalone(e *upstreamtest.Env, name string, fail bool, steps int) *testworks.BasicWork {
	w := testworks.NewBasicWork(e.App, name, fail, steps, basicwork.RetryOnce)
	return w
}

// requireUntouched is the four REQUIRE_FALSEs on the counters of a work
// the sequence must never have reached.
func requireUntouched(e *upstreamtest.Env, w *testworks.BasicWork) {
	e.T.Helper()
	e.RequireEqual(w.Name()+".runningCount == 0", 0, w.RunningCount)
	e.RequireEqual(w.Name()+".successCount == 0", 0, w.SuccessCount)
	e.RequireEqual(w.Name()+".failureCount == 0", 0, w.FailureCount)
	e.RequireEqual(w.Name()+".retryCount == 0", 0, w.RetryCount)
}

// attemptsOfFailingWork is how many times a failing 3-step TestBasicWork
// runs inside a default sequence: 3 steps, its one retry, and all of that
// again for each of the sequence's own RETRY_A_FEW retries.
func attemptsOfFailingWork(w *testworks.BasicWork) int {
	return w.Steps * (basicwork.RetryOnce + 1) * (basicwork.RetryAFew + 1)
}

// TestWorkSequence is the upstream "WorkSequence test".
func TestWorkSequence(t *testing.T) {
	upstreamtest.RunSections(t, []upstreamtest.Section{
		{Name: "basic", Scenario: "sequence/basic.txt", Body: func(e *upstreamtest.Env) {
			w1 := standalone(e, "test-work-1", false, 3)
			w2 := standalone(e, "test-work-2", false, 3)
			w3 := standalone(e, "test-work-3", false, 3)
			seq := newSequence(e, "test-work-sequence", w1, w2, w3)
			e.Schedule(seq)
			// Before every crank: nothing after the first unfinished work
			// has run.
			loop := e.AllSuccess()
			for n := 0; loop(); n++ {
				require.Less(e.T, n, upstreamtest.MaxCranks, "the crank loop does not end")
				switch {
				case w1.SuccessCount == 0:
					e.RequireTrue("test-work-2.runningCount == 0", w2.RunningCount == 0)
					e.RequireTrue("test-work-3.runningCount == 0", w3.RunningCount == 0)
				case w2.SuccessCount == 0:
					e.RequireTrue("test-work-1.successCount != 0", w1.SuccessCount != 0)
					e.RequireTrue("test-work-3.runningCount == 0", w3.RunningCount == 0)
				default:
					e.RequireTrue("test-work-1.successCount != 0", w1.SuccessCount != 0)
					e.RequireTrue("test-work-2.successCount != 0", w2.SuccessCount != 0)
				}
				e.Crank()
			}
			// Not upstream REQUIREs: the sequence and
			// each of its works ended well, each work having run once.
			require.Equal(e.T, basicwork.Success, seq.State())
			for _, w := range []*testworks.BasicWork{w1, w2, w3} {
				require.Equal(e.T, basicwork.Success, w.State(), w.Name())
				require.Equal(e.T, w.Steps, w.RunningCount, w.Name())
				require.Equal(e.T, 1, w.SuccessCount, w.Name())
			}
		}},
		{Name: "WorkSequence is empty", Scenario: "sequence/work-sequence-is-empty.txt", Body: func(e *upstreamtest.Env) {
			seq := newSequence(e, "test-work-sequence-2")
			e.Schedule(seq)
			e.CrankWhile(e.AllSuccess())
			e.RequireState(seq, basicwork.Success)
		}},
		{Name: "first work fails", Scenario: "sequence/first-work-fails.txt", Body: func(e *upstreamtest.Env) {
			w1 := standalone(e, "test-work-1", true, 3)
			w2 := standalone(e, "test-work-2", false, 3)
			w3 := standalone(e, "test-work-3", false, 3)
			seq := newSequence(e, "test-work-sequence", w1, w2, w3)
			e.Execute(seq)

			e.RequireEqual("test-work-1.runningCount == 36", attemptsOfFailingWork(w1), w1.RunningCount)
			e.RequireState(w1, basicwork.Failure)
			// The works after the failing one never ran.
			requireUntouched(e, w2)
			requireUntouched(e, w3)
			e.RequireState(seq, basicwork.Failure)
		}},
		{Name: "fails midway", Scenario: "sequence/fails-midway.txt", Body: func(e *upstreamtest.Env) {
			w1 := standalone(e, "test-work-1", false, 3)
			w2 := standalone(e, "test-work-2", true, 3)
			w3 := standalone(e, "test-work-3", false, 3)
			seq := newSequence(e, "test-work-sequence", w1, w2, w3)
			e.Execute(seq)

			e.RequireEqual("test-work-2.runningCount == 36", attemptsOfFailingWork(w2), w2.RunningCount)
			e.RequireState(w2, basicwork.Failure)
			// The first work succeeded, on every attempt of the sequence.
			e.RequireState(w1, basicwork.Success)
			e.RequireTrue("test-work-1.runningCount != 0", w1.RunningCount != 0)
			e.RequireTrue("test-work-1.successCount != 0", w1.SuccessCount != 0)
			e.RequireEqual("test-work-1.failureCount == 0", 0, w1.FailureCount)
			e.RequireEqual("test-work-1.retryCount == 0", 0, w1.RetryCount)
			// The last one never ran.
			requireUntouched(e, w3)
			e.RequireState(seq, basicwork.Failure)
		}},
		{Name: "work scheduler shutdown", Scenario: "sequence/work-scheduler-shutdown.txt", Body: func(e *upstreamtest.Env) {
			// Long works, so that the sequence is far from done at shutdown.
			w1 := standalone(e, "test-work-1", false, 100)
			w2 := standalone(e, "test-work-2", false, 100)
			w3 := standalone(e, "test-work-3", false, 100)
			seq := newSequence(e, "test-work-sequence", w1, w2, w3)
			e.Schedule(seq)
			e.Crank()
			e.Check("!work-scheduler.allChildrenDone()", !e.WM.AllChildrenDone(), false)
			e.WM.Shutdown()
			e.CrankWhile(e.AllDone())

			e.RequireState(seq, basicwork.Aborted)
			e.RequireState(e.WM, basicwork.Aborted)
		}},
	})
}

// TestWorkSchedulingCompareTrees is the upstream "work scheduling compare
// trees", whose "linked list structure" section (no WorkSequence in it) is
// ported in package scheduler.
func TestWorkSchedulingCompareTrees(t *testing.T) {
	upstreamtest.RunSections(t, []upstreamtest.Section{
		{Name: "flat work sequence", Scenario: "comparetrees/flat-work-sequence.txt", Body: func(e *upstreamtest.Env) {
			// The chain of "linked list structure", flattened: the sequence
			// runs work-3, then work-2, then work-1, so the two TestWorks
			// (which have no children) run once each instead of once per
			// step of the leaf below them.
			w1 := testworks.NewWork(e.App, "work-1")
			w2 := testworks.NewWork(e.App, "work-2")
			w3 := testworks.NewDefaultBasicWork(e.App, "work-3")
			seq := newSequence(e, "test-work-sequence", w3, w2, w1)
			e.Schedule(seq)
			e.CrankWhile(e.AllSuccess())

			e.RequireEqual("work-3.runningCount == 3", w3.Steps, w3.RunningCount)
			e.RequireEqual("work-2.runningCount == 1", 1, w2.RunningCount)
			e.RequireEqual("work-1.runningCount == 1", 1, w1.RunningCount)
		}},
	})
}
