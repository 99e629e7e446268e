package scheduler_test

// Ports of the work-scheduling TEST_CASEs of stellar-core's
// src/work/test/WorkTests.cpp, one Go subtest per upstream SECTION, each
// upstream REQUIRE a testify require. The trace of each section is checked
// by its parity scenario in internal/parity, which RunSections names.

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
	"github.com/stellarwork/stellarwork/work"
)

// checkSuccess is the upstream checkSuccess lambda of "BasicWork test".
func checkSuccess(e *upstreamtest.Env, w *testworks.BasicWork) {
	e.T.Helper()
	e.RequireState(w, basicwork.Success)
	e.RequireEqual(w.Name()+".runningCount == 3", w.Steps, w.RunningCount)
	e.RequireEqual(w.Name()+".successCount == 1", 1, w.SuccessCount)
	e.RequireEqual(w.Name()+".failureCount == 0", 0, w.FailureCount)
	e.RequireEqual(w.Name()+".retryCount == 0", 0, w.RetryCount)
}

// addTo is parent->addTestWork<T>(...): it requires success.
func addTo(e *upstreamtest.Env, parent *testworks.Work, w basicwork.Work) {
	e.T.Helper()
	require.NoError(e.T, parent.AddTestWork(w), "addTestWork(%s)", w.Name())
}

func basic(e *upstreamtest.Env, name string) *testworks.BasicWork {
	return testworks.NewDefaultBasicWork(e.App, name)
}

func testWork(e *upstreamtest.Env, name string) *testworks.Work {
	return testworks.NewWork(e.App, name)
}

// TestBasicWork is the upstream "BasicWork test": leaves scheduled directly
// on the scheduler.
func TestBasicWork(t *testing.T) {
	upstreamtest.RunSections(t, []upstreamtest.Section{
		{Name: "one work", Scenario: "basicwork/one-work.txt", Body: func(e *upstreamtest.Env) {
			w := basic(e, "test-work")
			e.Schedule(w)
			e.CrankWhile(func() bool { return !e.WM.AllChildrenSuccessful() })
			checkSuccess(e, w)
		}},
		{Name: "2 works round robin", Scenario: "basicwork/2-works-round-robin.txt", Body: func(e *upstreamtest.Env) {
			w1, w2 := basic(e, "test-work1"), basic(e, "test-work2")
			e.Schedule(w1)
			e.Schedule(w2)
			e.CrankWhile(func() bool { return !e.WM.AllChildrenSuccessful() })
			checkSuccess(e, w1)
			checkSuccess(e, w2)
		}},
		{Name: "work waiting", Scenario: "basicwork/work-waiting.txt", Body: func(e *upstreamtest.Env) {
			w := testworks.NewWaitingWork(e.App, "waiting-test-work")
			e.Schedule(w)
			e.CrankWhile(func() bool { return !e.WM.AllChildrenSuccessful() })
			checkSuccess(e, &w.BasicWork)
			e.RequireEqual("waiting-test-work.waitingCount == waiting-test-work.wakeUpCount",
				w.WaitingCount, w.WakeUpCount)
			// Every step but the last waits once.
			e.RequireEqual("waiting-test-work.waitingCount == 2", w.Steps-1, w.WaitingCount)
		}},
		{Name: "work waiting - shutdown", Scenario: "basicwork/work-waiting-shutdown.txt", Body: func(e *upstreamtest.Env) {
			w := testworks.NewWaitingWork(e.App, "waiting-test-work")
			e.Schedule(w)
			e.CrankWhile(func() bool { return w.State() != basicwork.Waiting })
			// It waits on its timer, and nothing has woken it yet.
			e.RequireEqual("waiting-test-work.waitingCount == 1", 1, w.WaitingCount)
			e.RequireEqual("waiting-test-work.wakeUpCount == 0", 0, w.WakeUpCount)
			e.WM.Shutdown()
			e.CrankWhile(func() bool { return e.WM.State() != basicwork.Aborted })
			// The abort cancelled the timer without waking the work up.
			e.RequireEqual("waiting-test-work.waitingCount == 1", 1, w.WaitingCount)
			e.RequireEqual("waiting-test-work.wakeUpCount == 0", 0, w.WakeUpCount)
		}},
		{Name: "new work added midway", Scenario: "basicwork/new-work-added-midway.txt", Body: func(e *upstreamtest.Env) {
			w1, w2 := basic(e, "test-work1"), basic(e, "test-work2")
			e.Schedule(w1)
			e.Schedule(w2)
			var w3 *testworks.BasicWork
			for n := 0; !e.WM.AllChildrenSuccessful(); n++ {
				require.Less(e.T, n, upstreamtest.MaxCranks, "crank loop does not end")
				e.Crank()
				if w3 == nil {
					w3 = basic(e, "test-work3")
					e.Schedule(w3)
				}
			}
			checkSuccess(e, w1)
			checkSuccess(e, w2)
			checkSuccess(e, w3)
		}},
		{Name: "new work wakes up scheduler", Scenario: "basicwork/new-work-wakes-up-scheduler.txt", Body: func(e *upstreamtest.Env) {
			// The scheduler already waits after its first crank at creation,
			// so this loop does not crank at all.
			e.CrankWhile(func() bool { return e.WM.State() != basicwork.Waiting })
			w := basic(e, "test-work")
			e.Schedule(w)
			// Scheduling woke it up at once.
			e.RequireState(e.WM, basicwork.Running)
			e.CrankWhile(func() bool { return !e.WM.AllChildrenSuccessful() })
			checkSuccess(e, w)
		}},
		{Name: "work retries and fails", Scenario: "basicwork/work-retries-and-fails.txt", Body: func(e *upstreamtest.Env) {
			w := testworks.NewBasicWork(e.App, "test-work", true, 3, basicwork.RetryOnce)
			e.Schedule(w)
			e.CrankWhile(func() bool { return !e.WM.AllChildrenDone() })
			e.RequireState(w, basicwork.Failure)
			// Three steps, then three more after the one retry.
			e.RequireEqual("test-work.runningCount == 6", w.Steps*(basicwork.RetryOnce+1), w.RunningCount)
			e.RequireEqual("test-work.successCount == 0", 0, w.SuccessCount)
			e.RequireEqual("test-work.failureCount == 1", 1, w.FailureCount)
			e.RequireEqual("test-work.retryCount == 1", basicwork.RetryOnce, w.RetryCount)
		}},
		{Name: "work shutdown", Scenario: "basicwork/work-shutdown.txt", Body: func(e *upstreamtest.Env) {
			// A long work, shut down after every crank, also once it is done.
			w := testworks.NewBasicWork(e.App, "test-work", false, 100, basicwork.RetryOnce)
			e.Schedule(w)
			for n := 0; !e.WM.AllChildrenDone() || e.WM.State() == basicwork.Running; n++ {
				require.Less(e.T, n, upstreamtest.MaxCranks, "crank loop does not end")
				e.Crank()
				w.Shutdown()
			}
			e.RequireState(w, basicwork.Aborted)
			// The abort ran once, and the reset restored the step count.
			e.RequireEqual("test-work.abortCount == 1", 1, w.AbortCount)
			e.RequireEqual("test-work.count == 100", w.Steps, w.Count)
			// The scheduler is not affected: it waits for more work.
			e.RequireState(e.WM, basicwork.Waiting)
		}},
	})
}

