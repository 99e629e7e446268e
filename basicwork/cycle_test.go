package basicwork_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// TestSetParentRefusesAnAncestor: the registration the composites other
// than Work use (a sequence's, a conditional work's, a DAG node's) refuses
// to put a work under itself or under one of its descendants, before it
// changes anything; a chain registered from the top down is not walked
// (see TestPathOfIsLinearInDepth for its cost).
func TestSetParentRefusesAnAncestor(t *testing.T) {
	app, _ := newTestApp(t, nil)
	a := newProbe(app, "a", basicwork.RetryNever)
	b := newProbe(app, "b", basicwork.RetryNever)
	c := newProbe(app, "c", basicwork.RetryNever)
	tree.SetParent(b, &a.BasicWork, 0)
	tree.SetParent(c, &b.BasicWork, 0)

	for _, tc := range []struct {
		child *probe
		under *probe
		want  string
	}{
		{a, c, `basicwork: SetParent: "a" is "c" or one of its parents, so the tree would loop`},
		{b, c, `basicwork: SetParent: "b" is "c" or one of its parents, so the tree would loop`},
		{b, b, `basicwork: SetParent: "b" is "b" or one of its parents, so the tree would loop`},
	} {
		require.Equal(t, tc.want, recovered(func() { tree.SetParent(tc.child, &tc.under.BasicWork, 1) }))
	}
	require.Equal(t, "a/b/c", basicwork.PathOf(c))
	pa, _ := a.ParentForTest()
	require.Nil(t, pa)

	// A work that was never a parent may go anywhere but under itself.
	d := newProbe(app, "d", basicwork.RetryNever)
	require.Equal(t, `basicwork: SetParent: "d" is "d" or one of its parents, so the tree would loop`,
		recovered(func() { tree.SetParent(d, &d.BasicWork, 0) }))
	tree.SetParent(d, &c.BasicWork, 0)
	require.Equal(t, "a/b/c/d", basicwork.PathOf(d))
}
