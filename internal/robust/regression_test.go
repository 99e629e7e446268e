package robust

import (
	"testing"

	"github.com/stellarwork/stellarwork/internal/robust/refmodel"
)

// TestRegressionTreeAddsAnAdoptedChildAgain: a finished child added to its
// own tree again, after the tree's retry and before the first doWork of its
// new run, is started once more when that doWork adds the tree's children.
// In the C++, Work::addWork appends the child whether or not the list holds
// it already, and BasicWork::startWork restarts any done work (SUCCESS ->
// PENDING is an allowed transition). The library's Work does the same; the
// test's own Work skipped every child already registered to it (meant to
// resume a loop cut short by an injected panic), so the two sides parted.
// Found by TestPropertyUnguardedOpsMatchModel.
func TestRegressionTreeAddsAnAdoptedChildAgain(t *testing.T) {
	// t retries once; a fails its first attempt and succeeds after.
	cs := &refmodel.Case{Bandwidth: 1, Steps: 40, Nodes: []*refmodel.Spec{
		{Name: "t", Kind: refmodel.Tree, Retries: 1, Children: []int{1}},
		{Name: "a", Kind: refmodel.Leaf, Steps: 1, FailFirst: 1},
	}, Ops: []refmodel.Op{
		{Kind: refmodel.OpSchedule, Target: 0},
		// The cranks, on the virtual clock: 1, the scheduler starts t,
		// whose doWork adds a; 2, t cranks a (RUNNING, its one step not
		// yet run: addWork does not run it); 3, idle; 4, a fails; 5, t's
		// walk rewinds; 6, t sees a failed and goes RETRYING, which resets
		// it (its list is cleared) and arms its retry timer (1s, the low
		// jitter of backoff(0)); 7, the scheduler waits; 8, the timer
		// fires and t is RUNNING again. Before crank 9, a (FAILURE) is
		// added to t.
		{Step: 8, Kind: refmodel.OpAddChild, Target: 0, Child: 1, Adopt: true},
	}}
	r := newRunner(cs, false)
	if err := r.run(); err != nil {
		t.Fatalf("%v\ncase:\n%s", err, cs)
	}
	// a runs three times: its first attempt (fails), the restart by the
	// add at step 8 (succeeds), the restart by t's doWork that adds its
	// children in the new run (succeeds again).
	want := refmodel.Counts{Runs: 3, Successes: 2, Failures: 1}
	if got := r.m.Counts(1); got != want {
		t.Errorf("model: counts of a %+v, want %+v", got, want)
	}
	if got := r.l.cnt[1]; got != want {
		t.Errorf("library: counts of a %+v, want %+v", got, want)
	}
	// t then holds a twice, both times successful: it succeeds, and the
	// final shutdown leaves a done work as it is.
	if got := r.m.State(0); got != "WORK_SUCCESS" {
		t.Errorf("t ends %s, want WORK_SUCCESS", got)
	}
}
