package vclock

import (
	"time"

	"github.com/stellarwork/stellarwork/internal/actionsched"
)

// Blocked reports whether a Crank is waiting (or about to wait) for a post.
func (c *Clock) Blocked() bool { return c.park.Load() != parkRunning }

// The test-only surface of a Clock and a Timer, which users do not see.

// ActionScheduler returns the clock's action scheduler, for inspection.
func (c *Clock) ActionScheduler() *actionsched.Scheduler { return c.actions }

// Next is next: the expiry of the earliest queued event (the C++ next()).
func (c *Clock) Next() (time.Time, bool) { return c.next() }

// PostActionOnCrank is postActionOnCrank.
func (c *Clock) PostActionOnCrank(f func(), name string, typ ActionType) {
	c.postActionOnCrank(f, name, typ)
}

// SetSystemTimeOffset adds d to what SystemNow returns, to simulate drift
// of the calendar clock; Now and timers are not affected (the C++
// setSystemTimeOffset).
func (c *Clock) SetSystemTimeOffset(d time.Duration) { c.sysOffset.Store(int64(d)) }

// Seq returns the seq the next AsyncWait will get (the C++ seq()).
func (t *Timer) Seq() uint64 { return t.seq() }

// RefsHeld counts the refs the clock holds for its queue: the queued first
// events its registered chunks count, and its extras in use. Between
// cranks it equals the length of the queue, cancelled events included.
func (c *Clock) RefsHeld() int {
	n := 0
	for _, ch := range c.chunks {
		if ch != nil {
			n += int(ch.queued)
		}
	}
	for _, ev := range c.extras {
		if ev != nil {
			n++
		}
	}
	return n
}
