package vclock_test

import (
	"io"
	"runtime/trace"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/internal/vclockhook"
	"github.com/stellarwork/stellarwork/vclock"
)

// TestPanicGivesClockBack: a panic out of user code in a crank gives the
// clock back on its way up, whichever code catches it (a virtual clock's
// Crank has no deferred function of its own: the action scheduler's
// bookkeeping after an action, and a guard around step 3's timers, give it
// back; a RealTime clock's Crank does), also while a runtime trace is
// recorded, and also when the end of a Self action that the panic skipped
// (Self.Unwound) panics in turn. After each panic the clock cranks on: a
// Crank that found the clock still held would panic with ErrCrankMisuse.
func TestPanicGivesClockBack(t *testing.T) {
	for _, mode := range []string{"virtual", "virtual traced", "real"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "virtual traced" {
				require.NoError(t, trace.Start(io.Discard))
				defer trace.Stop()
			}
			newClock := func() *vclock.Clock {
				if mode == "real" {
					return vclock.New(vclock.RealTime, vclock.WithWallClock(clock.NewMock()))
				}
				return vclock.New(vclock.VirtualTime)
			}

			// An action that panics, then one that runs.
			c := newClock()
			ran := false
			c.PostAction(func() { panic("action") }, "a", vclock.NormalAction)
			c.PostAction(func() { ran = true }, "a", vclock.NormalAction)
			require.Equal(t, "action", panicValue(func() {
				for {
					c.Crank(false)
				}
			}))
			for c.Crank(false) > 0 {
			}
			require.True(t, ran)

			// A Self action that panics, and its end (Unwound), which
			// panics too: that later panic goes up, and the clock is
			// given back all the same.
			c = newClock()
			self := vclockhook.SelfOf(c)
			runs := 0
			fn := func() {
				self.Running = true
				runs++
				panic("self")
			}
			self.Fn, self.Name, self.Typ = fn, "self", vclock.NormalAction
			self.Unwound = func() { panic("unwound") }
			c.PostAction(fn, "self", vclock.NormalAction)
			require.Equal(t, "unwound", panicValue(func() {
				for {
					c.Crank(false)
				}
			}))
			require.Equal(t, 1, runs)
			require.False(t, self.Running)
			for c.Crank(false) > 0 {
			}
			require.Zero(t, c.ActionQueueSize())

			if mode == "real" {
				return
			}
			// A timer callback that panics, in step 3 (an idle virtual
			// clock jumps to its timer), then one that fires.
			c = newClock()
			fired := 0
			for i := range 2 {
				tm := vclock.NewTimer(c)
				tm.ExpiresFromNow(time.Duration(i+1) * time.Second)
				tm.AsyncWait(func(error) {
					fired++
					if fired == 1 {
						panic("timer")
					}
				})
			}
			require.Equal(t, "timer", panicValue(func() { c.Crank(false) }))
			for c.Crank(false) > 0 {
			}
			require.Equal(t, 2, fired)
		})
	}
}
