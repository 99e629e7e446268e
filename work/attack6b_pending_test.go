package work_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// TestAttack6bPendingWorkUnderItsDoneChild: x, never started, holds l,
// which is done (cranked by hand). l adding x back is refused, as the
// cycle check sees x among l's registered parents, and nothing changes: x
// stays PENDING holding l, l stays done under x, and the listener saw
// only the paths of the first add.
//
// This is a refusal the C++ and the tree before the check (9c8ab7a~1)
// do not make: there, x's start resets it first (PENDING to RUNNING, no
// listener call in between), which drops l, all of whose children are
// done, so the tree ends as l/x with no loop at any point. The check
// cannot know that x's reset will drop the link it finds; this test pins
// that the refusal, at least, changes nothing.
func TestAttack6bPendingWorkUnderItsDoneChild(t *testing.T) {
	_, app, paths := a6bListenedApp()
	x := &cycleWork{}
	x.Init(app, "x", basicwork.RetryNever, x)
	l := &cycleWork{}
	l.Init(app, "l", basicwork.RetryNever, l)
	require.NoError(t, x.AddWork(l)) // x is PENDING: l starts under it
	l.CrankWork()                    // no children: l succeeds
	require.Equal(t, basicwork.Success, l.State())
	before := append([]string(nil), *paths...)
	// The scheduler's two moves as the application is made, then l's
	// PENDING->RUNNING and RUNNING->SUCCESS.
	require.Equal(t, []string{"work-scheduler", "work-scheduler", "x/l", "x/l"}, before)

	require.Equal(t, `basicwork: AddWork of a child: "x" is "l" or one of its parents, so the tree would loop`,
		recoveredValue(func() { _ = l.AddWork(x) }))
	require.Equal(t, basicwork.InternalPending, x.InternalState())
	require.Equal(t, "x", basicwork.PathOf(x))
	require.Equal(t, "x/l", basicwork.PathOf(l))
	require.Len(t, x.Children(), 1)
	require.Empty(t, l.Children())
	require.Equal(t, basicwork.Success, l.State())
	require.Equal(t, before, *paths)
}