// childrenSetup is the common part of "work with children": two TestWorks
// on the scheduler, and two leaves under the first.
type childrenSetup struct {
	w1, w2 *testworks.Work
	l1, l2 *testworks.BasicWork
}

func newChildrenSetup(e *upstreamtest.Env) childrenSetup {
	e.T.Helper()
	s := childrenSetup{
		w1: testWork(e, "test-work1"),
		w2: testWork(e, "test-work2"),
		l1: basic(e, "leaf-work"),
		l2: basic(e, "leaf-work-2"),
	}
	e.Schedule(s.w1)
	e.Schedule(s.w2)
	addTo(e, s.w1, s.l1)
	addTo(e, s.w1, s.l2)
	return s
}

// TestWorkWithChildren is the upstream "work with children".
func TestWorkWithChildren(t *testing.T) {
	allDone := func(e *upstreamtest.Env) func() bool {
		return func() bool { return !e.WM.AllChildrenDone() || e.WM.State() == basicwork.Running }
	}
	upstreamtest.RunSections(t, []upstreamtest.Section{
		{Name: "success", Scenario: "work/success.txt", Body: func(e *upstreamtest.Env) {
			s := newChildrenSetup(e)
			e.CrankWhile(func() bool { return !e.WM.AllChildrenSuccessful() || e.WM.State() == basicwork.Running })
			e.RequireState(s.l1, basicwork.Success)
			e.RequireState(s.l2, basicwork.Success)
			e.RequireState(s.w1, basicwork.Success)
			e.RequireState(s.w2, basicwork.Success)
			e.RequireState(e.WM, basicwork.Waiting)
		}},
		{Name: "child failed", Scenario: "work/child-failed.txt", Body: func(e *upstreamtest.Env) {
			s := newChildrenSetup(e)
			l3 := testworks.NewBasicWork(e.App, "leaf-work3", true, 3, basicwork.RetryOnce)
			addTo(e, s.w2, l3)
			e.CrankWhile(allDone(e))
			e.RequireState(s.l1, basicwork.Success)
			e.RequireState(s.l2, basicwork.Success)
			e.RequireState(s.w1, basicwork.Success)
			e.RequireState(s.w2, basicwork.Failure)
			e.RequireState(l3, basicwork.Failure)
			e.RequireState(e.WM, basicwork.Waiting)
		}},
		{Name: "child failed so parent aborts other child", Scenario: "work/child-failed-so-parent-aborts-other-child.txt", Body: func(e *upstreamtest.Env) {
			s := newChildrenSetup(e)
			l3 := testworks.NewBasicWork(e.App, "leaf-work3", true, 3, basicwork.RetryNever)
			l4 := testworks.NewBasicWork(e.App, "leaf-work4", false, 100, basicwork.RetryOnce)
			addTo(e, s.w2, l3)
			addTo(e, s.w2, l4)
			e.CrankWhile(allDone(e))
			e.RequireState(s.l1, basicwork.Success)
			e.RequireState(s.l2, basicwork.Success)
			e.RequireState(s.w1, basicwork.Success)
			e.RequireState(s.w2, basicwork.Failure)
			e.RequireState(l3, basicwork.Failure)
			e.RequireState(l4, basicwork.Aborted)
			e.RequireState(e.WM, basicwork.Waiting)
		}},
		{Name: "work scheduler shutdown", Scenario: "work/work-scheduler-shutdown.txt", Body: func(e *upstreamtest.Env) {
			s := newChildrenSetup(e)
			e.WM.Shutdown()

			e.RequireTrue("work-scheduler isAborting", e.WM.IsAborting())
			e.RequireTrue("test-work1 isAborting", s.w1.IsAborting())
			e.RequireTrue("test-work2 isAborting", s.w2.IsAborting())
			e.RequireTrue("leaf-work isAborting", s.l1.IsAborting())
			e.RequireTrue("leaf-work-2 isAborting", s.l2.IsAborting())

			// While aborting, a wake-up changes nothing and adding a child
			// is refused.
			e.RequireTrue("leaf-work forceWakeUp does not throw", !panics(s.l1.ForceWakeUp))
			e.RequireTrue("leaf-work-2 forceWakeUp does not throw", !panics(s.l2.ForceWakeUp))
			e.RequireTrue("leaf-work isAborting", s.l1.IsAborting())
			e.RequireTrue("leaf-work-2 isAborting", s.l2.IsAborting())
			// C++ throws std::runtime_error; the Go AddWork returns an
			// error that wraps work.ErrAborting.
			err := s.w1.AddTestWork(basic(e, "leaf-work-3"))
			e.RequireTrue("test-work1 addTestWork(leaf-work-3) throws std::runtime_error",
				errors.Is(err, work.ErrAborting))
			require.EqualError(e.T, err, "test-work1 is being aborted!")

			e.CrankWhile(allDone(e))

			e.RequireState(e.WM, basicwork.Aborted)
			e.RequireState(s.w1, basicwork.Aborted)
			e.RequireState(s.w2, basicwork.Aborted)
			e.RequireState(s.l1, basicwork.Aborted)
			e.RequireState(s.l2, basicwork.Aborted)

			// A done scheduler takes no more work.
			e.RequireTrue("scheduleWork(cannot-be-scheduled) == nullptr",
				e.WM.ScheduleWork(basic(e, "cannot-be-scheduled")) == nil)
		}},
	})
}

