package vclock_test

// RealTime mode as a program's main loop: a blocking Crank sleeps until a
// timer is due or an action is posted from any goroutine, returns promptly
// when either happens, and uses no CPU while it waits.
//
// The timer paths run on a *clock.Mock, so they are exact. A few tests use
// the real wall clock for what only it can show: the wake-up latency and the
// idle CPU use.

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/internal/cpumeasure"
	"github.com/stellarwork/stellarwork/vclock"
)

// blockedCrankState reports whether some goroutine is blocked inside
// vclock's Crank on a channel receive (no timer armed) or a select (a
// RealTime crank waiting for a post or its next timer).
func blockedCrankState() bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if !bytes.Contains(g, []byte("vclock.(*Clock).Crank")) {
			continue
		}
		if bytes.Contains(g, []byte("[chan receive")) || bytes.Contains(g, []byte("[select")) {
			return true
		}
	}
	return false
}

// blockingCrank starts c.Crank(true) on another goroutine, waits until it
// is blocked, and returns the channel its result arrives on. The crank
// goroutine owns c until the result arrives.
func blockingCrank(t *testing.T, c *vclock.Clock) <-chan int {
	t.Helper()
	done := make(chan int, 1)
	go func() { done <- c.Crank(true) }()
	deadline := time.Now().Add(10 * time.Second)
	for !blockedCrankState() {
		select {
		case p := <-done:
			t.Fatalf("the crank returned %d instead of blocking", p)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the crank never blocked")
		}
		runtime.Gosched()
	}
	return done
}

// requireStillBlocked checks that the crank has not returned after giving
// it a little real time to do so.
func requireStillBlocked(t *testing.T, done <-chan int) {
	t.Helper()
	select {
	case p := <-done:
		t.Fatalf("the crank returned %d; it should still be blocked", p)
	case <-time.After(20 * time.Millisecond):
	}
	require.True(t, blockedCrankState())
}

func receive(t *testing.T, done <-chan int) int {
	t.Helper()
	select {
	case p := <-done:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("the blocked crank never returned")
		return 0
	}
}

func TestRealTimeBlockingCrankSleepsUntilMockTimer(t *testing.T) {
	c, mock := newRealWithMock()
	var got []error
	arm(c, time.Second, &got)

	done := blockingCrank(t, c)
	// Short of the expiry, the crank stays asleep.
	mock.Add(999 * time.Millisecond)
	requireStillBlocked(t, done)

	// At the expiry the crank wakes, and the real-timer handler fires the
	// timer inside the crank: one handler run.
	mock.Add(time.Millisecond)
	require.Equal(t, 1, receive(t, done))
	require.Equal(t, []error{nil}, got)
	require.Equal(t, time.Second, c.Elapsed())
	_, ok := c.Next()
	require.False(t, ok)
	require.Equal(t, 0, c.Crank(false))
}

func TestRealTimePostWakesCrankWaitingForFarTimer(t *testing.T) {
	c, mock := newRealWithMock()
	var far []error
	farTimer := arm(c, time.Hour, &far)

	done := blockingCrank(t, c)
	// A post from this goroutine ends the wait: its wake-up handler runs
	// (1). Mock time has not moved; the far timer is untouched.
	var near []error
	c.PostAction(func() {
		// Runs on the crank goroutine: arm a timer nearer than the far one.
		arm(c, time.Second, &near)
	}, "arm-near", vclock.NormalAction)
	require.Equal(t, 1, receive(t, done))
	require.Zero(t, c.Elapsed())
	require.Empty(t, far)

	require.Equal(t, 1, c.Crank(true)) // moved
	require.Equal(t, 1, c.Crank(true)) // ran: the 1 s timer is armed
	require.Empty(t, near)

	// The crank now sleeps until 1 s, not until the hour.
	done = blockingCrank(t, c)
	mock.Add(500 * time.Millisecond)
	requireStillBlocked(t, done)
	mock.Add(500 * time.Millisecond)
	require.Equal(t, 1, receive(t, done))
	require.Equal(t, []error{nil}, near)
	require.Empty(t, far)

	// Then until the hour.
	done = blockingCrank(t, c)
	mock.Add(time.Hour - time.Second)
	require.Equal(t, 1, receive(t, done))
	require.Equal(t, []error{nil}, far)
	require.Equal(t, time.Hour, c.Elapsed())
	farTimer.Cancel() // fired already: nothing to call
	require.Equal(t, []error{nil}, far)
}

