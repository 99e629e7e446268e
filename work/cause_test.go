package work_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

var errDisk = errors.New("disk full")

// diskLeaf records errDisk as the cause of its failure and fails.
type diskLeaf struct{ basicwork.BasicWork }

func newDiskLeaf(app basicwork.Application, name string) *diskLeaf {
	w := &diskLeaf{}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *diskLeaf) OnRun() basicwork.State {
	w.SetFailureCause(errDisk)
	return basicwork.Failure
}
func (w *diskLeaf) OnAbort() bool { return true }

// TestGroupFailureCauseIsTheChildsError (review M7, "failure causes stop at
// the first composite"): a Group fails because its child failed, having
// recorded a cause. ExecuteWork's error names the Group, and errors.Is and
// errors.As reach the child's *basicwork.WorkError and its cause. Before,
// the Group's cause was nil and errors.Is(err, errDisk) false.
func TestGroupFailureCauseIsTheChildsError(t *testing.T) {
	app := newApp()
	leaf := newDiskLeaf(app, "leaf")
	ok := testworks.NewDefaultBasicWork(app, "ok")
	g := work.NewGroup(app, "g", basicwork.RetryNever, ok, leaf)
	err := app.WorkScheduler().ExecuteWork(t.Context(), g)
	require.ErrorIs(t, err, basicwork.ErrWorkFailed)
	require.ErrorIs(t, err, errDisk)
	var we *basicwork.WorkError
	require.True(t, errors.As(err, &we))
	require.Equal(t, "g", we.Name)
	var child *basicwork.WorkError
	require.True(t, errors.As(we.Cause, &child))
	require.Equal(t, "leaf", child.Name)
	require.Equal(t, basicwork.InternalFailure, child.State)
	require.Equal(t, errDisk, child.Cause)
}

// TestFailureCauseThroughEveryComposite: the cause goes up through a
// ConditionalWork, a WorkSequence and a Group on the way, each recording
// the error of the work below it.
func TestFailureCauseThroughEveryComposite(t *testing.T) {
	app := newApp()
	leaf := newDiskLeaf(app, "leaf")
	cond, err := conditionalwork.New(app, "cond", func(basicwork.Application) bool { return true }, leaf)
	require.NoError(t, err)
	seq, err := worksequence.New(app, "seq", []basicwork.Work{cond})
	require.NoError(t, err)
	g := work.NewGroup(app, "g", basicwork.RetryNever, seq)
	err = app.WorkScheduler().ExecuteWork(t.Context(), g)
	require.ErrorIs(t, err, errDisk)
	var names []string
	for e := err; e != nil; {
		var we *basicwork.WorkError
		if !errors.As(e, &we) {
			break
		}
		names = append(names, we.Name)
		e = we.Cause
	}
	require.Equal(t, []string{"g", "seq", "cond", "leaf"}, names)
}

// afterChildren adds its children at its first DoWork, runs while one of
// them runs, then fails, whatever they did.
type afterChildren struct {
	work.Work
	kids  []basicwork.Work
	added bool
}

func (w *afterChildren) DoWork() basicwork.State {
	if !w.added {
		w.added = true
		for _, c := range w.kids {
			if err := w.AddWork(c); err != nil {
				panic(err)
			}
		}
	}
	if w.AnyChildRunning() {
		return basicwork.Running
	}
	return basicwork.Failure
}

// TestFailureCauseOfADroppedChild: the child that failed first is the
// cause even once the round-robin walk has dropped it from its slot,
// which it does while a sibling still runs (the parent remembers it from
// its notice).
func TestFailureCauseOfADroppedChild(t *testing.T) {
	app := newApp()
	slow := testworks.NewStepWork(app, "slow", 5)
	w := &afterChildren{kids: []basicwork.Work{newDiskLeaf(app, "leaf"), slow}}
	w.Init(app, "parent", basicwork.RetryNever, w)
	err := app.WorkScheduler().ExecuteWork(t.Context(), w)
	require.ErrorIs(t, err, errDisk)
	require.Equal(t, 2, w.DoneChildren(), "both children were dropped before the parent failed")
}
