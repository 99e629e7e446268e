package vclock_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/vclock"
)

// The vclock rows of docs/ROBUSTNESS.md.

// panicValue runs f and returns what it panicked with, or nil.
func panicValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// drain cranks without blocking until the clock has nothing to do.
func drain(t *testing.T, c *vclock.Clock) {
	t.Helper()
	for n := 0; c.Crank(false) > 0; n++ {
		require.Less(t, n, 10000, "the clock never goes idle")
	}
}

// TestBadInputPendingTimers: PendingTimers counts the armed events only.
// A cancelled event stays queued until the throttled flush (Next still
// sees it) but is not counted; a fired one is gone.
func TestBadInputPendingTimers(t *testing.T) {
	c := newVirtual()
	require.Zero(t, c.PendingTimers())
	a, b := vclock.NewTimer(c), vclock.NewTimer(c)
	a.ExpiresFromNow(time.Second)
	a.AsyncWait(func(error) {})
	a.AsyncWait(func(error) {}) // a second wait on the same expiry
	b.ExpiresFromNow(2 * time.Second)
	b.AsyncWait(func(error) {})
	require.Equal(t, 3, c.PendingTimers())

	a.Cancel()
	require.Equal(t, 1, c.PendingTimers())
	next, ok := c.Next()
	require.True(t, ok)
	require.Equal(t, c.Now().Add(time.Second), next, "the cancelled events linger")

	drain(t, c)
	require.Zero(t, c.PendingTimers())
	_, ok = c.Next()
	require.False(t, ok)
	require.Equal(t, 2*time.Second, c.Elapsed())
}

// TestBadInputClockBackwards: virtual time never goes backwards.
// SetCurrentVirtualTime to an earlier time and SleepFor with a negative
// duration panic and leave the time as it was; zero moves do nothing.
// SetCurrentVirtualTime panics in RealTime mode.
func TestBadInputClockBackwards(t *testing.T) {
	c := newVirtual()
	c.SleepFor(5 * time.Second)
	now := c.Now()
	require.Equal(t, "vclock: virtual time cannot go backwards (from 5s to 4s)",
		panicValue(func() { c.SetCurrentVirtualTime(now.Add(-time.Second)) }))
	require.Equal(t, "vclock: SleepFor with a negative duration -1ns",
		panicValue(func() { c.SleepFor(-1) }))
	require.Equal(t, now, c.Now())
	c.SetCurrentVirtualTime(now)
	c.SleepFor(0)
	require.Equal(t, now, c.Now())

	rt := vclock.New(vclock.RealTime)
	require.Equal(t, "vclock: SetCurrentVirtualTime needs VIRTUAL_TIME mode",
		panicValue(func() { rt.SetCurrentVirtualTime(time.Now()) }))
	require.NotNil(t, panicValue(func() { rt.SleepFor(-time.Second) }))
}

// TestBadInputZeroAndNegativeTimers: a timer set to expire now, in the
// past (ExpiresAt), or after a zero or negative duration fires on the next
// idle crank, without moving time backwards.
func TestBadInputZeroAndNegativeTimers(t *testing.T) {
	c := newVirtual()
	c.SleepFor(time.Second)
	var fired []string
	arm := func(name string, set func(*vclock.Timer)) {
		tm := vclock.NewTimer(c)
		set(tm)
		tm.AsyncWait(func(err error) {
			require.NoError(t, err)
			fired = append(fired, name)
		})
	}
	arm("zero", func(tm *vclock.Timer) { tm.ExpiresFromNow(0) })
	arm("negative", func(tm *vclock.Timer) { tm.ExpiresFromNow(-time.Hour) })
	arm("past", func(tm *vclock.Timer) { tm.ExpiresAt(c.Now().Add(-time.Minute)) })
	arm("fresh", func(*vclock.Timer) {}) // expires at its creation: now
	require.Equal(t, 4, c.PendingTimers())
	require.Equal(t, 4, c.Crank(false))
	require.ElementsMatch(t, []string{"zero", "negative", "past", "fresh"}, fired)
	require.Equal(t, time.Second, c.Elapsed())
}

