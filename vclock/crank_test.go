package vclock_test

// Crank counts of small hand-built situations. Each expected number is
// derived from the steps of one crank, as docs/TRACES.md ("Cranks") lists
// them:
//
//	1. I/O: run wake-up handlers (at most 99, at most 500 ms of clock time),
//	2. actions: run scheduled actions (same limits),
//	3. timers: only if nothing ran and no action is pending, jump to the
//	   earliest event and pop every event due then,
//	4. transfer: move pending actions into the scheduler,
//	5. block (only if asked, and only if nothing at all happened),
//	6. add the outstanding background work.
//
// A post queues a wake-up handler only when it finds the pending queue
// empty. Every handler run, action run, event popped and action moved
// counts 1.

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/vclock"
)

func newVirtual() *vclock.Clock { return vclock.New(vclock.VirtualTime) }

// arm returns a fresh timer on c due in d, whose single wait appends its
// error to *got.
func arm(c *vclock.Clock, d time.Duration, got *[]error) *vclock.Timer {
	tm := vclock.NewTimer(c)
	tm.ExpiresFromNow(d)
	tm.AsyncWait(func(err error) { *got = append(*got, err) })
	return tm
}

func TestCrankIdleClockWithOneTimer(t *testing.T) {
	c := newVirtual()
	var got []error
	arm(c, 250*time.Millisecond, &got)

	// 1: no handler. 2: no action. 3: nothing ran and nothing is pending,
	// so time jumps to 250 ms and the one event is popped and fired (1).
	// 4: nothing to move. Total 1.
	require.Equal(t, 1, c.Crank(true))
	require.Equal(t, 250*time.Millisecond, c.Elapsed())
	require.Equal(t, []error{nil}, got)

	// Nothing is left: a crank that does not block finds nothing.
	_, ok := c.Next()
	require.False(t, ok)
	require.Equal(t, 0, c.Crank(false))
	require.Equal(t, 250*time.Millisecond, c.Elapsed())
}

func TestCrankPostedAction(t *testing.T) {
	c := newVirtual()
	ran := 0
	c.PostAction(func() { ran++ }, "a", vclock.NormalAction)
	require.Equal(t, 1, c.ActionQueueSize())

	// Crank 1. 1: the post found the pending queue empty and queued a
	// wake-up handler, which runs (1). 2: the action is still pending, not
	// in the scheduler (0). 3: skipped, something ran. 4: the action moves
	// (1). Total 2, and the action has not run.
	require.Equal(t, 2, c.Crank(true))
	require.Zero(t, ran)
	require.Equal(t, 1, c.ActionQueueSize())

	// Crank 2. 1: no handler. 2: the action runs (1). 4: nothing pending.
	// Total 1.
	require.Equal(t, 1, c.Crank(true))
	require.Equal(t, 1, ran)
	require.Zero(t, c.ActionQueueSize())

	require.Equal(t, 0, c.Crank(false))
}

func TestCrankActionPostingAnother(t *testing.T) {
	c := newVirtual()
	var order []string
	c.PostAction(func() {
		order = append(order, "a")
		c.PostAction(func() { order = append(order, "b") }, "a", vclock.NormalAction)
	}, "a", vclock.NormalAction)

	// Crank 1: wake-up (1) + move a (1) = 2.
	require.Equal(t, 2, c.Crank(true))
	require.Empty(t, order)

	// Crank 2. 2: a runs (1) and posts b. The pending queue was empty, so
	// that post queues a wake-up, but b waits in the pending queue: the
	// action step never sees it. 4: b moves (1). Total 2; b has not run.
	require.Equal(t, 2, c.Crank(true))
	require.Equal(t, []string{"a"}, order)

	// Crank 3. 1: b's wake-up runs (1). 2: b runs (1). Total 2.
	require.Equal(t, 2, c.Crank(true))
	require.Equal(t, []string{"a", "b"}, order)

	require.Equal(t, 0, c.Crank(false))
}

