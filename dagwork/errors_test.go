package dagwork_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

// TestDagworkErrors: every rejection of New and Cancel matches its sentinel
// with errors.Is, and its typed error with errors.As, naming the nodes.
func TestDagworkErrors(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	lw := func(name string) basicwork.Work { return newLogWork(app, name, &log) }

	t.Run("nil work", func(t *testing.T) {
		_, err := dagwork.New(app, "dag", []dagwork.Node{{Work: lw("a")}, {}})
		require.ErrorIs(t, err, basicwork.ErrNilWork)
		require.ErrorIs(t, err, basicwork.ErrNilWork)
		require.EqualError(t, err, "dagwork dag, node 1: Must provide valid work")
	})
	t.Run("duplicate name", func(t *testing.T) {
		_, err := dagwork.New(app, "dag", []dagwork.Node{{Work: lw("a")}, {Work: lw("b")}, {Work: lw("a")}})
		require.ErrorIs(t, err, dagwork.ErrDuplicateName)
		var de *dagwork.DuplicateNameError
		require.True(t, errors.As(err, &de))
		require.Equal(t, "a", de.Name)
		require.EqualError(t, err, `dagwork: duplicate node name "a"`)
	})
	t.Run("unknown dependency", func(t *testing.T) {
		_, err := dagwork.New(app, "dag", []dagwork.Node{{Work: lw("a")}, {Work: lw("b"), Deps: []string{"a", "x"}}})
		require.ErrorIs(t, err, dagwork.ErrUnknownDependency)
		var ue *dagwork.UnknownDependencyError
		require.True(t, errors.As(err, &ue))
		require.Equal(t, dagwork.UnknownDependencyError{Node: "b", Dependency: "x"}, *ue)
		require.EqualError(t, err, `dagwork: node "b" depends on unknown node "x"`)
	})
	t.Run("cycle", func(t *testing.T) {
		// root <- c -> d -> e -> c, and f behind the cycle.
		_, err := dagwork.New(app, "dag", []dagwork.Node{
			{Work: lw("f"), Deps: []string{"d"}},
			{Work: lw("root")},
			{Work: lw("e"), Deps: []string{"c"}},
			{Work: lw("d"), Deps: []string{"e"}},
			{Work: lw("c"), Deps: []string{"root", "d"}},
		})
		require.ErrorIs(t, err, dagwork.ErrCycle)
		var ce *dagwork.CycleError
		require.True(t, errors.As(err, &ce))
		require.Equal(t, []string{"e", "c", "d"}, ce.Cycle)
		require.EqualError(t, err, "dagwork: dependency cycle: e -> c -> d -> e")
	})
	t.Run("self dependency", func(t *testing.T) {
		_, err := dagwork.New(app, "dag", []dagwork.Node{{Work: lw("a")}, {Work: lw("s"), Deps: []string{"a", "s"}}})
		var ce *dagwork.CycleError
		require.True(t, errors.As(err, &ce))
		require.Equal(t, []string{"s"}, ce.Cycle)
		require.EqualError(t, err, "dagwork: dependency cycle: s -> s")
	})
	t.Run("max concurrency", func(t *testing.T) {
		for _, n := range []int{0, -1} {
			_, err := dagwork.New(app, "dag", nil, dagwork.WithMaxConcurrency(n))
			require.ErrorIs(t, err, dagwork.ErrInvalidMaxConcurrency)
		}
		_, err := dagwork.New(app, "dag", nil, dagwork.WithMaxConcurrency(0))
		require.EqualError(t, err, "dagwork: max concurrency must be at least 1, not 0")
	})
	t.Run("cancel", func(t *testing.T) {
		dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: lw("a")}, {Work: lw("b"), Deps: []string{"a"}}})
		require.NoError(t, err)
		err = dag.Cancel("zz")
		require.ErrorIs(t, err, dagwork.ErrUnknownNode)
		var un *dagwork.UnknownNodeError
		require.True(t, errors.As(err, &un))
		require.Equal(t, "zz", un.Name)
		require.EqualError(t, err, `dagwork: unknown node "zz"`)

		require.NoError(t, dag.Cancel("a"))
		err = dag.Cancel("b") // blocked by a
		require.ErrorIs(t, err, dagwork.ErrNodeDone)
		var nd *dagwork.NodeDoneError
		require.True(t, errors.As(err, &nd))
		require.Equal(t, dagwork.NodeDoneError{Name: "b", State: dagwork.Blocked}, *nd)
		require.EqualError(t, err, `dagwork: node "b" is already BLOCKED`)
	})
}

