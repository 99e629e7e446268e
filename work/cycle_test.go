package work_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// cycleWork is a Work that succeeds once its children are done.
type cycleWork struct{ work.Work }

func (c *cycleWork) DoWork() basicwork.State {
	if c.AllChildrenDone() {
		return basicwork.Success
	}
	return basicwork.Running
}

// TestAddWorkRefusesAnAncestor: x, done, takes l as a child (AddWork on a
// done Work is allowed, as in C++); l then adding x back would make x its
// own grandparent. Before the check, the add registered x under l and
// started it, and every walk up from x (a transition listener's Path, say)
// went round for ever. Now AddWork panics, naming both works, before it
// changes anything.
func TestAddWorkRefusesAnAncestor(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	var paths []string
	app := scheduler.NewApp(clock, scheduler.WithTransitionListener(func(e basicwork.TransitionEvent) {
		paths = append(paths, e.Path())
	}))
	x := &cycleWork{}
	x.Init(app, "x", basicwork.RetryNever, x)
	l := &cycleWork{}
	l.Init(app, "l", basicwork.RetryNever, l)
	app.WorkScheduler().ScheduleWork(x)
	for !x.IsDone() {
		clock.Crank(true)
	}
	require.NoError(t, x.AddWork(l))
	require.Equal(t, basicwork.Running, l.State())

	v := recoveredValue(func() { _ = l.AddWork(x) })
	require.Equal(t, `basicwork: AddWork of a child: "x" is "l" or one of its parents, so the tree would loop`, v)
	require.Equal(t, basicwork.Success, x.State())
	require.Empty(t, l.Children())
	require.Equal(t, "work-scheduler/x/l", basicwork.PathOf(l))

	require.Contains(t, paths, "work-scheduler/x/l")
	// A done Work adding itself is refused the same way.
	require.Equal(t, `basicwork: AddWork of a child: "x" is "x" or one of its parents, so the tree would loop`,
		recoveredValue(func() { _ = x.AddWork(x) }))
	// l runs under x, which is done and so does not crank it: a crank
	// finds nothing to do, and refuses nothing.
	clock.Crank(false)
	require.Equal(t, basicwork.Running, l.State())
}