// panics reports whether f panics.
func panics(f func()) (did bool) {
	defer func() {
		if recover() != nil {
			did = true
		}
	}()
	f()
	return false
}

// TestWorkSchedulingAndRunCount is the upstream "work scheduling and run
// count": how often DoWork of each level runs in a tree.
func TestWorkSchedulingAndRunCount(t *testing.T) {
	allSuccess := func(e *upstreamtest.Env) func() bool {
		return func() bool { return !e.WM.AllChildrenSuccessful() || e.WM.State() == basicwork.Running }
	}
	upstreamtest.RunSections(t, []upstreamtest.Section{
		{Name: "multi-level tree", Scenario: "runcount/multi-level-tree.txt", Body: func(e *upstreamtest.Env) {
			mainWork := testWork(e, "main-work")
			e.Schedule(mainWork)
			// main-work has a leaf and a work with two leaves:
			//
			//	main-work
			//	├── 3-step-work
			//	└── wait-for-children-work
			//	    ├── child-3-step-work
			//	    └── other-child-3-step-work
			w1 := basic(e, "3-step-work")
			w2 := testWork(e, "wait-for-children-work")
			addTo(e, mainWork, w1)
			addTo(e, mainWork, w2)
			c1 := basic(e, "child-3-step-work")
			c2 := basic(e, "other-child-3-step-work")
			addTo(e, w2, c1)
			addTo(e, w2, c2)

			e.CrankWhile(allSuccess(e))
			e.RequireEqual("3-step-work.runningCount == 3", w1.Steps, w1.RunningCount)
			e.RequireEqual("wait-for-children-work.runningCount == 3", c1.Steps, w2.RunningCount)
			e.RequireEqual("child-3-step-work.runningCount == 3", c1.Steps, c1.RunningCount)
			e.RequireEqual("other-child-3-step-work.runningCount == 3", c2.Steps, c2.RunningCount)
			// main-work's DoWork runs once per round over its children.
			e.RequireEqual("main-work.runningCount == 9", c1.RunningCount*2+w2.RunningCount, mainWork.RunningCount)
		}},
		{Name: "multi-level tree more leaves do not affect scheduling", Scenario: "runcount/multi-level-tree-more-leaves-do-not-affect-scheduling.txt", Body: func(e *upstreamtest.Env) {
			mainWork := testWork(e, "main-work")
			e.Schedule(mainWork)
			// Two works of two leaves each under main-work:
			//
			//	main-work
			//	├── test-work-1
			//	│   ├── child-3-step-work
			//	│   └── other-child-3-step-work
			//	└── test-work-2
			//	    ├── 2-child-3-step-work
			//	    └── 2-other-child-3-step-work
			w1 := testWork(e, "test-work-1")
			w2 := testWork(e, "test-work-2")
			addTo(e, mainWork, w1)
			addTo(e, mainWork, w2)
			c1 := basic(e, "child-3-step-work")
			c2 := basic(e, "other-child-3-step-work")
			c3 := basic(e, "2-child-3-step-work")
			c4 := basic(e, "2-other-child-3-step-work")
			addTo(e, w1, c1)
			addTo(e, w1, c2)
			addTo(e, w2, c3)
			addTo(e, w2, c4)

			e.CrankWhile(allSuccess(e))
			e.RequireEqual("test-work-2.runningCount == 3", c1.Steps, w2.RunningCount)
			e.RequireEqual("child-3-step-work.runningCount == 3", c1.Steps, c1.RunningCount)
			e.RequireEqual("other-child-3-step-work.runningCount == 3", c2.Steps, c2.RunningCount)
			e.RequireEqual("main-work.runningCount == 9", c2.RunningCount*2+w2.RunningCount, mainWork.RunningCount)
		}},
	})
}