func TestCrankSelfRepostingAction(t *testing.T) {
	// The WorkScheduler's pattern: an action that posts itself again.
	c := newVirtual()
	left := 4
	var step func()
	step = func() {
		if left--; left > 0 {
			c.PostAction(step, "self", vclock.NormalAction)
		}
	}
	c.PostAction(step, "self", vclock.NormalAction)

	var got []int
	for p := c.Crank(false); p > 0; p = c.Crank(false) {
		got = append(got, p)
	}
	// 1st: wake-up + move = 2. 2nd: run (which re-posts and queues a
	// wake-up) + move = 2. 3rd and 4th: wake-up + run + move = 3. 5th: the
	// last run posts nothing: wake-up + run = 2.
	require.Equal(t, []int{2, 2, 3, 3, 2}, got)
	require.Zero(t, left)
}

func TestCrankStepLimitOf99(t *testing.T) {
	t.Run("actions", func(t *testing.T) {
		c := newVirtual()
		const total = 150
		var ran []int
		for i := range total {
			c.PostAction(func() { ran = append(ran, i) }, "bulk", vclock.NormalAction)
		}
		// Crank 1. Only the first post found the pending queue empty:
		// one wake-up (1). The scheduler is empty (0). All 150 move
		// (150). Total 151.
		require.Equal(t, 151, c.Crank(true))
		require.Empty(t, ran)
		// Crank 2. The action step counts before each run and stops when
		// the count reaches 100: 99 run.
		require.Equal(t, 99, c.Crank(true))
		require.Len(t, ran, 99)
		// Crank 3: the other 51.
		require.Equal(t, 51, c.Crank(true))
		require.Len(t, ran, total)
		for i, v := range ran {
			require.Equal(t, i, v, "actions of one queue run in posting order")
		}
		require.Equal(t, 0, c.Crank(false))
	})

	t.Run("wake-up handlers", func(t *testing.T) {
		// Each finished background work queues one wake-up handler, so
		// this queues 150 of them.
		c := newVirtual()
		for range 150 {
			c.NewBackgroundWork()
			c.FinishedBackgroundWork()
		}
		require.Zero(t, c.BackgroundWorkCount())
		// The I/O step has the same limit: 99, then the other 51.
		require.Equal(t, 99, c.Crank(false))
		require.Equal(t, 51, c.Crank(false))
		require.Equal(t, 0, c.Crank(false))
	})
}

func TestCrankTimeSliceOf500ms(t *testing.T) {
	c := newVirtual()
	var got []error
	arm(c, 300*time.Millisecond, &got)
	var ranAt []time.Duration
	for range 5 {
		c.PostAction(func() {
			ranAt = append(ranAt, c.Elapsed())
			c.SleepFor(200 * time.Millisecond)
		}, "slow", vclock.NormalAction)
	}

	// Crank 1: one wake-up (1) + 5 moved (5) = 6. No timer step, as
	// something ran.
	require.Equal(t, 6, c.Crank(true))

	// Crank 2. The action step starts at 0 with its limit at 500 ms: it
	// runs at 0 (to 200), at 200 (to 400) and at 400 (to 600); at 600 the
	// limit stops it. 3 ran; the timer step is skipped although the timer
	// (300 ms) is now overdue.
	require.Equal(t, 3, c.Crank(true))
	require.Equal(t, 600*time.Millisecond, c.Elapsed())
	require.Empty(t, got)

	// Crank 3. Limit 1100 ms: runs at 600 and 800, then finds nothing. 2.
	require.Equal(t, 2, c.Crank(true))
	require.Equal(t, 1000*time.Millisecond, c.Elapsed())
	require.Equal(t, []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond,
		600 * time.Millisecond, 800 * time.Millisecond}, ranAt)

	// Crank 4. Idle: the timer step pops the overdue event (1) without
	// moving time, which only ever jumps forward.
	require.Equal(t, 1, c.Crank(true))
	require.Equal(t, 1000*time.Millisecond, c.Elapsed())
	require.Equal(t, []error{nil}, got)
}

