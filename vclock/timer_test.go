package vclock_test

import (
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/vclock"
)

func TestTimerCancelIsSynchronous(t *testing.T) {
	c := newVirtual()
	tm := vclock.NewTimer(c)
	tm.ExpiresFromNow(time.Second)
	var calls []string
	tm.AsyncWait(func(err error) {
		require.ErrorIs(t, err, vclock.ErrOperationAborted)
		calls = append(calls, "first")
	})
	require.Equal(t, uint64(1), tm.Seq())
	tm.AsyncWaitFunc(func() { calls = append(calls, "second fired") }, func(err error) {
		require.ErrorIs(t, err, vclock.ErrOperationAborted)
		calls = append(calls, "second aborted")
	})

	// Both callbacks run inside Cancel, in the order they were armed.
	tm.Cancel()
	require.Equal(t, []string{"first", "second aborted"}, calls)
	require.Equal(t, uint64(0), tm.Seq())

	// Cancelling again calls nothing, and a wait on a cancelled timer is
	// ignored until the expiry is set again.
	tm.Cancel()
	tm.AsyncWait(func(error) { calls = append(calls, "ignored") })
	require.Len(t, calls, 2)

	tm.ExpiresFromNow(2 * time.Second)
	tm.AsyncWaitFunc(func() { calls = append(calls, "fired") }, vclock.OnFailureNoop)
	// The first wait's event is still in the queue, cancelled and not yet
	// flushed, so this wait got a new event; seqs restart at 0 all the same.
	require.Equal(t, uint64(1), tm.Seq())
	tm.AsyncWaitFunc(func() { calls = append(calls, "fired again") }, vclock.OnFailureNoop)
	require.Equal(t, uint64(2), tm.Seq())
	for c.Crank(false) > 0 {
	}
	require.Equal(t, []string{"first", "second aborted", "fired", "fired again"}, calls)
	require.Equal(t, 2*time.Second, c.Elapsed())
}

func TestExpiresAtCancelsPendingWaits(t *testing.T) {
	c := newVirtual()
	tm := vclock.NewTimer(c)
	require.Equal(t, c.Now(), tm.ExpiryTime())
	tm.ExpiresFromNow(time.Second)
	var errs []error
	tm.AsyncWait(func(err error) { errs = append(errs, err) })
	at := c.Now().Add(3 * time.Second)
	tm.ExpiresAt(at)
	require.Len(t, errs, 1)
	require.True(t, errors.Is(errs[0], vclock.ErrOperationAborted))
	require.Equal(t, at, tm.ExpiryTime())
	tm.AsyncWait(func(err error) { errs = append(errs, err) })
	for c.Crank(false) > 0 {
	}
	require.Equal(t, []error{vclock.ErrOperationAborted, nil}, errs)
	require.Equal(t, 3*time.Second, c.Elapsed())
}

// armNamed arms a fresh timer on c due in d; when it fires, it appends
// name to *fired.
func armNamed(c *vclock.Clock, d time.Duration, name string, fired *[]string) *vclock.Timer {
	tm := vclock.NewTimer(c)
	tm.ExpiresFromNow(d)
	tm.AsyncWait(func(err error) {
		if err == nil {
			*fired = append(*fired, name)
		}
	})
	return tm
}

