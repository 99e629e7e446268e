package work_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/work"
)

// The work rows of docs/ROBUSTNESS.md.

func panicErr(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = v.(error)
		}
	}()
	f()
	return nil
}

// TestBadInputAddRunningChild is the regression test of the AddWork fix: a
// child that runs, waits or aborts elsewhere cannot be started, and AddWork
// panics with the illegal transition to WORK_PENDING, as the C++ throws,
// but before adding it: the parent's children, counts and round-robin are
// as they were, and the tree runs to the end when the caller recovers.
func TestBadInputAddRunningChild(t *testing.T) {
	app := newApp()
	a, b := testworks.NewWork(app, "a"), testworks.NewWork(app, "b")
	app.WorkScheduler().ScheduleWork(a)
	app.WorkScheduler().ScheduleWork(b)
	child := testworks.NewDefaultBasicWork(app, "child")
	require.NoError(t, a.AddWork(child))
	own := testworks.NewDefaultBasicWork(app, "own")
	require.NoError(t, b.AddWork(own))

	stray := testworks.NewDefaultBasicWork(app, "stray")
	stray.Shutdown() // never started: WORK_ABORTING
	for _, c := range []struct {
		w    basicwork.Work
		from string
	}{{child, "WORK_RUNNING"}, {stray, "WORK_ABORTING"}} {
		err := panicErr(func() { _ = b.AddWork(c.w) })
		require.ErrorIs(t, err, basicwork.ErrIllegalTransition)
		require.EqualError(t, err, "BasicWork error: illegal state transition "+c.from+" -> WORK_PENDING")
		require.Equal(t, 1, b.TotalChildren())
		require.Equal(t, []basicwork.Work{own}, b.Children())
	}
	require.Same(t, baseOf(a), testworks.ParentOf(child), "the child keeps its parent")
	for n := 0; !(a.IsDone() && b.IsDone()); n++ {
		require.Less(t, n, 1000)
		require.NotZero(t, app.Clock().Crank(false))
	}
	require.Equal(t, basicwork.Success, a.State())
	require.Equal(t, basicwork.Success, b.State())
	require.Equal(t, 3, child.RunningCount, "cranked by a only")
	require.Equal(t, 1, b.DoneChildren())
	require.Equal(t, 3, own.RunningCount)
}

// TestBadInputAddNilOrWhileAborting: AddWork refuses a nil child
// (ErrNilWork) and any child while the parent aborts (*AbortingError, the
// C++ text), leaving both untouched.
func TestBadInputAddNilOrWhileAborting(t *testing.T) {
	app := newApp()
	w := testworks.NewWork(app, "parent")
	app.WorkScheduler().ScheduleWork(w)
	require.ErrorIs(t, w.AddWork(nil), basicwork.ErrNilWork)
	require.ErrorIs(t, w.AddWorkWithCallback(func() {}, nil), basicwork.ErrNilWork)
	w.Shutdown()
	late := testworks.NewDefaultBasicWork(app, "late")
	err := w.AddWork(late)
	require.ErrorIs(t, err, work.ErrAborting)
	require.EqualError(t, err, "parent is being aborted!")
	require.Zero(t, w.TotalChildren())
	require.Equal(t, basicwork.InternalPending, baseOf(late).InternalState())
}
