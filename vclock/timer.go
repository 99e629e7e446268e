package vclock

import (
	"fmt"
	"math"
	"time"
)

// event is one wait on a timer: a callback due at when. seq orders the waits
// of one timer that share an expiry.
type event struct {
	when      time.Duration
	cb        func(error)
	seq       uint32
	triggered bool
	// queued is true while the clock's queue (or a dispatch in progress)
	// still refers to the event, which must then not be reused.
	queued bool
	// The flags of the Timer whose first event this is, kept in padding
	// that other events leave unused: they make a Timer 48 bytes, not 64.
	cancelled, firstIn bool
}

// trigger runs the callback with no error, once.
func (e *event) trigger() {
	if !e.triggered {
		e.triggered = true
		cb := e.cb
		e.cb = nil
		cb(nil)
	}
}

// cancel runs the callback with ErrOperationAborted, once.
func (e *event) cancel() {
	if !e.triggered {
		e.triggered = true
		cb := e.cb
		e.cb = nil
		cb(ErrOperationAborted)
	}
}

// Timer is the Go VirtualTimer: a one-shot timer on a Clock that may have
// several callbacks waiting on the same expiry.
//
// A C++ VirtualTimer cancels itself when destroyed. Go has no destructors:
// where stellar-core lets a timer go out of scope, call Cancel, which keeps
// the clock's throttled flush count the same as in C++.
type Timer struct {
	c      *Clock
	expiry time.Duration
	// The waits since the expiry was last set, in order: first, when
	// first.firstIn says so, then *extra. first is storage for the common
	// case of one wait at a time, reused once the queue has let go of it,
	// so that arming a timer allocates nothing; extra is allocated only for
	// a second wait. first also holds the timer's flags (first.cancelled:
	// Cancel was called and no expiry set since). Keeping the struct at 48
	// bytes and free of pointers into itself makes a million timers
	// cheaper for the collector.
	extra *[]*event
	first event
}

// NewTimer returns a timer on c, expiring now and not armed.
func NewTimer(c *Clock) *Timer {
	if c == nil {
		panic("vclock: NewTimer with a nil clock")
	}
	return &Timer{c: c, expiry: c.sinceEpoch()}
}

// ExpiryTime returns the time the timer expires at.
func (t *Timer) ExpiryTime() time.Time { return t.c.epoch.Add(t.expiry) }

// seq returns the seq the next AsyncWait will get: 0 after a fresh expiry,
// then one more per wait on the same expiry (the C++ seq()).
func (t *Timer) seq() uint64 {
	if t.extra != nil && len(*t.extra) > 0 {
		x := *t.extra
		return uint64(x[len(x)-1].seq) + 1
	}
	if t.first.firstIn {
		return uint64(t.first.seq) + 1
	}
	return 0
}

// ExpiresAt cancels any waits and sets the expiry to at. It panics, naming
// at, before cancelling anything, if at lies outside the instants the clock
// holds (its epoch plus or minus about 292 years). The C++ expires_at.
func (t *Timer) ExpiresAt(at time.Time) {
	d, ok := offsetOf(at, t.c.epoch)
	if !ok {
		panic(fmt.Sprintf("vclock: ExpiresAt(%v) is out of range: a clock holds instants up to %v",
			at, t.c.epoch.Add(maxElapsed)))
	}
	t.Cancel()
	t.expiry = d
	t.first.cancelled = false
}

// ExpiresFromNow cancels any waits and sets the expiry to now plus d. A
// negative or zero d makes the timer due at once: it fires on the clock's
// next timer step. The sum saturates at the largest instant the clock
// holds, so a timer armed near the end of time is due at that instant, not
// wrapped round into the past. The C++ expires_from_now.
func (t *Timer) ExpiresFromNow(d time.Duration) {
	t.Cancel()
	t.expiry = addSat(t.c.sinceEpoch(), d)
	t.first.cancelled = false
}

// AsyncWait arms the timer: fn runs on the crank goroutine with a nil error
// when the timer fires, or with ErrOperationAborted when it is cancelled.
// After Cancel, until the next ExpiresAt or ExpiresFromNow, and on a stopped
// clock, it does nothing.
func (t *Timer) AsyncWait(fn func(error)) {
	if fn == nil {
		panic("vclock: AsyncWait with a nil callback")
	}
	if t.c.IsStopped() || t.first.cancelled {
		return
	}
	seq := t.seq()
	if seq > math.MaxUint32 {
		panic("vclock: more than 4294967295 waits on one timer expiry")
	}
	if seq == 0 && !t.first.queued {
		t.first.when, t.first.cb, t.first.seq, t.first.triggered = t.expiry, fn, 0, false
		t.first.firstIn = true
		t.c.enqueue(&t.first)
		return
	}
	ev := &event{when: t.expiry, seq: uint32(seq), cb: fn}
	t.c.enqueue(ev)
	if t.extra == nil {
		t.extra = new([]*event)
	}
	*t.extra = append(*t.extra, ev)
}