// TestBadInputPostAfterShutdown: once the clock is shut down, PostAction
// and AsyncWait do nothing, a crank finds nothing (and a blocking crank
// does not block), and Shutdown again does nothing. Timers armed before the
// shutdown were cancelled by it.
func TestBadInputPostAfterShutdown(t *testing.T) {
	c := newVirtual()
	before := vclock.NewTimer(c)
	before.ExpiresFromNow(time.Second)
	var errs []error
	before.AsyncWait(func(err error) { errs = append(errs, err) })
	c.PostAction(func() { t.Error("an action posted before the shutdown ran") }, "a", vclock.NormalAction)
	c.Shutdown()
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], vclock.ErrOperationAborted)

	c.PostAction(func() { t.Error("an action posted after the shutdown ran") }, "a", vclock.NormalAction)
	require.Zero(t, c.ActionQueueSize())
	after := vclock.NewTimer(c)
	after.ExpiresFromNow(0)
	after.AsyncWait(func(error) { t.Error("a timer armed after the shutdown ran") })
	require.Zero(t, c.PendingTimers())
	require.Zero(t, c.Crank(false))
	require.Zero(t, c.Crank(true))
	c.Shutdown()
	require.True(t, c.IsStopped())
}

// TestBadInputNilCallbacks: a nil action, timer callback or clock panics
// at once, naming the call; so does finishing background work never
// started.
func TestBadInputNilCallbacks(t *testing.T) {
	c := newVirtual()
	tm := vclock.NewTimer(c)
	require.Equal(t, "vclock: PostAction with a nil action",
		panicValue(func() { c.PostAction(nil, "a", vclock.NormalAction) }))
	require.Equal(t, "vclock: AsyncWait with a nil callback", panicValue(func() { tm.AsyncWait(nil) }))
	require.Equal(t, "vclock: AsyncWaitFunc with a nil callback",
		panicValue(func() { tm.AsyncWaitFunc(nil, vclock.OnFailureNoop) }))
	require.Equal(t, "vclock: AsyncWaitFunc with a nil callback", panicValue(func() { tm.AsyncWaitFunc(func() {}, nil) }))
	require.Equal(t, "vclock: NewTimer with a nil clock", panicValue(func() { vclock.NewTimer(nil) }))
	require.Equal(t, "vclock: FinishedBackgroundWork without NewBackgroundWork", panicValue(c.FinishedBackgroundWork))
	require.Zero(t, c.PendingTimers())
	require.Zero(t, c.ActionQueueSize())
}

// TestBadInputCancelInOwnCallback: a timer cancelled inside its own
// callback is not called again and leaves nothing armed; one re-armed in
// its own callback fires again; a callback that cancels another timer due
// at the same time gives that one ErrOperationAborted instead of firing it.
func TestBadInputCancelInOwnCallback(t *testing.T) {
	c := newVirtual()
	self := vclock.NewTimer(c)
	self.ExpiresFromNow(time.Second)
	calls := 0
	self.AsyncWait(func(err error) {
		calls++
		require.NoError(t, err)
		self.Cancel()
		self.Cancel()
	})
	drain(t, c)
	require.Equal(t, 1, calls)
	require.Zero(t, c.PendingTimers())

	rearm := vclock.NewTimer(c)
	rearm.ExpiresFromNow(time.Second)
	var at []time.Duration
	var wait func(error)
	wait = func(err error) {
		require.NoError(t, err)
		at = append(at, c.Elapsed())
		if len(at) < 3 {
			rearm.ExpiresFromNow(time.Second)
			rearm.AsyncWait(wait)
		}
	}
	rearm.AsyncWait(wait)
	drain(t, c)
	require.Equal(t, []time.Duration{2 * time.Second, 3 * time.Second, 4 * time.Second}, at)

	// Two timers due together: whichever fires first cancels the other.
	x, y := vclock.NewTimer(c), vclock.NewTimer(c)
	var got []string
	for _, p := range []struct {
		name      string
		tm, other *vclock.Timer
	}{{"x", x, y}, {"y", y, x}} {
		p.tm.ExpiresFromNow(time.Second)
		p.tm.AsyncWait(func(err error) {
			if err != nil {
				got = append(got, p.name+" aborted")
				return
			}
			got = append(got, p.name+" fired")
			p.other.Cancel()
		})
	}
	require.Equal(t, 2, c.Crank(false))
	require.Len(t, got, 2)
	require.Contains(t, got[0], "fired")
	require.Contains(t, got[1], "aborted")
	require.Zero(t, c.PendingTimers())
}

