package vclock

import (
	"fmt"
	"math"
	"time"
	"unsafe"
)

// event is one wait on a timer: a callback, and seq, which orders the waits
// of one timer that share an expiry. Its expiry is in its queue entry.
type event struct {
	cb        func(error)
	seq       uint32
	triggered bool
	// queued is true while the clock's queue (or a dispatch in progress)
	// still refers to the event, which must then not be reused.
	queued bool
	// The flags of the Timer whose first event this is, kept in padding
	// that other events leave unused.
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
//
// Use a Timer through the pointer NewTimer returns; do not copy the value
// (as a C++ VirtualTimer, it is not copyable; go vet's copylocks check
// reports a copy): the methods of a copy, or of a Timer that NewTimer did
// not make, panic with a message that says so.
type Timer struct {
	// noCopy makes go vet report a copy of a Timer value.
	noCopy noCopy
	// ch is the chunk that holds the timer. It is a pointer, so that a copy
	// of a Timer value, wherever it lies, keeps that chunk alive: chunk can
	// then compare the copy's address with the timer's place in the chunk
	// without ever reading memory that was freed (see chunk).
	ch     *timerChunk
	expiry time.Duration
	// The waits since the expiry was last set, in order: first, when
	// first.firstIn says so, then *extra. first is storage for the common
	// case of one wait at a time, reused once the queue has let go of it,
	// so that arming a timer allocates nothing; extra is allocated only for
	// a second wait. first also holds the timer's flags (first.cancelled:
	// Cancel was called and no expiry set since).
	extra *[]*event
	first event
}

// noCopy is a field of zero size whose pointer has Lock and Unlock
// methods: go vet's copylocks check reports a copy of a struct that holds
// one, as it does for the sync package's types.
type noCopy struct{}

// Lock does nothing; it is there for go vet's copylocks check.
func (*noCopy) Lock() {}

// Unlock does nothing; it is there for go vet's copylocks check.
func (*noCopy) Unlock() {}

// timerChunk is the storage of chunkTimers timers of one clock, handed out
// one by one by NewTimer. One object per chunkTimers timers is what the
// collector marks and the allocator allocates, instead of one per timer;
// the cost is that a chunk stays allocated while any of its timers is
// referenced, by its owner or by the clock's queue (a dropped timer's
// 40 bytes live on until the other timers of its chunk are dropped too),
// or while a copy of one of its timers' values is.
type timerChunk struct {
	timers [chunkTimers]Timer
	clock  *Clock
	// queued counts the entries of the clock's queue that name these
	// timers' first events; while it is not zero, the chunk sits in
	// clock.chunks at index id, which the entries' refs hold.
	queued uint32
	id     uint32
}

// chunkTimers is the number of timers in a timerChunk.
const chunkTimers = 64

// A ref names the event of a queue entry: refExtra plus an index of
// Clock.extras, or, for a timer's first event, chunkTimers times the index
// of its chunk in Clock.chunks plus the timer's index in the chunk.
const (
	refExtra = 1 << 31
	maxRefs  = refExtra // of either kind
)

// NewTimer returns a timer on c, expiring now and not armed. It panics if c
// is nil. Like the clock's methods that are not safe for concurrent use,
// call it on the goroutine that cranks c. The C++ VirtualTimer constructor.
func NewTimer(c *Clock) *Timer {
	if c == nil {
		panic("vclock: NewTimer with a nil clock")
	}
	ch := c.newChunk
	if ch == nil {
		ch = &timerChunk{clock: c}
		c.newChunk, c.newUsed = ch, 0
	}
	t := &ch.timers[c.newUsed]
	c.newUsed++
	if c.newUsed == chunkTimers {
		c.newChunk = nil // the clock keeps no full chunk alive
	}
	t.ch = ch
	t.expiry = c.sinceEpoch()
	return t
}

// errNotATimer is what the methods of a Timer that NewTimer did not put
// where it is panic with.
const errNotATimer = "vclock: a Timer used through a copy of its value, or not made by NewTimer: " +
	"use the *Timer that NewTimer returned"

// chunk returns the chunk that holds t and t's offset in its timers. It
// panics, before it reads anything through t.ch, if t is not where NewTimer
// put it: a copy of a Timer value, or a zero Timer.
//
// Why this touches only live memory of the right types, for any t (the
// original, or a copy anywhere: on the stack, in another object, in memory
// that some freed chunk once held):
//   - t.ch is nil (a zero Timer, or a copy of one) or was set by NewTimer
//     to a chunk, and copied along with the rest of the value; the package
//     stores nothing else there. As a pointer, it keeps that chunk
//     allocated while t is reachable, and t is, since its method runs. So
//     t.ch is nil or a live *timerChunk: never freed memory, never memory
//     reused for other objects.
//   - The chunk's timers are the Timers at &t.ch.timers[i], i < chunkTimers.
//     t is one of them exactly when its address is: off below the array's
//     size, and t at &t.ch.timers[off/size]. A copy anywhere else (another
//     chunk's slot included) fails the test and panics; the callers read
//     the chunk's fields only after it passed.
//   - A Timer at that address is the chunk's timer i, which NewTimer handed
//     out (the chunk's memory is the chunk's while it is live). If a copy
//     of a sibling's value was assigned over it, it cannot be told from a
//     timer whose methods set that state, and needs no telling: the chunk
//     is live and its own, and the queue names events by chunk and place,
//     so nothing dangles.
//
// (A *Timer made up with package unsafe is beyond what any check can
// catch, as for any Go type.)
func (t *Timer) chunk() (*timerChunk, uintptr) {
	ch := t.ch
	if ch == nil {
		panic(errNotATimer)
	}
	off := uintptr(unsafe.Pointer(t)) - uintptr(unsafe.Pointer(&ch.timers))
	if off >= unsafe.Sizeof(ch.timers) || &ch.timers[off/unsafe.Sizeof(Timer{})] != t {
		panic(errNotATimer)
	}
	return ch, off
}

// clock returns t's clock; it panics as chunk does.
func (t *Timer) clock() *Clock {
	ch, _ := t.chunk()
	return ch.clock
}

// firstRef returns the ref of t's first event, and counts one more queue
// entry naming it, giving t's chunk an index in c.chunks if it had none.
func (t *Timer) firstRef(ch *timerChunk, off uintptr) uint32 {
	if ch.queued == 0 {
		ch.clock.addChunk(ch)
	}
	ch.queued++
	return ch.id*chunkTimers + uint32(off/unsafe.Sizeof(Timer{}))
}

// addChunk gives ch an index in c.chunks.
func (c *Clock) addChunk(ch *timerChunk) {
	if n := len(c.freeChunks); n > 0 {
		ch.id = c.freeChunks[n-1]
		c.freeChunks = c.freeChunks[:n-1]
		c.chunks[ch.id] = ch
		return
	}
	if len(c.chunks) >= maxRefs/chunkTimers {
		panic("vclock: more than 2147483648 timer events queued")
	}
	ch.id = uint32(len(c.chunks))
	c.chunks = append(c.chunks, ch)
}

// extraRef returns a new ref for ev, which is not a timer's first event.
func (c *Clock) extraRef(ev *event) uint32 {
	if n := len(c.freeExtras); n > 0 {
		i := c.freeExtras[n-1]
		c.freeExtras = c.freeExtras[:n-1]
		c.extras[i] = ev
		return refExtra | i
	}
	if len(c.extras) >= maxRefs {
		panic("vclock: more than 2147483648 timer events queued")
	}
	c.extras = append(c.extras, ev)
	return refExtra | uint32(len(c.extras)-1)
}

// eventAt returns the event ref names.
func (c *Clock) eventAt(ref uint32) *event {
	if ref&refExtra != 0 {
		return c.extras[ref&^refExtra]
	}
	return &c.chunks[ref/chunkTimers].timers[ref%chunkTimers].first
}

// take returns the event ref names, which a queue entry no longer names,
// and frees ref: ev.queued is then the caller's to clear.
func (c *Clock) take(ref uint32) *event {
	if ref&refExtra != 0 {
		i := ref &^ refExtra
		ev := c.extras[i]
		c.extras[i] = nil
		c.freeExtras = append(c.freeExtras, i)
		return ev
	}
	ch := c.chunks[ref/chunkTimers]
	ch.queued--
	if ch.queued == 0 {
		c.chunks[ch.id] = nil
		c.freeChunks = append(c.freeChunks, ch.id)
	}
	return &ch.timers[ref%chunkTimers].first
}

// ExpiryTime returns the time the timer expires at.
func (t *Timer) ExpiryTime() time.Time { return t.clock().epoch.Add(t.expiry) }

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
	c := t.clock()
	d, ok := offsetOf(at, c.epoch)
	if !ok {
		panic(fmt.Sprintf("vclock: ExpiresAt(%v) is out of range: a clock holds instants up to %v",
			at, c.epoch.Add(maxElapsed)))
	}
	t.cancel(c)
	t.expiry = d
	t.first.cancelled = false
}

