package vclock_test

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/internal/vclockhook"
	"github.com/stellarwork/stellarwork/vclock"
)

// TestCrankGivesClockBackLast cranks one virtual clock from two goroutines
// at once, each recovering the guard's refusal (vclock.ErrCrankMisuse) and
// trying again, while an action posts itself again through the clock's Self
// on every run, the first goroutine posts to a queue "first" every other
// crank (so that, on the cranks between, the Self's post is left to the
// clock and given back in its own swap) and a third goroutine posts to
// "other" right after each run of the action, at delays that sweep the end
// of the crank. The guard lets one Crank at a time own the clock: a crank
// that gives the clock back in a swap must touch nothing of the clock's
// after it, not even its own flag saying that it gave it back, which the
// next owner's Crank writes (a data race for -race; and with the flag
// overwritten, a Crank that returned without giving the clock back, which
// would then refuse every Crank for ever). After the goroutines stop, the
// clock still cranks and every post ran once. Only -race with more than
// one processor sees the race reliably.
func TestCrankGivesClockBackLast(t *testing.T) {
	c := newVirtual()
	self := vclockhook.SelfOf(c)
	var runs atomic.Int64
	selfFn := func() {
		self.Running = true
		runs.Add(1)
		self.Running = false
		self.Posted = true
	}
	self.Fn, self.Name, self.Typ = selfFn, "self", vclock.NormalAction
	self.Unwound = func() {}
	c.PostActionOnCrank(selfFn, "self", vclock.NormalAction)

	// tryCrank cranks once unless another goroutine's crank runs.
	tryCrank := func() {
		if v := panicValue(func() { c.Crank(false) }); v != nil {
			if err, ok := v.(error); !ok || !errors.Is(err, vclock.ErrCrankMisuse) {
				panic(v)
			}
		}
	}
	var posted, ran atomic.Int64
	post := func(name string) {
		posted.Add(1)
		c.PostAction(func() { ran.Add(1) }, name, vclock.NormalAction)
	}
	iterations := 20000
	if long() {
		iterations = 500000
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		seen := runs.Load()
		for delay := 0; !stop.Load(); delay = (delay + 7) % 61 {
			// Wait for the action's next run, then post after a delay.
			for spins := 0; runs.Load() == seen && !stop.Load(); spins++ {
				if spins%64 == 63 {
					runtime.Gosched()
				}
			}
			seen = runs.Load()
			for range delay {
				runs.Load()
			}
			post("other")
		}
	})
	wg.Go(func() {
		for !stop.Load() {
			tryCrank()
		}
	})
	for i := range iterations {
		if i%2 == 0 {
			post("first")
		}
		tryCrank()
	}
	stop.Store(true)
	wg.Wait()
	require.NotZero(t, runs.Load(), "the action ran")
	// The cranks refused leave a backlog, which about a hundred actions
	// per crank clear.
	for i := 0; i < iterations && ran.Load() < posted.Load(); i++ {
		require.NotPanics(t, func() { c.Crank(false) }, "the clock was given back")
	}
	require.Equal(t, posted.Load(), ran.Load(), "every post ran once")
	c.Shutdown()
}