func TestRealTimeDueTimersFireAtCrankStart(t *testing.T) {
	c, mock := newRealWithMock()
	var fired []string
	armNamed(c, 3*time.Second, "t3", &fired)
	armNamed(c, time.Second, "t1", &fired)
	armNamed(c, 2*time.Second, "t2a", &fired)
	armNamed(c, 2*time.Second, "t2b", &fired)

	// The clock was not cranked while time passed: the first step of the
	// next crank fires everything now due, earliest first, and counts each
	// event. The real-timer handler then finds nothing more due.
	mock.Add(2 * time.Second)
	require.Equal(t, 3, c.Crank(true))
	require.Equal(t, "t1", fired[0])
	require.ElementsMatch(t, []string{"t2a", "t2b"}, fired[1:])
	require.Equal(t, 0, c.Crank(false))

	// A timer due now or in the past is never waited for; the one due
	// earlier fires first.
	armNamed(c, 0, "now", &fired)
	armNamed(c, -time.Second, "past", &fired)
	require.Equal(t, 2, c.Crank(true))
	require.Equal(t, []string{"past", "now"}, fired[3:])

	done := blockingCrank(t, c)
	mock.Add(time.Second)
	require.Equal(t, 1, receive(t, done))
	require.Equal(t, "t3", fired[len(fired)-1])
}

func TestRealTimeCancelledTimerStillWakesCrankOnce(t *testing.T) {
	// As in the C++: cancelling a timer leaves its event in the queue until
	// the throttled flush, so the real timer still expires at the old time.
	// The crank wakes then, its real-timer handler counts 1 and pops the
	// cancelled event without calling anything.
	c, mock := newRealWithMock()
	var got []error
	tm := arm(c, time.Second, &got)
	tm.Cancel()
	require.Equal(t, []error{vclock.ErrOperationAborted}, got)
	next, ok := c.Next()
	require.True(t, ok)
	require.Equal(t, c.Epoch().Add(time.Second), next)

	done := blockingCrank(t, c)
	mock.Add(time.Second)
	require.Equal(t, 1, receive(t, done))
	require.Equal(t, []error{vclock.ErrOperationAborted}, got)
	_, ok = c.Next()
	require.False(t, ok)
}

// TestRealTimeWakingPostReturnsOnceCrankRuns: a post that wakes a waiting
// crank returns only once the crank goroutine has run and left its wait
// (the waker gives its processor to the crank instead of running on beside
// it). Posts from several goroutines at once, and a Shutdown, each wake the
// crank and return.
func TestRealTimeWakingPostReturnsOnceCrankRuns(t *testing.T) {
	c, _ := newRealWithMock()
	done := blockingCrank(t, c)
	require.True(t, c.Blocked())
	ran := 0
	c.PostAction(func() { ran++ }, "wake", vclock.NormalAction)
	require.False(t, c.Blocked(), "PostAction returned while the crank still waited")
	require.Equal(t, 1, receive(t, done), "the post's one I/O handler")

	// Eight posters at once: one of them counts the wake-up handler and
	// wakes the crank; none waits for ever.
	require.Equal(t, 1, c.Crank(true)) // moves the first action
	require.Equal(t, 1, c.Crank(true)) // runs it
	done = blockingCrank(t, c)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { c.PostAction(func() { ran++ }, "wake", vclock.NormalAction) })
	}
	wg.Wait()
	require.Equal(t, 1, receive(t, done))
	require.Equal(t, 8, c.Crank(true), "moves the eight")
	require.Equal(t, 8, c.Crank(true), "runs them")
	require.Equal(t, 9, ran)

	// Shutdown posted from another goroutine (Shutdown itself belongs to
	// the crank goroutine) wakes the waiting crank, as the first post did;
	// the next crank moves it, the one after runs it, and then a crank
	// finds the clock stopped.
	done = blockingCrank(t, c)
	require.PanicsWithValue(t, `vclock: Shutdown called from another goroutine while Crank waits; it belongs to the crank goroutine: post it with c.PostAction(c.Shutdown, "shutdown", vclock.NormalAction)`,
		c.Shutdown, "called beside the waiting crank")
	require.True(t, c.Blocked(), "the refused Shutdown changed nothing")
	require.False(t, c.IsStopped())
	c.PostAction(c.Shutdown, "shutdown", vclock.NormalAction)
	require.Equal(t, 1, receive(t, done), "the post's one I/O handler")
	require.Equal(t, 1, c.Crank(true), "moves Shutdown")
	require.False(t, c.IsStopped())
	require.Equal(t, 1, c.Crank(true), "runs Shutdown")
	require.True(t, c.IsStopped())
	require.False(t, c.Blocked())
	require.Equal(t, 0, c.Crank(true))
}