// AsyncWaitFunc arms the timer with one callback for firing and one for
// cancellation.
func (t *Timer) AsyncWaitFunc(onSuccess func(), onFailure func(error)) {
	if onSuccess == nil || onFailure == nil {
		panic("vclock: AsyncWaitFunc with a nil callback")
	}
	t.AsyncWait(func(err error) {
		if err != nil {
			onFailure(err)
		} else {
			onSuccess()
		}
	})
}

// OnFailureNoop is a failure callback that ignores the error.
func OnFailureNoop(error) {}

// Cancel cancels every wait: each callback not yet run runs now with
// ErrOperationAborted. The events stay in the clock's queue until its
// throttled flush, as in C++. Further AsyncWait calls do nothing until the
// expiry is set again. Cancelling a cancelled timer does nothing.
func (t *Timer) Cancel() {
	if t.first.cancelled {
		return
	}
	t.first.cancelled = true
	// The waits as they stand now: a callback that arms the timer again
	// adds a wait that this Cancel leaves alone, as the C++ loop does.
	var more []*event
	if t.extra != nil {
		more = *t.extra
	}
	if t.first.firstIn {
		t.first.cancel()
	}
	for _, ev := range more {
		ev.cancel()
	}
	t.c.flushCancelledEvents()
	t.first.firstIn = false
	if t.extra != nil {
		clear(*t.extra)
		*t.extra = (*t.extra)[:0]
	}
}

// enqueue adds an event to the queue.
func (c *Clock) enqueue(ev *event) {
	ev.queued = true
	c.events.push(ev)
	c.maybeSetRealTimer()
}

// flushCancelledEvents is called once per timer cancellation. It rebuilds
// the queue without cancelled events only once it has been called more
// times than there are queued events, so that cancelling many timers one at
// a time stays linear overall.
func (c *Clock) flushCancelledEvents() {
	if c.flushesIgnored <= c.events.Len() {
		c.flushesIgnored++
		return
	}
	c.events.rebuild(func(ev *event) bool {
		if ev.triggered {
			ev.queued = false
			return false
		}
		return true
	})
	c.flushesIgnored = 0
	c.maybeSetRealTimer()
}

// cancelAllEvents pops and cancels every queued event, and reports whether
// there were any.
func (c *Clock) cancelAllEvents() bool {
	had := c.events.Len() > 0
	for c.events.Len() > 0 {
		ev := c.events.pop()
		ev.queued = false
		ev.cancel()
	}
	return had
}

// advanceToNow fires every event due by now, in queue order, and returns
// how many it popped.
func (c *Clock) advanceToNow() int {
	now := c.sinceEpoch()
	if c.events.Len() == 0 || c.events.top().when > now {
		c.maybeSetRealTimer()
		return 0
	}
	ev := c.events.pop()
	if c.events.Len() == 0 || c.events.top().when > now {
		// The usual case, one event due: nothing else to put back if its
		// callback panics. The real-time wake-up is set before the call;
		// timers the callback arms or cancels set it again themselves.
		c.maybeSetRealTimer()
		ev.queued = false
		ev.trigger()
		return 1
	}
	due := append(c.dispatch[:0], ev)
	for c.events.Len() > 0 && c.events.top().when <= now {
		due = append(due, c.events.pop())
	}
	// Pop first, fire after: callbacks may arm or cancel timers. An event
	// stays marked queued until its turn, so that a callback re-arming
	// another due timer does not reuse that timer's event under us.
	next, fired := 0, false
	defer func() {
		if !fired {
			c.requeue(due, next)
		}
	}()
	for next < len(due) {
		ev := due[next]
		next++
		ev.queued = false
		ev.trigger()
		due[next-1] = nil
	}
	fired = true
	c.dispatch = due[:0]
	c.maybeSetRealTimer()
	return len(due)
}

// requeue is the end of an advanceToNow whose callback due[next-1]
// panicked: it puts back the due events the panic cut off, so that they
// fire on a later crank instead of being lost, and a caller that recovers
// from the panic loses no timer. Cancelled ones are dropped.
func (c *Clock) requeue(due []*event, next int) {
	for _, ev := range due[next:] {
		if ev.triggered {
			ev.queued = false
		} else {
			c.events.push(ev)
		}
	}
	clear(due)
	c.dispatch = due[:0]
	c.maybeSetRealTimer()
}

// advanceToNext jumps virtual time to the earliest event, if it is later,
// then fires what is due.
func (c *Clock) advanceToNext() int {
	if c.events.Len() == 0 {
		return 0
	}
	if next := c.events.top().when; time.Duration(c.virtualNow.Load()) < next {
		c.virtualNow.Store(int64(next))
	}
	return c.advanceToNow()
}

// maybeSetRealTimer re-arms the RealTime wake-up for the earliest event.
func (c *Clock) maybeSetRealTimer() {
	if c.mode != RealTime {
		return
	}
	if c.events.Len() == 0 {
		c.realTimerAt = -1
		return
	}
	c.realTimerAt = c.events.top().when
}