// TestSameInstantOrder checks the order of events due together. The queue
// is a binary max-heap in an array, handled as libstdc++ handles it; the
// expected orders below are worked out by hand from those rules:
//   - push appends, then moves the new element up while its parent compares
//     lower;
//   - pop takes the root, then walks the hole from the root down to a leaf,
//     always to the higher child (the right one unless it is lower than the
//     left one), fills the hole with the last element and moves that one up
//     while its parent compares lower.
//
// An event compares lower than another when it is due later, or due at the
// same time with a higher seq. Events of different fresh timers due at the
// same time tie completely: neither is lower.
func TestSameInstantOrder(t *testing.T) {
	t.Run("five fresh timers", func(t *testing.T) {
		c := newVirtual()
		var fired []string
		for _, name := range []string{"t0", "t1", "t2", "t3", "t4"} {
			armNamed(c, 10*time.Millisecond, name, &fired)
		}
		// Pushes of ties never move: the array is [t0 t1 t2 t3 t4].
		// Pop 1 takes t0. The hole walks 0 -> 2 (right child t2 is not
		// lower than t1); node 2 has no child within the 4 left, so t4,
		// moved from the end, fills 2 and stays. [t2 t1 t4 t3].
		// Pop 2 takes t2. The hole walks 0 -> 2 (t4 not lower than t1);
		// t3 fills 2. [t4 t1 t3].
		// Pop 3 takes t4. With 2 left, the root's only child t1 moves up
		// and t3 fills 1. [t1 t3].
		// Pop 4 takes t1, pop 5 t3.
		// Arming order would be t0 t1 t2 t3 t4.
		require.Equal(t, 5, c.Crank(false), "five events popped")
		require.Equal(t, []string{"t0", "t2", "t4", "t1", "t3"}, fired)
	})

	t.Run("a second wait on one timer", func(t *testing.T) {
		c := newVirtual()
		var fired []string
		p := vclock.NewTimer(c)
		p.ExpiresFromNow(10 * time.Millisecond)
		p.AsyncWait(func(error) { fired = append(fired, "p0") }) // seq 0
		p.AsyncWait(func(error) { fired = append(fired, "p1") }) // seq 1
		armNamed(c, 10*time.Millisecond, "q0", &fired)           // seq 0
		// p1 is lower than p0 (same time, higher seq), so it stays below
		// it: [p0 p1 q0]. Pop 1 takes p0: the root's only child p1 moves
		// up, and q0, moved from the end into slot 1, is higher than p1
		// (lower seq), so they swap: [q0 p1]. Then q0, then p1.
		// Arming order would be p0 p1 q0.
		require.Equal(t, 3, c.Crank(false))
		require.Equal(t, []string{"p0", "q0", "p1"}, fired)
	})

	t.Run("a cancelled event keeps its place", func(t *testing.T) {
		c := newVirtual()
		var fired []string
		armNamed(c, 10*time.Millisecond, "a", &fired)
		b := armNamed(c, 10*time.Millisecond, "b", &fired)
		armNamed(c, 10*time.Millisecond, "c", &fired)
		armNamed(c, 10*time.Millisecond, "d", &fired)
		// Five flush calls so far (one per fresh timer, one for this
		// cancel), never more than the 4 queued events plus one: no
		// rebuild, b stays in [a b c d]. Pops go a, c, b, d as in the
		// first case; b is popped (and counted) but not fired.
		b.Cancel()
		require.Equal(t, 4, c.Crank(false))
		require.Equal(t, []string{"a", "c", "d"}, fired)
	})

	t.Run("earlier events first", func(t *testing.T) {
		c := newVirtual()
		var fired []string
		armNamed(c, 30*time.Millisecond, "late", &fired)
		armNamed(c, 10*time.Millisecond, "early", &fired)
		armNamed(c, 20*time.Millisecond, "middle", &fired)
		for _, want := range []string{"early", "middle", "late"} {
			require.Equal(t, 1, c.Crank(false))
			require.Equal(t, want, fired[len(fired)-1])
		}
		require.Equal(t, 30*time.Millisecond, c.Elapsed())
	})
}