// ExpiresFromNow cancels any waits and sets the expiry to now plus d. A
// negative or zero d makes the timer due at once: it fires on the clock's
// next timer step. The sum saturates at the largest instant the clock
// holds, so a timer armed near the end of time is due at that instant, not
// wrapped round into the past. The C++ expires_from_now.
func (t *Timer) ExpiresFromNow(d time.Duration) {
	c := t.clock()
	t.cancel(c)
	t.expiry = addSat(c.sinceEpoch(), d)
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
	ch, off := t.chunk()
	c := ch.clock
	if c.IsStopped() || t.first.cancelled {
		return
	}
	seq := t.seq()
	if seq > math.MaxUint32 {
		panic("vclock: more than 4294967295 waits on one timer expiry")
	}
	if seq == 0 && !t.first.queued {
		t.first.cb, t.first.seq, t.first.triggered = fn, 0, false
		t.first.firstIn = true
		t.first.queued = true
		c.enqueue(eventEntry{when: t.expiry, ref: t.firstRef(ch, off)})
		return
	}
	ev := &event{seq: uint32(seq), cb: fn, queued: true}
	c.enqueue(eventEntry{when: t.expiry, seq: uint32(seq), ref: c.extraRef(ev)})
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
func (t *Timer) Cancel() { t.cancel(t.clock()) }

// cancel is Cancel, given t's clock.
func (t *Timer) cancel(c *Clock) {
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
	c.flushCancelledEvents()
	t.first.firstIn = false
	if t.extra != nil {
		clear(*t.extra)
		*t.extra = (*t.extra)[:0]
	}
}

// enqueue adds an entry to the queue.
func (c *Clock) enqueue(e eventEntry) {
	c.events.push(e)
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
	c.events.rebuild(func(e eventEntry) bool {
		if c.eventAt(e.ref).triggered {
			c.take(e.ref).queued = false
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
		ev := c.take(c.events.pop().ref)
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
	e := c.events.pop()
	if c.events.Len() == 0 || c.events.top().when > now {
		// The usual case, one event due: nothing else to put back if its
		// callback panics. The real-time wake-up is set before the call;
		// timers the callback arms or cancels set it again themselves.
		c.maybeSetRealTimer()
		ev := c.take(e.ref)
		ev.queued = false
		ev.trigger()
		return 1
	}
	due := append(c.dispatch[:0], e)
	for c.events.Len() > 0 && c.events.top().when <= now {
		due = append(due, c.events.pop())
	}
	// Pop first, fire after: callbacks may arm or cancel timers. An event
	// stays marked queued, and its ref held, until its turn, so that a
	// callback re-arming another due timer does not reuse that timer's
	// event under us.
	next, fired := 0, false
	defer func() {
		if !fired {
			c.requeue(due, next)
		}
	}()
	for next < len(due) {
		ev := c.take(due[next].ref)
		next++
		ev.queued = false
		ev.trigger()
	}
	fired = true
	c.dispatch = due[:0]
	c.maybeSetRealTimer()
	return len(due)
}

// requeue is the end of an advanceToNow whose callback due[next-1]
// panicked: it puts back the due entries the panic cut off, so that they
// fire on a later crank instead of being lost, and a caller that recovers
// from the panic loses no timer. Cancelled ones are dropped.
func (c *Clock) requeue(due []eventEntry, next int) {
	for _, e := range due[next:] {
		if c.eventAt(e.ref).triggered {
			c.take(e.ref).queued = false
		} else {
			c.events.push(e)
		}
	}
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
