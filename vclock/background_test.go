package vclock_test

// Background work: goroutines that post their results back onto the crank
// goroutine with PostAction, and the background-work count that keeps
// virtual time from jumping while such a goroutine is still working.

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/vclock"
)

// fanIn is the state of TestPostOnMainThreadFromManyGoroutines. Its plain
// fields are touched by the crank goroutine only: the crank loop sets and
// clears inCrank around each Crank, and the actions read it and update the
// rest. An action run on any other goroutine would find inCrank false, or be
// reported by the race detector for racing with the crank loop.
type fanIn struct {
	inCrank bool  // true exactly while the crank loop is inside Crank
	next    []int // per poster: the sequence number of its next action
	ran     int
	bad     int      // actions that ran outside Crank or out of order
	first   []string // the first few of those, for the failure message

	// done[g] is next[g], published for poster g's flow control: the one
	// field a poster reads.
	done []atomic.Int64
}

func (f *fanIn) fail(msg string) {
	f.bad++
	if len(f.first) < 10 {
		f.first = append(f.first, msg)
	}
}

// TestPostOnMainThreadFromManyGoroutines has 64 goroutines post 100,000
// actions each, each under its own queue name, to a RealTime clock on the
// real wall clock, while the test goroutine cranks with block set until all
// have run. Every action must run exactly once, inside Crank on the crank
// goroutine, and each poster's actions in the order it posted them.
//
// That is 6.4 million actions with STELLARWORK_LONG=1, and 320,000 (5,000
// each, still more than each poster's flow-control window of 2,048) in the
// normal run; see the log line for the time it takes.
func TestPostOnMainThreadFromManyGoroutines(t *testing.T) {
	const posters, window = 64, 2048
	each := 5_000
	if long() {
		each = 100_000
	}
	total := posters * each

	c := vclock.New(vclock.RealTime)
	st := &fanIn{next: make([]int, posters), done: make([]atomic.Int64, posters)}

	var wg sync.WaitGroup
	var postedAll time.Duration
	var postersLeft sync.WaitGroup
	postersLeft.Add(posters)
	start := time.Now()
	for g := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer postersLeft.Done()
			name := fmt.Sprintf("poster-%02d", g)
			for i := range each {
				// Flow control, as a real producer would have: at most
				// `window` of this poster's actions outstanding. Without
				// it the 64 posters starve the crank goroutine of the two
				// cores, post everything first and leave a backlog of
				// millions (about 1 GB under -race) to drain afterwards.
				if i%256 == 0 {
					for i-int(st.done[g].Load()) > window {
						time.Sleep(100 * time.Microsecond)
					}
				}
				c.PostAction(func() {
					if !st.inCrank {
						st.fail(fmt.Sprintf("%s: action %d ran outside Crank", name, i))
					}
					if st.next[g] != i {
						st.fail(fmt.Sprintf("%s: action %d ran when %d was due", name, i, st.next[g]))
					}
					st.next[g] = i + 1
					st.done[g].Store(int64(i + 1))
					st.ran++
				}, name, vclock.NormalAction)
			}
		}()
	}

	wg.Add(1)
	go func() { defer wg.Done(); postersLeft.Wait(); postedAll = time.Since(start) }()
	cranks := 0
	peak := 0
	for st.ran < total && st.bad == 0 {
		st.inCrank = true
		c.Crank(true)
		st.inCrank = false
		cranks++
		peak = max(peak, c.ActionQueueSize())
	}
	elapsed := time.Since(start)
	wg.Wait()

	require.Zero(t, st.bad, "%v", st.first)
	require.Equal(t, total, st.ran)
	require.LessOrEqual(t, peak, posters*(window+256))
	for g, n := range st.next {
		require.Equal(t, each, n, "poster %d", g)
	}
	// The clock is drained: every action ran, no poster is left, no timer
	// or background work exists. What a crank can still find is the
	// wake-ups (I/O handlers that run no code) that PostAction queued:
	// one whenever a post found the pending queue empty, so at most one
	// per transfer, that is per crank of the loop, plus one. The loop's
	// cranks need not have run them all: while the action scheduler is
	// overloaded, step 1's budget of 99 handlers halves each second, down
	// to none, and the last crank's actions end the overload only after
	// its step 1. Step 1 of each further crank runs at most 99 of them and
	// steps 2 to 6 find nothing, so the cranks return 99, ..., 99, then the
	// rest (1 to 99), then 0: a crank that ran fewer than 99 found no
	// more, unless it ran out of its time slice (500 ms, possible only on
	// a stalled machine).
	var extra []int
	for short := false; ; {
		t0 := time.Now()
		p := c.Crank(false)
		if short {
			require.Zero(t, p, "a crank after one that found no more wake-ups: %v", extra)
		}
		if p == 0 {
			break
		}
		extra = append(extra, p)
		require.LessOrEqual(t, p, 99, "more than step 1's budget of wake-ups in one crank")
		short = p < 99 && time.Since(t0) < vclock.CrankTimeSlice
		sum := 0
		for _, e := range extra {
			sum += e
		}
		require.LessOrEqual(t, sum, cranks+1, "more wake-ups than transfers: %v", extra)
	}
	// They ran nothing: no action, no timer; and the clock stays drained.
	require.Equal(t, total, st.ran)
	require.Zero(t, c.PendingTimers())
	require.Equal(t, 0, c.Crank(false))
	require.Zero(t, c.ActionQueueSize())
	stats := c.ActionScheduler().Stats()
	require.Equal(t, uint64(total), stats.ActionsEnqueued)
	require.Equal(t, uint64(total), stats.ActionsDequeued)
	require.Zero(t, stats.ActionsDroppedDueToOverload)
	t.Logf("%d goroutines x %d posts: %d actions in %v (%.0f actions/s), %d cranks; posting took %v; peak backlog %d; wake-ups left %v",
		posters, each, total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), cranks, postedAll, peak, extra)
}