func TestCancelledEventsLingerUntilFlush(t *testing.T) {
	t.Run("Next", func(t *testing.T) {
		c := newVirtual()
		var fired []string
		// Each fresh timer's first expiry makes one flush call, counted:
		// a makes the count 1 (0 events queued), b makes it 2 (1 queued).
		a := armNamed(c, 5*time.Millisecond, "a", &fired)
		armNamed(c, 10*time.Millisecond, "b", &fired)
		// The cancel's flush call: the count, 2, is not above the 2 queued
		// events, so it only becomes 3 and a's event stays.
		a.Cancel()
		next, ok := c.Next()
		require.True(t, ok)
		require.Equal(t, c.Epoch().Add(5*time.Millisecond), next)

		// Another flush call: 3 is above 2, so the queue is rebuilt
		// without a's event (and the count restarts at 0).
		x := vclock.NewTimer(c)
		x.ExpiresFromNow(time.Hour)
		next, ok = c.Next()
		require.True(t, ok)
		require.Equal(t, c.Epoch().Add(10*time.Millisecond), next)
	})

	t.Run("an idle crank jumps to it", func(t *testing.T) {
		c := newVirtual()
		var fired []string
		a := armNamed(c, 5*time.Millisecond, "a", &fired)
		armNamed(c, 10*time.Millisecond, "b", &fired)
		a.Cancel()
		// The lingering event is still the earliest: the idle crank jumps
		// to 5 ms and pops it (1), firing nothing.
		require.Equal(t, 1, c.Crank(false))
		require.Equal(t, 5*time.Millisecond, c.Elapsed())
		require.Empty(t, fired)
		require.Equal(t, 1, c.Crank(false))
		require.Equal(t, 10*time.Millisecond, c.Elapsed())
		require.Equal(t, []string{"b"}, fired)
	})
}

func TestShutdown(t *testing.T) {
	c := newVirtual()
	var errs []error
	t1 := vclock.NewTimer(c)
	t1.ExpiresFromNow(time.Second)
	t1.AsyncWait(func(err error) { errs = append(errs, err) })
	t1.AsyncWait(func(err error) { errs = append(errs, err) })
	arm(c, 2*time.Second, &errs)

	ran := 0
	c.PostAction(func() { ran++ }, "moved", vclock.NormalAction)
	require.Equal(t, 2, c.Crank(false)) // now in the scheduler
	c.PostAction(func() { ran++ }, "pending", vclock.NormalAction)

	c.Shutdown()
	// Every wait was cancelled inside Shutdown.
	require.Equal(t, []error{vclock.ErrOperationAborted, vclock.ErrOperationAborted, vclock.ErrOperationAborted}, errs)
	require.True(t, c.IsStopped())
	_, ok := c.Next()
	require.False(t, ok)
	require.Zero(t, c.ActionQueueSize())

	// Afterwards posts and waits do nothing.
	c.PostAction(func() { ran++ }, "after", vclock.NormalAction)
	arm(c, time.Millisecond, &errs)
	_, ok = c.Next()
	require.False(t, ok)
	require.Zero(t, c.ActionQueueSize())

	// A crank finds nothing, and a blocking one returns at once.
	require.Equal(t, 0, c.Crank(false))
	require.Equal(t, 0, c.Crank(true))
	require.Zero(t, ran)
	require.Len(t, errs, 3)

	// Again: nothing happens.
	c.Shutdown()
	t1.Cancel()
	require.Len(t, errs, 3)
}

func TestSetCurrentVirtualTime(t *testing.T) {
	c := newVirtual()
	require.Equal(t, time.Unix(0, 0).UTC(), c.Now())
	c.SetCurrentVirtualTime(time.Unix(5, 0))
	require.Equal(t, 5*time.Second, c.Elapsed())
	require.True(t, c.Now().Equal(time.Unix(5, 0)))
	require.True(t, c.SystemNow().Equal(time.Unix(5, 0)))
	c.SetCurrentVirtualTime(time.Unix(5, 0)) // the same time is fine

	require.PanicsWithValue(t, "vclock: virtual time cannot go backwards (from 5s to 4s)",
		func() { c.SetCurrentVirtualTime(time.Unix(4, 0)) })
	require.Equal(t, 5*time.Second, c.Elapsed())
	require.Panics(t, func() { c.SleepFor(-time.Nanosecond) })

	c.SleepFor(time.Millisecond)
	require.Equal(t, 5*time.Second+time.Millisecond, c.Elapsed())

	r := vclock.New(vclock.RealTime)
	require.Panics(t, func() { r.SetCurrentVirtualTime(time.Unix(10, 0)) })
}

