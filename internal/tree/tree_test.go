package tree_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/tree"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type leaf struct{ basicwork.BasicWork }

func (l *leaf) OnRun() basicwork.State { return basicwork.Success }
func (l *leaf) OnAbort() bool          { return true }

func newLeaf(app basicwork.Application, name string) *leaf {
	l := &leaf{}
	l.Init(app, name, basicwork.RetryNever, l)
	return l
}

// TestOneRecord: a leaf declares no children; a sequence declares all its
// works from Init on, a Work those it holds; a child's parent is the
// composite that started it until it drops the child, and PathOf reads the
// same record.
func TestOneRecord(t *testing.T) {
	tr := tree.Get[basicwork.Work, *basicwork.BasicWork]()
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	a, b := newLeaf(app, "a"), newLeaf(app, "b")
	require.Empty(t, slices.Collect(tr.Children(a)))

	seq, err := worksequence.New(app, "seq", []basicwork.Work{a, b})
	require.NoError(t, err)
	require.Equal(t, []basicwork.Work{a, b}, slices.Collect(tr.Children(seq)))
	p, _ := tr.Parent(a)
	require.Nil(t, p, "not started: no parent yet")

	g := work.NewGroup(app, "group", basicwork.RetryNever, seq)
	require.Empty(t, slices.Collect(tr.Children(g)), "a Group adds its children on its first run")
	// A sequence cranks its works itself and shows their status; a Work
	// cranks its children round robin and has its own.
	require.True(t, tr.Cranks(seq))
	require.False(t, tr.Cranks(g))
	require.False(t, tr.Cranks(a))
	app.WorkScheduler().ScheduleWork(g)
	for !g.IsDone() {
		app.Clock().Crank(false)
	}
	require.Equal(t, basicwork.Success, g.State())
	p, slot := tr.Parent(b)
	require.Same(t, tr.Base(seq), p)
	require.Equal(t, 1, slot)
	// The group dropped seq when it succeeded, as the C++ clears its
	// children, and unregistered itself; the sequence keeps its works.
	p, _ = tr.Parent(seq)
	require.Nil(t, p)
	require.Equal(t, "seq/b", basicwork.PathOf(b))
}