// TestWorkSchedulingCompareTrees is the upstream "work scheduling compare
// trees". Its "flat work sequence" section needs WorkSequence: it is ported
// with it, in package worksequence.
func TestWorkSchedulingCompareTrees(t *testing.T) {
	upstreamtest.RunSections(t, []upstreamtest.Section{
		{Name: "linked list structure", Scenario: "comparetrees/linked-list-structure.txt", Body: func(e *upstreamtest.Env) {
			// A chain: work-1 holds work-2, which holds the leaf work-3. The
			// two works above the leaf run once per step of the leaf below
			// them, and work-1 once more per step of work-2.
			w1 := testWork(e, "work-1")
			e.Schedule(w1)
			w2 := testWork(e, "work-2")
			addTo(e, w1, w2)
			w3 := basic(e, "work-3")
			addTo(e, w2, w3)

			e.CrankWhile(func() bool { return !e.WM.AllChildrenSuccessful() || e.WM.State() == basicwork.Running })
			e.RequireEqual("work-3.runningCount == 3", w3.Steps, w3.RunningCount)
			e.RequireEqual("work-2.runningCount == 3", w3.RunningCount, w2.RunningCount)
			e.RequireEqual("work-1.runningCount == 6", w2.RunningCount+w3.RunningCount, w1.RunningCount)
		}},
		{Name: "flat work sequence", Scenario: "comparetrees/flat-work-sequence.txt", Body: func(e *upstreamtest.Env) {
			e.T.Skip("needs WorkSequence: ported with it, in worksequence/upstream_test.go")
		}},
	})
}