func TestModeString(t *testing.T) {
	require.Equal(t, "VIRTUAL_TIME", vclock.VirtualTime.String())
	require.Equal(t, "REAL_TIME", vclock.RealTime.String())
	require.Panics(t, func() { vclock.New(vclock.Mode(7)) })
}

// TestCancelLeavesAWaitArmedByItsOwnCallback: Cancel aborts the waits armed
// when it was called; a cancelled callback that sets a new expiry and arms
// the timer again adds a wait that fires later, as in the C++, whose loop
// over the waits ends where they ended when it began.
func TestCancelLeavesAWaitArmedByItsOwnCallback(t *testing.T) {
	for _, waits := range []int{1, 2} {
		c := newVirtual()
		tm := vclock.NewTimer(c)
		tm.ExpiresFromNow(time.Second)
		var log []string
		for i := range waits {
			tm.AsyncWait(func(err error) {
				log = append(log, fmt.Sprintf("wait %d: %v", i, err))
				if i == 0 {
					tm.ExpiresFromNow(2 * time.Second)
					tm.AsyncWait(func(err error) { log = append(log, fmt.Sprintf("re-armed: %v", err)) })
				}
			})
		}
		tm.Cancel()
		for c.Crank(false) > 0 {
		}
		want := []string{"wait 0: operation aborted"}
		if waits == 2 {
			want = append(want, "wait 1: operation aborted")
		}
		want = append(want, "re-armed: <nil>")
		require.Equal(t, want, log, "%d waits", waits)
	}
}

// copyTimer returns a copy of *src on the heap, as *dst = *src would make
// one, but through reflect: go vet reports the plain assignment, rightly
// (see TestVetReportsTimerCopy), and these tests copy on purpose.
func copyTimer(src *vclock.Timer) *vclock.Timer {
	dst := new(vclock.Timer)
	setTimer(dst, src)
	return dst
}

// setTimer copies *src into *dst, as copyTimer does.
func setTimer(dst, src *vclock.Timer) {
	reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src).Elem())
}

// TestVetReportsTimerCopy: go vet's copylocks check reports a copy of a
// Timer value (testdata/vetcopy copies one), as it does a sync.Mutex's,
// through Timer's noCopy field. It runs the go command, about a second.
func TestVetReportsTimerCopy(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run vet with")
	}
	out, err := exec.Command(gobin, "vet", "./testdata/vetcopy").CombinedOutput()
	require.Error(t, err, "go vet passed a copy of a Timer: %s", out)
	require.Contains(t, string(out), "copy.go:10:7: assignment copies lock value to c: "+
		"github.com/stellarwork/stellarwork/vclock.Timer contains github.com/stellarwork/stellarwork/vclock.noCopy")
}

// TestTimerCopyOverSibling: a copy of a timer's value assigned over
// another timer of the same chunk lies where that chunk's timer lies, so
// its methods cannot tell it from a timer (see Timer.chunk) and work on
// the chunk, which is live: they touch no other memory (-race checks the
// pointer arithmetic), and the clock cranks on. The copy carries a's wait:
// b's ExpiresFromNow aborts that copy of a's callback, b's own wait goes
// through the queue as a second wait (b's first event reads queued, as
// a's did), and a's queued wait still fires at its expiry.
func TestTimerCopyOverSibling(t *testing.T) {
	c := newVirtual()
	a, b := vclock.NewTimer(c), vclock.NewTimer(c) // neighbours in one chunk
	var calls []string
	a.ExpiresFromNow(time.Second)
	a.AsyncWait(func(err error) { calls = append(calls, fmt.Sprintf("a: %v", err)) })
	setTimer(b, a)
	require.Equal(t, a.ExpiryTime(), b.ExpiryTime())
	b.ExpiresFromNow(2 * time.Second)
	b.AsyncWait(func(err error) { calls = append(calls, fmt.Sprintf("b: %v", err)) })
	require.Equal(t, 2, c.PendingTimers())
	for c.PendingTimers() > 0 {
		c.Crank(false)
	}
	require.Equal(t, []string{"a: " + vclock.ErrOperationAborted.Error(), "a: <nil>", "b: <nil>"}, calls)
}
