package dagwork_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// scriptedWork waits waits times for step on each attempt, then fails if
// fewer than failFirst attempts came before, and succeeds otherwise.
type scriptedWork struct {
	basicwork.BasicWork
	waits, failFirst int
	step             time.Duration
	left             int
	runs             int
}

func (w *scriptedWork) OnRun() basicwork.State {
	if w.left > 0 {
		w.left--
		w.SetupWaitingCallback(w.step)
		return basicwork.Waiting
	}
	w.runs++
	if w.runs <= w.failFirst {
		return basicwork.Failure
	}
	return basicwork.Success
}
func (w *scriptedWork) OnAbort() bool { return true }
func (w *scriptedWork) OnReset()      { w.left = w.waits }

// TestPropertyRandomGraphs builds random graphs of works that wait, fail and
// are retried, with a random limit and maybe one cancellation, and checks
// after the run: no node started before its dependencies succeeded, the
// limit held, every node is in a terminal state, Blocked nodes never ran
// and have a dependency that did not succeed, nodes that ran end as their
// works did, and the DAGWork succeeded exactly when every node did.
func TestPropertyRandomGraphs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		app := scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithRand(basicwork.LowerBound{}))
		n := rapid.IntRange(0, 12).Draw(t, "nodes")
		limit := rapid.IntRange(1, 4).Draw(t, "limit")
		works := make([]*scriptedWork, n)
		nodes := make([]dagwork.Node, n)
		deps := make([][]int, n)
		for i := range n {
			w := &scriptedWork{
				waits:     rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("waits%d", i)),
				failFirst: rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("fail%d", i)),
				step:      time.Duration(rapid.IntRange(1, 5).Draw(t, fmt.Sprintf("step%d", i))) * time.Millisecond,
			}
			w.Init(app, fmt.Sprintf("n%d", i), rapid.IntRange(0, 2).Draw(t, fmt.Sprintf("retries%d", i)), w)
			works[i] = w
			var names []string
			for j := range i {
				if rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("dep%d-%d", i, j)) == 0 {
					deps[i] = append(deps[i], j)
					names = append(names, fmt.Sprintf("n%d", j))
				}
			}
			nodes[i] = dagwork.Node{Work: w, Deps: names, RecoverPanics: rapid.Bool().Draw(t, fmt.Sprintf("wrap%d", i))}
		}
		// Every node's events, in order, and the order of all events.
		succeededAt := map[string]int{}
		startedAt := map[string]int{}
		seq := 0
		violations := []string{}
		var dag *dagwork.DAGWork
		listener := func(e dagwork.NodeEvent) {
			seq++
			switch e.To {
			case dagwork.Running:
				startedAt[e.Name] = seq
			case dagwork.Success:
				succeededAt[e.Name] = seq
			}
			if m := e.DAG.Metrics(); m.Running > limit {
				violations = append(violations, fmt.Sprintf("%d running, limit %d", m.Running, limit))
			}
		}
		dag, err := dagwork.New(app, "dag", nodes, dagwork.WithMaxConcurrency(limit), dagwork.WithNodeListener(listener))
		if err != nil {
			t.Fatal(err)
		}
		cancelled := -1
		if n > 0 && rapid.Bool().Draw(t, "cancel") {
			target := rapid.IntRange(0, n-1).Draw(t, "target")
			when := time.Duration(rapid.IntRange(0, 20).Draw(t, "when")) * time.Millisecond
			at(app, when, func() {
				if dag.Cancel(fmt.Sprintf("n%d", target)) == nil {
					cancelled = target
				}
			})
		}
		err = app.WorkScheduler().ExecuteWork(context.Background(), dag)
		if (err == nil) != (dag.State() == basicwork.Success) || (err != nil && !errors.Is(err, basicwork.ErrWorkFailed)) {
			t.Fatalf("DAGWork %s, ExecuteWork: %v", dag.State(), err)
		}
		if len(violations) > 0 {
			t.Fatal(violations)
		}
		all := true
		for i, w := range works {
			name := w.Name()
			st, _ := dag.NodeState(name)
			all = all && st == dagwork.Success
			if !st.IsTerminal() {
				t.Fatalf("%s ends %s", name, st)
			}
			s, started := startedAt[name]
			for _, j := range deps[i] {
				dn := works[j].Name()
				if started && (succeededAt[dn] == 0 || succeededAt[dn] > s) {
					t.Fatalf("%s started before its dependency %s succeeded", name, dn)
				}
			}
			switch st {
			case dagwork.Blocked:
				if started || baseOf(w).InternalState() != basicwork.InternalPending {
					t.Fatalf("blocked %s was started", name)
				}
				if !slices.ContainsFunc(deps[i], func(j int) bool {
					ds, _ := dag.NodeState(works[j].Name())
					return ds != dagwork.Success
				}) {
					t.Fatalf("blocked %s has every dependency successful", name)
				}
			case dagwork.Cancelled:
				if i != cancelled {
					t.Fatalf("%s cancelled, but the cancelled node is %d", name, cancelled)
				}
				if started && w.State() != basicwork.Aborted {
					t.Fatalf("cancelled %s ends %s", name, w.State())
				}
			case dagwork.Success, dagwork.Failed:
				wantOK := w.failFirst <= w.MaxRetries()
				if (st == dagwork.Success) != wantOK || !started {
					t.Fatalf("%s ends %s; its work %s after %d runs (fails %d, retries %d)",
						name, st, w.State(), w.runs, w.failFirst, w.MaxRetries())
				}
			}
		}
		if all != (dag.State() == basicwork.Success) {
			t.Fatalf("all nodes succeeded: %v, DAGWork %s", all, dag.State())
		}
	})
}