func TestTimerJumpSuppressedByBackgroundWork(t *testing.T) {
	c := newVirtual()
	var got []error
	arm(c, time.Second, &got)

	c.NewBackgroundWork()
	// Nothing ran, but background work is outstanding: no jump. The crank
	// sleeps 1 ms of wall time and adds the outstanding work (1). Total 1.
	require.Equal(t, 1, c.Crank(false))
	require.Zero(t, c.Elapsed())
	require.Empty(t, got)

	// Finishing queues a wake-up handler: the next crank runs it (1), so
	// it still does not jump.
	c.FinishedBackgroundWork()
	require.Equal(t, 1, c.Crank(false))
	require.Zero(t, c.Elapsed())
	require.Empty(t, got)

	// Now idle: jump and fire (1).
	require.Equal(t, 1, c.Crank(false))
	require.Equal(t, time.Second, c.Elapsed())
	require.Equal(t, []error{nil}, got)

	require.Panics(t, c.FinishedBackgroundWork, "finishing more than was started")
}

func TestBlockingCrankReturnsOnPostFromAnotherGoroutine(t *testing.T) {
	c := newVirtual()
	done := blockingCrank(t, c)

	ran := false
	c.PostAction(func() { ran = true }, "late", vclock.NormalAction)
	// The crank had found nothing, so it blocked after its transfer step;
	// the post's wake-up handler ends the wait and counts 1. The action
	// itself stays pending.
	select {
	case p := <-done:
		require.Equal(t, 1, p)
	case <-time.After(10 * time.Second):
		t.Fatal("the blocked crank did not return after a post")
	}
	require.False(t, ran)
	require.Equal(t, 1, c.ActionQueueSize())

	// Next crank: move it (1); the one after: run it (1).
	require.Equal(t, 1, c.Crank(true))
	require.Equal(t, 1, c.Crank(true))
	require.True(t, ran)
}

func TestTimerJumpSuppressedByPendingAction(t *testing.T) {
	// The one way to reach the timer step with nothing run and an action
	// pending: the action was posted while the crank blocked, so its
	// wake-up was spent ending the block and the action was never moved.
	c := newVirtual()
	done := blockingCrank(t, c)
	ran := false
	c.PostAction(func() { ran = true }, "late", vclock.NormalAction)
	require.Equal(t, 1, <-done)

	var got []error
	arm(c, time.Second, &got)

	// 1: the wake-up is spent (0). 2: the action is pending, not in the
	// scheduler (0). 3: nothing ran, but an action is pending: no jump.
	// 4: the action moves (1). Total 1.
	require.Equal(t, 1, c.Crank(false))
	require.Zero(t, c.Elapsed())
	require.Empty(t, got)
	require.False(t, ran)

	// The action runs (1): no jump either.
	require.Equal(t, 1, c.Crank(false))
	require.True(t, ran)
	require.Empty(t, got)

	// Idle at last: jump and fire (1).
	require.Equal(t, 1, c.Crank(false))
	require.Equal(t, time.Second, c.Elapsed())
	require.Equal(t, []error{nil}, got)
}

func TestPostActionFromManyGoroutines(t *testing.T) {
	c := newVirtual()
	const goroutines, each = 8, 250
	next := make([]int, goroutines) // touched on the crank goroutine only
	var outOfOrder []string
	ran := 0

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("poster-%d", g)
			for i := range each {
				c.PostAction(func() {
					if next[g] != i {
						outOfOrder = append(outOfOrder, fmt.Sprintf("%s: %d before %d", name, i, next[g]))
					}
					next[g] = i + 1
					ran++
				}, name, vclock.NormalAction)
			}
		}()
	}
	// Blocking cranks: whenever nothing is left, the crank waits for the
	// next post.
	for cranks := 0; ran < goroutines*each; cranks++ {
		require.Less(t, cranks, 100000)
		c.Crank(true)
	}
	wg.Wait()
	require.Empty(t, outOfOrder)
	require.Equal(t, goroutines*each, ran)
	require.Equal(t, 0, c.Crank(false))
}