// TestRealTimeTimerCallbackPostsWhileCrankWaits: a timer that a waiting
// crank fires calls back on the crank goroutine, which posts. That post
// must not try to wake its own crank: the crank returns its one handler,
// and the action runs on later cranks.
func TestRealTimeTimerCallbackPostsWhileCrankWaits(t *testing.T) {
	c, mock := newRealWithMock()
	ran := false
	tm := vclock.NewTimer(c)
	tm.ExpiresFromNow(time.Second)
	tm.AsyncWait(func(err error) {
		require.NoError(t, err)
		c.PostAction(func() { ran = true }, "from-timer", vclock.NormalAction)
	})
	done := blockingCrank(t, c)
	mock.Add(time.Second)
	require.Equal(t, 1, receive(t, done), "the real-timer handler")
	// The post counted its own wake-up handler, then moves and runs.
	require.Equal(t, 2, c.Crank(true))
	require.Equal(t, 1, c.Crank(true))
	require.True(t, ran)
}

// The tests below use the real wall clock.

func TestRealTimeBlockingCrankWakesPromptlyOnPost(t *testing.T) {
	for _, tc := range []struct {
		name     string
		farTimer bool
	}{
		{"no timer", false},
		{"timer an hour away", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := vclock.New(vclock.RealTime)
			var far []error
			if tc.farTimer {
				defer arm(c, time.Hour, &far).Cancel()
			}
			done := blockingCrank(t, c)

			ran := false
			posted := make(chan time.Time, 1)
			go func() {
				posted <- time.Now()
				c.PostAction(func() { ran = true }, "wake", vclock.NormalAction)
			}()
			p := receive(t, done)
			latency := time.Since(<-posted)
			t.Logf("blocking crank returned %v after the post", latency)
			require.Equal(t, 1, p)
			require.Less(t, latency, 200*time.Millisecond)

			require.Equal(t, 1, c.Crank(true)) // moved
			require.Equal(t, 1, c.Crank(true)) // ran
			require.True(t, ran)
			require.Empty(t, far)
		})
	}
}

// TestRealTimeBlockingCrankWakesPromptlyForTimer: a blocking crank with a
// timer 50 ms away returns at the timer, within 200 ms of it. That margin
// is a real-time bound that load breaks now and then (pinned to one core
// with three busy loops, 1 wait in 100 took 200 ms), so a wait over it is
// measured again, up to three times: a crank that oversleeps (a coarse
// sleep, a wrong unit) does so in every try, a loaded machine seldom
// stalls three times in a row. Each try must still fire the timer, not
// before it is due.
func TestRealTimeBlockingCrankWakesPromptlyForTimer(t *testing.T) {
	const tries = 3
	var tooLate []time.Duration
	for len(tooLate) < tries {
		took := blockingCrankForTimer(t, 50*time.Millisecond)
		if took < 250*time.Millisecond {
			return
		}
		tooLate = append(tooLate, took)
	}
	t.Fatalf("a blocking crank with a timer 50 ms away returned after %v, want under 250ms once", tooLate)
}

// blockingCrankForTimer arms a timer d away on a new RealTime clock,
// cranks it once with block set, checks that the crank fired the timer,
// not before d, and returns how long the crank took.
func blockingCrankForTimer(t *testing.T, d time.Duration) time.Duration {
	t.Helper()
	c := vclock.New(vclock.RealTime)
	var got []error
	start := time.Now()
	arm(c, d, &got)

	// Nothing else to do: the crank sleeps until the timer is due, and the
	// real-timer handler fires it (1).
	require.Equal(t, 1, c.Crank(true))
	took := time.Since(start)
	t.Logf("a blocking crank with a timer %v away returned after %v", d, took)
	require.Equal(t, []error{nil}, got)
	require.GreaterOrEqual(t, c.Elapsed(), d)
	require.GreaterOrEqual(t, took, d)
	return took
}

