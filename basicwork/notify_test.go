package basicwork_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/stellarwork/stellarwork/basicwork"
)

// waitingPair returns a parent p, Waiting, and a child c that p registered
// in slot 0 and started with start, then cranked to Waiting.
func waitingPair(t *testing.T, start func(c, p *probe)) (c, p *probe) {
	t.Helper()
	app, _ := newTestApp(t, nil)
	app.logger = zap.NewNop() // a composite's plain start is made with logging off
	p = newProbe(app, "p", basicwork.RetryNever)
	p.StartWork(nil)
	c = newProbe(app, "c", basicwork.RetryNever)
	tree.SetParent(c, &p.BasicWork, 0)
	start(c, p)
	c.crankAs(basicwork.Waiting)
	p.crankAs(basicwork.Waiting)
	require.Equal(t, basicwork.Waiting, c.State())
	require.Equal(t, basicwork.Waiting, p.State())
	return c, p
}

// TestNotifyParentsSharedWakeUp: a child started with its registered
// parent's shared wake-up (kept as a flag, not as the callback) wakes the
// parent when it wakes up, whether it was started by StartWork or by a
// composite's plain start (tree.StartAdded); a callback of another kind is
// called itself; and a restart replaces the callback of the start before.
func TestNotifyParentsSharedWakeUp(t *testing.T) {
	starts := map[string]func(c, p *probe){
		"StartWork": func(c, p *probe) { c.StartWork(p.WakeSelfUpCallback(nil)) },
		"StartAdded": func(c, p *probe) {
			started, listenerPanic := tree.StartAdded(&c.BasicWork, &p.BasicWork, p.WakeSelfUpCallback(nil), true)
			require.True(t, started)
			require.Nil(t, listenerPanic)
		},
	}
	for name, start := range starts {
		t.Run(name, func(t *testing.T) {
			c, p := waitingPair(t, start)
			c.WakeUp(nil)
			require.Equal(t, basicwork.Running, c.State())
			require.Equal(t, basicwork.Running, p.State(), "the child's wake-up reaches its parent")
		})
	}

	t.Run("own callback, then a restart with the shared one", func(t *testing.T) {
		calls := 0
		c, p := waitingPair(t, func(c, _ *probe) { c.StartWork(func() { calls++ }) })
		c.WakeUp(nil)
		require.Equal(t, 1, calls)
		require.Equal(t, basicwork.Waiting, p.State(), "only the callback given hears of it")

		c.crankAs(basicwork.Success)
		c.StartWork(p.WakeSelfUpCallback(nil))
		c.crankAs(basicwork.Waiting)
		c.WakeUp(nil)
		require.Equal(t, 1, calls, "the restart replaced the callback")
		require.Equal(t, basicwork.Running, p.State())
	})

	t.Run("the shared wake-up of another work is a callback like any", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		other := newProbe(app, "other", basicwork.RetryNever)
		other.StartWork(nil)
		other.crankAs(basicwork.Waiting)
		c, p := waitingPair(t, func(c, _ *probe) { c.StartWork(other.WakeSelfUpCallback(nil)) })
		c.WakeUp(nil)
		require.Equal(t, basicwork.Running, other.State())
		require.Equal(t, basicwork.Waiting, p.State())
	})
}

// TestReleaseKeepsNotify: a child unregistered from the parent that
// started it, while it may still wake up (it waits), still wakes that
// parent, as the callback it was started with would.
func TestReleaseKeepsNotify(t *testing.T) {
	c, p := waitingPair(t, func(c, p *probe) { c.StartWork(p.WakeSelfUpCallback(nil)) })
	tree.Release(&c.BasicWork, &p.BasicWork, 0)
	parent, _ := c.ParentForTest()
	require.Nil(t, parent)
	c.WakeUp(nil)
	require.Equal(t, basicwork.Running, p.State())
}