func TestBackgroundWorkHoldsVirtualTime(t *testing.T) {
	// A worker goroutine computes a result and posts it back, as
	// stellar-core's background ledger apply does. A timer an hour away is
	// armed all along. While the work is outstanding, idle cranks must not
	// jump to the timer: the result arrives at virtual time 0, before the
	// timer fires, and only then does time jump.
	c := newVirtual()
	var events []string
	tm := vclock.NewTimer(c)
	tm.ExpiresFromNow(time.Hour)
	tm.AsyncWait(func(err error) {
		require.NoError(t, err)
		events = append(events, fmt.Sprintf("timer at %v", c.Elapsed()))
	})

	start := make(chan struct{})
	var wg sync.WaitGroup
	c.NewBackgroundWork()
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		sum := 0
		for i := range 1000 {
			sum += i
		}
		time.Sleep(10 * time.Millisecond) // some more "work"
		c.PostAction(func() {
			events = append(events, fmt.Sprintf("result %d at %v", sum, c.Elapsed()))
		}, "background-result", vclock.NormalAction)
		c.FinishedBackgroundWork()
	}()

	// The loop every test uses: crank until nothing progresses. While the
	// work is outstanding, each crank counts it (so the loop goes on),
	// sleeps 1 ms of wall time instead of spinning, and leaves time alone.
	cranks := 0
	for p := c.Crank(false); p > 0; p = c.Crank(false) {
		cranks++
		require.Less(t, cranks, 100_000)
		if len(events) == 0 {
			require.Zero(t, c.Elapsed(), "time moved while background work was outstanding")
		}
		if cranks == 20 {
			// The worker starts only now, so at least 20 cranks have
			// run with the work outstanding and nothing else to do.
			close(start)
		}
	}
	wg.Wait()
	require.Equal(t, []string{"result 499500 at 0s", "timer at 1h0m0s"}, events)
	require.Equal(t, time.Hour, c.Elapsed())
	require.Zero(t, c.BackgroundWorkCount())
}

func TestBlockingVirtualCrankWaitsForBackgroundWork(t *testing.T) {
	// With background work outstanding and nothing else to do, a blocking
	// virtual crank neither jumps to the timer nor spins: it waits. Work
	// that finishes without posting anything still wakes it, as the C++
	// finishedBackgroundWork posts a no-op handler for that reason.
	c := newVirtual()
	var got []error
	arm(c, time.Hour, &got)
	c.NewBackgroundWork()

	done := blockingCrank(t, c) // blocked
	requireStillBlocked(t, done)
	c.FinishedBackgroundWork()
	// The handler ends the wait (1); no work is outstanding any more (0).
	require.Equal(t, 1, receive(t, done))
	require.Zero(t, c.Elapsed())
	require.Empty(t, got)

	// Now the clock is idle: it jumps and fires.
	require.Equal(t, 1, c.Crank(true))
	require.Equal(t, time.Hour, c.Elapsed())
	require.Equal(t, []error{nil}, got)
}

func TestVirtualBackgroundWaitIgnoresInjectedWallClock(t *testing.T) {
	// The 1 ms pause of an idle virtual crank with background work
	// outstanding is a real pause, as the C++ sleep_for is: it lets the
	// worker goroutines run. A wall clock injected with WithWallClock is
	// for RealTime mode only; sleeping on a mock here would block until
	// somebody advanced the mock, which nobody does in virtual time.
	mock := clock.NewMock()
	c := vclock.New(vclock.VirtualTime, vclock.WithWallClock(mock))
	c.NewBackgroundWork()
	done := make(chan int, 1)
	go func() { done <- c.Crank(false) }()
	// Should the crank be stuck on the mock, release it, for goleak.
	t.Cleanup(func() { mock.Add(time.Millisecond) })
	require.Equal(t, 1, receive(t, done))
	require.Zero(t, c.Elapsed())
	c.FinishedBackgroundWork()
	require.Equal(t, 1, c.Crank(false)) // the wake-up handler
	require.Equal(t, 0, c.Crank(false))
}