// TestBadInputPanicInTimerCallback: a panic in a timer callback goes up
// through Crank. The events due in the same crank that had not fired yet
// stay queued and fire on the next crank, so a caller that recovers loses
// no timer.
func TestBadInputPanicInTimerCallback(t *testing.T) {
	c := newVirtual()
	var fired []int
	for i := range 4 {
		tm := vclock.NewTimer(c)
		tm.ExpiresFromNow(time.Second)
		tm.AsyncWait(func(err error) {
			require.NoError(t, err)
			fired = append(fired, i)
			if len(fired) == 1 {
				panic("boom")
			}
		})
	}
	require.Equal(t, "boom", panicValue(func() { c.Crank(false) }))
	require.Len(t, fired, 1)
	require.Equal(t, 3, c.PendingTimers())
	require.Equal(t, 3, c.RefsHeld(), "the three put back hold their refs, the fired one's is free")
	drain(t, c)
	require.ElementsMatch(t, []int{0, 1, 2, 3}, fired)
	require.Zero(t, c.PendingTimers())
	require.Zero(t, c.RefsHeld())
	require.Equal(t, time.Second, c.Elapsed())
}

var _ = errors.New

// TestBadInputEndOfTime is issue 16's case 10: a clock holds instants up to
// its epoch plus math.MaxInt64 nanoseconds (in 2262). A 10 s timer armed 5 s
// before that instant is due at it, not wrapped round 292 years into the
// past; the idle crank jumps there and fires it, and the clock keeps
// working at that instant. Moving the clock itself past it panics, naming
// the value, instead of clamping it.
func TestBadInputEndOfTime(t *testing.T) {
	end := time.Unix(0, 0).UTC().Add(math.MaxInt64)
	require.Equal(t, 2262, end.Year())
	c := newVirtual()
	c.SetCurrentVirtualTime(end.Add(-5 * time.Second))

	tm := vclock.NewTimer(c)
	tm.ExpiresFromNow(10 * time.Second)
	require.Equal(t, end, tm.ExpiryTime(), "saturated at the end")
	var got []error
	tm.AsyncWait(func(err error) { got = append(got, err) })
	require.Equal(t, 1, c.Crank(false), "the jump fires it")
	require.Equal(t, []error{nil}, got)
	require.Equal(t, end, c.Now())

	// At the last instant, a crank still runs actions (its time slices are
	// differences, not sums that would wrap).
	ran := 0
	c.PostAction(func() { ran++ }, "a", vclock.NormalAction)
	drain(t, c)
	require.Equal(t, 1, ran)
	require.Equal(t, end, c.Now())

	year3000 := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	require.Equal(t,
		"vclock: SetCurrentVirtualTime(3000-01-01 00:00:00 +0000 UTC) is out of range: "+
			"a clock holds instants from 1970-01-01 00:00:00 +0000 UTC to 2262-04-11 23:47:16.854775807 +0000 UTC",
		panicValue(func() { newVirtual().SetCurrentVirtualTime(year3000) }))
	require.Equal(t, "vclock: SleepFor(1ns) at 2262-04-11 23:47:16.854775807 +0000 UTC is out of range: "+
		"a clock holds instants up to 2262-04-11 23:47:16.854775807 +0000 UTC",
		panicValue(func() { c.SleepFor(1) }))
	c.SleepFor(0)
	require.Equal(t, end, c.Now())

	// ExpiresAt out of range panics before it touches the timer.
	tm.ExpiresFromNow(0)
	tm.AsyncWait(func(err error) { got = append(got, err) })
	require.Equal(t, "vclock: ExpiresAt(3000-01-01 00:00:00 +0000 UTC) is out of range: "+
		"a clock holds instants up to 2262-04-11 23:47:16.854775807 +0000 UTC",
		panicValue(func() { tm.ExpiresAt(year3000) }))
	require.Equal(t, 1, c.PendingTimers(), "still armed")
	tm.ExpiresAt(end)
	require.Equal(t, []error{nil, vclock.ErrOperationAborted}, got)
}
