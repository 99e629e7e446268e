package robust

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"pgregory.net/rapid"
)

// TestPropertyRandomTreesMatchModel builds random trees (depth up to 4,
// fan-out up to 8; leaves with random steps, waits, failures, retries and
// slow aborts; Works, sequences with and without stop-at-first-failure,
// batches of bandwidth 1 to 4, conditional works on siblings) with random
// points for scheduling, wake-ups, added children, time jumps, inner
// shutdowns and the scheduler's shutdown. It runs each on the library and on
// the reference model and, after every crank, checks the invariants (every
// transition in the table, no done or waiting work cranked, done-children
// counts never going down, nothing running, armed or posted once the
// scheduler is aborted) and compares the two sides: transitions, progress,
// virtual time, armed timers, states and done-children counts. At the end
// it compares each work's final state and its counts of runs, retries,
// successes, failures and aborts.
//
// Operations the C++ would assert on (waking a work that waits for a retry,
// and the like) are left out here; the fuzz target keeps them.
func TestPropertyRandomTreesMatchModel(t *testing.T) {
	defer goleak.VerifyNone(t)
	checks := rapidChecks(1000, 10000)
	var cases, cranks, works int
	final := map[string]int{}
	rapid.Check(t, func(rt *rapid.T) {
		cs := genCase(rapidSource{rt})
		st, err := runCase(cs, true)
		if err != nil {
			rt.Fatal(err)
		}
		cases++
		cranks += st.cranks
		works += len(cs.Nodes)
		for k, n := range st.final {
			final[k] += n
		}
	})
	t.Logf("%d cases (rapid.checks=%d), %d works, %d cranks compared; final states: %v", cases, checks, works, cranks, final)
}

// TestPropertyUnguardedOpsMatchModel is TestPropertyRandomTreesMatchModel
// with the operations the C++ asserts on kept (as FuzzOps does): waking a
// work that waits for a retry or a conditional work whose work waits,
// shutting down the running work of a sequence, starting a finished work
// again in another parent. A case may then end on an assertion, which must
// be one the model (asserting where the C++ does) hits at the same
// operation or crank, and a documented programmer error on the library's
// side; until then, the two sides must match crank by crank.
func TestPropertyUnguardedOpsMatchModel(t *testing.T) {
	defer goleak.VerifyNone(t)
	checks := rapidChecks(300, 5000)
	var cases, cranks, ended int
	rapid.Check(t, func(rt *rapid.T) {
		cs := genCase(rapidSource{rt})
		st, err := runCase(cs, false)
		if err != nil {
			rt.Fatal(err)
		}
		cases++
		cranks += st.cranks
		if st.endedByPanic {
			ended++
		}
	})
	t.Logf("%d cases (rapid.checks=%d), %d cranks compared, %d ended on the same assertion on both sides", cases, checks, cranks, ended)
}

// TestPropertyModelImportsNoLibrary: the reference model is independent of
// the library it checks: it imports the standard library only.
func TestPropertyModelImportsNoLibrary(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("refmodel", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no model files: %v", err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); strings.Contains(p, ".") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
