package vclockhook_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/stellarwork/stellarwork/internal/vclockhook"
	"github.com/stellarwork/stellarwork/vclock"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestHooksReachTheClock: once vclock is linked in, both hooks work on a
// clock: Next sees the armed timer, and a post from the crank goroutine runs
// on the same crank as PostAction's would (the wake-up and the move, then
// the action). Registering again panics.
func TestHooksReachTheClock(t *testing.T) {
	c := vclock.New(vclock.VirtualTime)
	_, ok := vclockhook.Next(c)
	require.False(t, ok)
	tm := vclock.NewTimer(c)
	tm.ExpiresFromNow(time.Second)
	tm.AsyncWait(vclock.OnFailureNoop)
	next, ok := vclockhook.Next(c)
	require.True(t, ok)
	require.Equal(t, c.Now().Add(time.Second), next)

	ran := false
	vclockhook.PostActionOnCrank(c, func() { ran = true }, "a", vclock.NormalAction)
	require.Equal(t, 2, c.Crank(false))
	require.False(t, ran)
	require.Equal(t, 1, c.Crank(false))
	require.True(t, ran)

	require.PanicsWithValue(t, "vclockhook: Register called twice", func() { vclockhook.Register(nil, nil) })
}