// TestLibraryErrors: the rejections of the other packages match their
// sentinels and typed errors, and keep the C++ texts.
func TestLibraryErrors(t *testing.T) {
	app, _ := newApp(t)
	leaf := func(name string) *testworks.BasicWork { return testworks.NewDefaultBasicWork(app, name) }

	t.Run("basicwork.ErrNilWork", func(t *testing.T) {
		_, err := conditionalwork.New(app, "c", func(basicwork.Application) bool { return true }, nil)
		require.ErrorIs(t, err, basicwork.ErrNilWork)
		require.ErrorIs(t, err, basicwork.ErrNilWork)
		require.EqualError(t, err, "Must provide valid work")
		_, err = worksequence.New(app, "s", []basicwork.Work{leaf("x"), nil})
		require.ErrorIs(t, err, basicwork.ErrNilWork)
		require.ErrorIs(t, err, basicwork.ErrNilWork)
		require.ErrorIs(t, testworks.NewWork(app, "p").AddWork(nil), basicwork.ErrNilWork)
	})
	t.Run("basicwork.ErrNilCallback", func(t *testing.T) {
		_, err := basicwork.NewWorkWithCallback(app, "cb", nil)
		require.ErrorIs(t, err, basicwork.ErrNilCallback)
		require.EqualError(t, err, "Must provide a valid function. Use BasicWork if a callback is not needed.")
	})
	t.Run("conditionalwork.ErrNilCondition", func(t *testing.T) {
		_, err := conditionalwork.New(app, "c", nil, leaf("x"))
		require.ErrorIs(t, err, conditionalwork.ErrNilCondition)
		require.EqualError(t, err, "Must provide valid condition function. Use BasicWork if condition is not needed.")
	})
	t.Run("basicwork.InvariantError", func(t *testing.T) {
		w := testworks.NewBasicWork(app, "done", false, 1, basicwork.RetryNever)
		require.NoError(t, app.WorkScheduler().ExecuteWork(context.Background(), w))
		err := catch(w.CrankWork)
		require.ErrorIs(t, err, basicwork.ErrInvariant)
		var inv *basicwork.InvariantError
		require.True(t, errors.As(err, &inv))
		require.Equal(t, "done", inv.Name)
		require.EqualError(t, err, "BasicWork error: cannot crank done in state WORK_SUCCESS")
	})
	t.Run("basicwork.TransitionError", func(t *testing.T) {
		w := &returnsAborted{}
		w.Init(app, "bad", basicwork.RetryNever, w)
		w.StartWork(nil)
		err := catch(w.CrankWork)
		require.ErrorIs(t, err, basicwork.ErrIllegalTransition)
		var te *basicwork.TransitionError
		require.True(t, errors.As(err, &te))
		require.Equal(t, basicwork.Transition{From: basicwork.InternalRunning, To: basicwork.InternalAborted}, te.Transition)
		require.EqualError(t, err, "BasicWork error: illegal state transition WORK_RUNNING -> WORK_ABORTED")
	})
	t.Run("work.AbortingError", func(t *testing.T) {
		p := testworks.NewWork(app, "parent")
		p.StartWork(nil)
		p.Shutdown()
		err := p.AddWork(leaf("late"))
		require.ErrorIs(t, err, work.ErrAborting)
		var ae *work.AbortingError
		require.True(t, errors.As(err, &ae))
		require.Equal(t, "parent", ae.Name)
		require.EqualError(t, err, "parent is being aborted!")
	})
	t.Run("batchwork.ErrDuplicate", func(t *testing.T) {
		b := &dupBatch{}
		b.Init(app, "batch", basicwork.RetryNever, b)
		b.StartWork(nil)
		err := catch(b.CrankWork)
		require.ErrorIs(t, err, batchwork.ErrDuplicate)
		require.EqualError(t, err, "BatchWork error: inserting duplicate work!")
	})
	t.Run("scheduler.ErrNotScheduled", func(t *testing.T) {
		app2 := scheduler.NewApp(vclock.New(vclock.VirtualTime))
		app2.WorkScheduler().Shutdown()
		err := app2.WorkScheduler().ExecuteWork(context.Background(), testworks.NewDefaultBasicWork(app2, "late"))
		require.ErrorIs(t, err, scheduler.ErrNotScheduled)
	})
	t.Run("vclock.ErrOperationAborted", func(t *testing.T) {
		var got error
		tm := vclock.NewTimer(app.Clock())
		tm.ExpiresFromNow(1)
		tm.AsyncWait(func(err error) { got = err })
		tm.Cancel()
		require.ErrorIs(t, got, vclock.ErrOperationAborted)
	})
}

// returnsAborted returns a state OnRun must not return.
type returnsAborted struct{ basicwork.BasicWork }

func (w *returnsAborted) OnRun() basicwork.State { return basicwork.Aborted }
func (w *returnsAborted) OnAbort() bool          { return true }

// dupBatch yields two children of the same name.
type dupBatch struct {
	batchwork.BatchWork
	n int
}

func (b *dupBatch) HasNext() bool { return b.n < 2 }
func (b *dupBatch) ResetIter()    { b.n = 0 }
func (b *dupBatch) YieldMoreWork() basicwork.Work {
	b.n++
	return testworks.NewDefaultBasicWork(b.App(), "same")
}

// catch runs f and returns the error it panicked with.
func catch(f func()) (err error) {
	defer func() { err, _ = recover().(error) }()
	f()
	return nil
}

// uninitWork is a work whose Init is never called.
type uninitWork struct{ basicwork.BasicWork }

func (*uninitWork) OnRun() basicwork.State { return basicwork.Success }
func (*uninitWork) OnAbort() bool          { return true }

// TestNewUninitNodePanics: New refuses a node whose work's Init was not
// called, naming the DAG and the node, as worksequence.New does. Before, it
// was accepted and the DAG panicked on every few cranks for ever, trying
// to start it.
func TestNewUninitNodePanics(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	a := newLogWork(app, "a", &log)
	var v any
	func() {
		defer func() { v = recover() }()
		_, _ = dagwork.New(app, "dag", []dagwork.Node{{Work: a}, {Work: &uninitWork{}, Deps: []string{"a"}}})
	}()
	err, _ := v.(error)
	require.ErrorIs(t, err, basicwork.ErrNotInitialised)
	require.EqualError(t, err, "basicwork: dagwork.New dag, node 1 on a *dagwork_test.uninitWork whose Init was not called: call Init(app, name, maxRetries, self) before using the work")
}