func TestRealTimeShouldYieldOnTheWallClock(t *testing.T) {
	// The mock test pins the arithmetic; this one checks that the real
	// clock drives it: an action that has run for 501 ms should yield.
	c := vclock.New(vclock.RealTime)
	var before, after bool
	c.PostAction(func() {
		before = c.ShouldYield()
		c.SleepFor(501 * time.Millisecond)
		after = c.ShouldYield()
	}, "slow", vclock.NormalAction)
	require.Equal(t, 2, c.Crank(true))
	require.Equal(t, 1, c.Crank(true))
	require.False(t, before)
	require.True(t, after)
}

// TestRealTimeIdleLoopUsesNoCPU runs a real program's main loop, with a real
// wall clock, for 1 s (10 s with STELLARWORK_LONG=1): the loop cranks with
// block set until an action posted from another goroutine after that time
// tells it to stop, while a timer an hour away keeps it waiting on both its
// wake-up channel and a timer.
//
// CPU use is measured for the whole process, every thread included (the
// Go runtime's and the race detector's too): getrusage(RUSAGE_SELF), user
// plus system time, read just before the loop starts and just after it
// ends (package internal/cpumeasure). The loop must use under 1% of one
// core, and must wake only for the stop post: exactly three cranks (the
// wake-up, moving the action, running it).
//
// The process's share is a measurement, and a loaded machine adds noise to
// it: under -race on two cores at a load average of 15 to 17, one window
// in five read 12 ms (1.2%) where the others read 1 to 7 ms. So the
// collector and the scavenger are first made to finish what earlier tests
// left them, and a window over the bound is measured again, up to three
// times: a loop that polls or spins exceeds the bound in every window (a
// goroutine waking every 10 ms alone costs about 2% under -race), while
// noise does not come three times in a row. The crank count is checked in
// every window.
//
// This is the package's only test that waits on the wall clock; the
// property is about real time.
func TestRealTimeIdleLoopUsesNoCPU(t *testing.T) {
	idle := time.Second
	if long() {
		idle = 10 * time.Second
	}
	const windows = 3
	var shares []string
	for len(shares) < windows {
		share := idleLoopShare(t, idle)
		if share < 0.01 {
			return
		}
		shares = append(shares, fmt.Sprintf("%.3f%%", 100*share))
	}
	t.Fatalf("the idle loop used %v of one core in %d windows, want under 1%% in one", shares, windows)
}

// idleLoopShare runs the idle main loop of TestRealTimeIdleLoopUsesNoCPU
// for idle and returns the share of one core the process used meanwhile.
func idleLoopShare(t *testing.T, idle time.Duration) float64 {
	t.Helper()
	c := vclock.New(vclock.RealTime)
	var far []error
	farTimer := arm(c, time.Hour, &far)
	// Collect the garbage of earlier tests and return their memory to the
	// system now, not while the window is measured.
	debug.FreeOSMemory()

	// The readings come before the poster starts its sleep, so that the
	// wall time measured covers the whole of it.
	cpu0, err := cpumeasure.Process()
	require.NoError(t, err)
	start := time.Now()
	stop := false
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(idle)
		c.PostAction(func() { stop = true }, "stop", vclock.NormalAction)
	}()

	cranks := 0
	for !stop {
		c.Crank(true)
		cranks++
	}
	wall := time.Since(start)
	cpu1, err := cpumeasure.Process()
	require.NoError(t, err)
	wg.Wait()

	cpu := cpu1 - cpu0
	share := float64(cpu) / float64(wall)
	t.Logf("idle main loop: %v of CPU over %v of wall time (%.3f%% of one core), %d cranks",
		cpu, wall.Round(time.Millisecond), 100*share, cranks)
	require.GreaterOrEqual(t, wall, idle)
	require.Equal(t, 3, cranks)
	require.Empty(t, far)
	farTimer.Cancel()
	require.Equal(t, []error{vclock.ErrOperationAborted}, far)
	return share
}
