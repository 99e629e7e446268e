package vclock

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/stellarwork/stellarwork/internal/actionsched"
	"github.com/stellarwork/stellarwork/internal/vclockhook"
)

// The hooks of the library's own packages, which users cannot reach.
func init() {
	vclockhook.Register(
		func(c any) vclockhook.Poster { return (*onCrank)(c.(*Clock)) },
		func(c any) (time.Time, bool) { return c.(*Clock).next() },
	)
	vclockhook.RegisterSelf(func(c any) *vclockhook.Self { return c.(*Clock).self })
}

// Mode selects where a Clock's time comes from.
type Mode int

const (
	// VirtualTime: time starts at the epoch and moves only when the program
	// moves it (SleepFor, SetCurrentVirtualTime) or when an idle Crank jumps
	// to the next timer. The C++ VIRTUAL_TIME.
	VirtualTime Mode = iota
	// RealTime: time is the injected wall clock. The C++ REAL_TIME.
	RealTime
)

// String returns "VIRTUAL_TIME" or "REAL_TIME".
func (m Mode) String() string {
	switch m {
	case VirtualTime:
		return "VIRTUAL_TIME"
	case RealTime:
		return "REAL_TIME"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ActionType says whether a posted action may be dropped when the action
// scheduler is overloaded.
type ActionType = actionsched.ActionType

const (
	// NormalAction is never dropped.
	NormalAction = actionsched.NormalAction
	// DroppableAction is dropped when it has waited longer than the
	// scheduler's latency window.
	DroppableAction = actionsched.DroppableAction
)

const (
	// CrankTimeSlice bounds each step of a crank in time, and is the slice
	// after which ShouldYield reports true in RealTime mode.
	CrankTimeSlice = 500 * time.Millisecond
	// crankEventSlice bounds each step of a crank in count: a step runs at
	// most crankEventSlice-1 handlers, as the C++ pre-increment test does.
	crankEventSlice = 100
	// SchedulerLatencyWindow is the latency window of the action scheduler.
	SchedulerLatencyWindow = 5 * time.Second
)

// ErrOperationAborted is the error a timer callback receives when its wait is
// cancelled (asio's operation_aborted).
var ErrOperationAborted = errors.New("operation aborted")

// virtualEpoch is time zero of every VirtualTime clock, the Unix epoch, as
// the C++ system_now is "early 1970" in virtual mode.
var virtualEpoch = time.Unix(0, 0).UTC()

// Option configures a Clock.
type Option func(*Clock)

// WithWallClock sets the wall clock that RealTime mode reads and sleeps on.
// Tests pass clock.NewMock(). The default is the real wall clock.
func WithWallClock(c clock.Clock) Option {
	return func(vc *Clock) { vc.wall = c }
}

// Clock is the Go VirtualClock. Build it with New.
type Clock struct {
	mode  Mode
	wall  clock.Clock
	epoch time.Time // time zero: virtualEpoch, or the wall time at New
	// realWall is set when wall is the default real clock, which
	// wallSince then reads directly rather than through the interface.
	realWall bool

	virtualNow atomic.Int64 // nanoseconds since epoch, VirtualTime only

	// Timer events, ordered as libstdc++'s priority_queue orders them.
	events         eventHeap
	flushesIgnored int
	dispatch       []eventEntry // reused buffer of advanceToNow
	// What the queue's refs name: the chunks of timers whose first events
	// are queued, and the other queued events; freed indexes are reused,
	// the last freed first.
	chunks     []*timerChunk
	freeChunks []uint32
	extras     []*event
	freeExtras []uint32
	// NewTimer hands out the timers of newChunk; newUsed are taken.
	newChunk *timerChunk
	newUsed  int

	actions           *actionsched.Scheduler
	lastDispatchStart time.Duration

	// Guarded by mu: the cross-goroutine submission point.
	mu      sync.Mutex
	pending pendingList
	// spare to spareTail: empty chunks for pending, which the crank gives
	// it at the next transfer.
	spare, spareTail *pendingChunk
	// signals packs what a crank reads without taking mu into one word:
	// remoteBit is set while pending is not empty (it changes only under
	// mu), localBit while first is set, ownerBit while a Crank runs,
	// and the other bits count the no-op I/O handlers (wake-ups) ever
	// queued. ioTaken, owned by the
	// crank goroutine, counts those it has run.
	signals atomic.Uint64
	ioTaken uint64
	// first and local hold what postActionOnCrank queued: the posts of
	// the crank goroutine itself, which need no lock. They were all made
	// before the first action now in pending, so they move into the
	// scheduler first. first is the earliest (its fn is nil when there is
	// none), local the later ones, in order: the usual single post (the
	// WorkScheduler's re-post) goes in and out of a field, not a slice.
	first pendingAction
	local []pendingAction
	// self is the post of an action by itself that the crank makes for it
	// (see vclockhook.Self): the WorkScheduler's re-post, made without a
	// call, and for the usual crank moved into the scheduler without
	// passing through first.
	self *vclockhook.Self // the action scheduler's
	// park is parkRunning, parkWaiting while a crank waits in runOne for
	// an I/O handler, or parkClaimed once a waker has claimed that wait
	// (see signal). The claimer hands the crank its answer channel through
	// wakeCh, the one wake-up of that wait.
	park      atomic.Int32
	wakeCh    chan chan struct{}
	stopped   atomic.Bool
	sysOffset atomic.Int64 // drift added to SystemNow, set only by tests

	background atomic.Int64

	// RealTime mode: when the "real timer" is due (-1: not armed).
	realTimerAt time.Duration
}

// The flag bits of Clock.signals.
const (
	remoteBit   = 1 << 63 // pending is not empty
	localBit    = 1 << 62 // local is not empty
	ownerBit    = 1 << 61 // a Crank is running
	pendingBits = remoteBit | localBit
	flagBits    = pendingBits | ownerBit
)

// errCrankBusy is what a Crank refused by the ownership guard panics with.
const errCrankBusy = "vclock: Crank called while a Crank of the same clock is running: " +
	"a crank started from inside an action, a timer callback or a hook " +
	"(a nested Crank, ExecuteWork or Run), or two goroutines cranking one clock at once"

// hasPending reports whether posted actions wait to move into the action
// scheduler.
func (c *Clock) hasPending() bool { return c.signals.Load()&pendingBits != 0 }

// markPosted sets flag, and counts a wake-up I/O handler if nothing was
// pending: a crank that found nothing pending may be about to block.
// It reports whether it counted one.
func (c *Clock) markPosted(flag uint64) bool {
	for {
		v := c.signals.Load()
		nv := v | flag
		if v&pendingBits == 0 {
			nv++
		}
		if c.signals.CompareAndSwap(v, nv) {
			return v&pendingBits == 0
		}
	}
}

type pendingAction struct {
	fn   func()
	name string
	typ  ActionType
}

// New returns a clock in the given mode. In VirtualTime mode its elapsed
// time starts at zero, so Now reads the Unix epoch until time moves; in
// RealTime mode it starts at the wall clock's reading.
func New(mode Mode, opts ...Option) *Clock {
	if mode != VirtualTime && mode != RealTime {
		panic(fmt.Sprintf("vclock: unknown mode %d", int(mode)))
	}
	c := &Clock{
		mode:        mode,
		wall:        clock.New(),
		wakeCh:      make(chan chan struct{}, 1),
		realTimerAt: -1,
	}
	real := c.wall
	for _, o := range opts {
		o(c)
	}
	c.realWall = c.wall == real
	if c.wall == nil {
		panic("vclock: WithWallClock(nil)")
	}
	if mode == VirtualTime {
		c.epoch = virtualEpoch
	} else {
		c.epoch = c.wall.Now()
	}
	now := c.sinceEpoch
	if mode == RealTime && c.realWall {
		// The scheduler reads the clock about twice per action it runs:
		// the default wall clock straight, without the method value's
		// wrapper and wallSince's call.
		epoch := c.epoch
		now = func() time.Duration { return time.Since(epoch) }
	}
	c.actions = actionsched.New(now, SchedulerLatencyWindow)
	if mode == VirtualTime {
		c.actions.SetVirtualNow(&c.virtualNow)
		// A virtual clock's Crank has no deferred function: a panic out
		// of an action gives the clock back at the end of the action
		// scheduler's bookkeeping after it (see Crank).
		c.actions.AfterPanic(c.disown)
	} else {
		c.actions.ReuseReads() // the wall clock reads have no side effect
	}
	c.actions.WatchPending(&c.signals, pendingBits)
	c.self = c.actions.Self()
	return c
}

// Mode returns the clock's mode.
func (c *Clock) Mode() Mode { return c.mode }

// sinceEpoch is the clock's now as an offset from its epoch.
func (c *Clock) sinceEpoch() time.Duration {
	if c.mode == RealTime {
		return c.wallSince()
	}
	return time.Duration(c.virtualNow.Load())
}

// wallSince is sinceEpoch in RealTime mode, out of line so that
// sinceEpoch, and with it Elapsed, inline. The default wall clock is read
// with time.Since itself: the same reading, without two calls through the
// clock.Clock interface and its wrapper.
//
//go:noinline
func (c *Clock) wallSince() time.Duration {
	if c.realWall {
		return time.Since(c.epoch)
	}
	return c.wall.Since(c.epoch)
}

// Now returns the clock's current time. In VirtualTime mode that is the Unix
// epoch plus the virtual time elapsed. Safe from any goroutine.
func (c *Clock) Now() time.Time { return c.epoch.Add(c.sinceEpoch()) }

// Elapsed returns the time since the clock's epoch: virtual now in
// VirtualTime mode (what the C++ calls time_since_epoch of now()).
func (c *Clock) Elapsed() time.Duration { return c.sinceEpoch() }

// Epoch returns the clock's time zero.
func (c *Clock) Epoch() time.Time { return c.epoch }

// SystemNow returns calendar time: the wall clock in RealTime mode, the Unix
// epoch plus virtual time in VirtualTime mode, plus the drift that tests may
// set (the C++ setSystemTimeOffset, kept in export_test.go). Safe from any
// goroutine. The C++ system_now.
func (c *Clock) SystemNow() time.Time {
	var t time.Time
	if c.mode == RealTime {
		t = c.wall.Now().Round(0)
	} else {
		t = virtualEpoch.Add(time.Duration(c.virtualNow.Load()))
	}
	return t.Add(time.Duration(c.sysOffset.Load()))
}

// maxElapsed is the largest offset from its epoch that a clock holds: about
// 292 years, as an int64 count of nanoseconds (the C++ time_point::max()).
// Timer expiries beyond it saturate to it; a clock time beyond it panics.
const maxElapsed = time.Duration(math.MaxInt64)

// addSat returns a+d, saturated at maxElapsed and at the smallest duration
// instead of wrapping round.
func addSat(a, d time.Duration) time.Duration {
	s := a + d
	if d > 0 && s < a {
		return maxElapsed
	}
	if d < 0 && s > a {
		return math.MinInt64
	}
	return s
}

// offsetOf returns t as an offset from epoch, and false if that offset does
// not fit in a time.Duration (time.Time.Sub would clamp it silently).
func offsetOf(t, epoch time.Time) (time.Duration, bool) {
	d := t.Sub(epoch)
	return d, epoch.Add(d).Equal(t)
}

// SetCurrentVirtualTime moves virtual time to t. It panics in RealTime mode;
// when t is earlier than now, as virtual time never goes backwards; and when
// t lies beyond the largest instant a clock holds (the Unix epoch plus
// math.MaxInt64 nanoseconds, in the year 2262), naming t, rather than
// clamping it. The C++ setCurrentVirtualTime.
func (c *Clock) SetCurrentVirtualTime(t time.Time) {
	if c.mode != VirtualTime {
		panic("vclock: SetCurrentVirtualTime needs VIRTUAL_TIME mode")
	}
	d, ok := offsetOf(t, virtualEpoch)
	if !ok {
		panic(fmt.Sprintf("vclock: SetCurrentVirtualTime(%v) is out of range: a clock holds instants from %v to %v",
			t, virtualEpoch, virtualEpoch.Add(maxElapsed)))
	}
	c.setVirtual(d)
}

func (c *Clock) setVirtual(d time.Duration) {
	if c.mode != VirtualTime {
		panic("vclock: SetCurrentVirtualTime needs VIRTUAL_TIME mode")
	}
	if cur := time.Duration(c.virtualNow.Load()); d < cur {
		panic(fmt.Sprintf("vclock: virtual time cannot go backwards (from %v to %v)", cur, d))
	}
	c.virtualNow.Store(int64(d))
}

// SleepFor advances virtual time by d in VirtualTime mode, and sleeps on the
// wall clock in RealTime mode. A negative d panics, as moving time backwards
// does, and so does a d that would take virtual time past the largest
// instant a clock holds (see SetCurrentVirtualTime). The C++ sleep_for.
func (c *Clock) SleepFor(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("vclock: SleepFor with a negative duration %v", d))
	}
	if c.mode == VirtualTime {
		now := c.sinceEpoch()
		if now > maxElapsed-d {
			panic(fmt.Sprintf("vclock: SleepFor(%v) at %v is out of range: a clock holds instants up to %v",
				d, c.Now(), virtualEpoch.Add(maxElapsed)))
		}
		c.setVirtual(now + d)
		return
	}
	c.wall.Sleep(d)
}

// ShouldYield reports whether a loop running on the crank goroutine should
// return control to the clock. It is always true in VirtualTime mode, so that
// runs are deterministic; in RealTime mode it is true once the current crank
// step has run for more than CrankTimeSlice, counted in whole milliseconds.
func (c *Clock) ShouldYield() bool {
	return c.mode == VirtualTime || c.sliceOver() // inlined at the caller
}

// sliceOver reports whether the current crank step has run for more than
// CrankTimeSlice. As the C++, it compares whole milliseconds: 500.9 ms is
// not over 500 ms.
func (c *Clock) sliceOver() bool {
	return (c.sinceEpoch() - c.lastDispatchStart).Truncate(time.Millisecond) > CrankTimeSlice
}

// next returns the expiry of the earliest queued timer event, and false when
// none is queued. A cancelled event that has not been flushed yet still
// counts, as in the C++ next(). Tests reach it through internal/vclockhook.
func (c *Clock) next() (time.Time, bool) {
	if c.events.Len() == 0 {
		return time.Time{}, false
	}
	return c.epoch.Add(c.events.top().when), true
}

// PendingTimers returns how many timer events are armed: queued, and
// neither fired nor cancelled. Cancelled events that the throttled flush has
// not removed yet stay in the queue, as in C++ (where next() still sees
// them), but are not counted. It only reads the queue, in time linear in its length.
// Call it between cranks, on the crank goroutine: during a crank's timer
// step, the events being fired are out of the queue and not counted.
func (c *Clock) PendingTimers() int {
	n := 0
	for i := range c.events.Len() {
		if !c.eventAt(c.events.at(i).ref).triggered {
			n++
		}
	}
	return n
}

// IsStopped reports whether Shutdown has been called. Safe from any
// goroutine.
func (c *Clock) IsStopped() bool { return c.stopped.Load() }

// Shutdown cancels every timer event (their callbacks get
// ErrOperationAborted, at once), stops the clock and drops every posted
// action. After it, PostAction and Timer.AsyncWait do nothing and Crank finds
// nothing to run. Calling it again does nothing.
//
// Shutdown runs the timers' callbacks and empties the action queues, so it
// belongs to the crank goroutine (ports VirtualClock::shutdown, which the
// C++ calls on the main thread). From another goroutine, post it:
// c.PostAction(c.Shutdown, "shutdown", NormalAction); the next Crank, busy
// or waiting, runs it. Called while a Crank(true) waits for a post or a
// timer, which only another goroutine can do, it panics with a message
// saying so, before it changes anything; from another goroutine while a
// crank is busy it is a data race, which go test -race reports.
func (c *Clock) Shutdown() {
	if c.park.Load() == parkWaiting {
		panic("vclock: Shutdown called from another goroutine while Crank waits; it belongs to the crank goroutine: post it with c.PostAction(c.Shutdown, \"shutdown\", vclock.NormalAction)")
	}
	if c.IsStopped() {
		return
	}
	for c.cancelAllEvents() {
	}
	c.mu.Lock()
	c.stopped.Store(true)
	if c.pending.n > 0 {
		c.signals.Add(^uint64(remoteBit - 1)) // clears it
	}
	c.pending.drop()
	c.mu.Unlock()
	c.signal()
	c.actions.Shutdown()
}

// NewBackgroundWork records that a goroutine has started work whose result
// will come back through PostAction. While any is outstanding, an idle
// VirtualTime crank does not jump time forward. It counts nothing in
// RealTime mode. Safe from any goroutine.
func (c *Clock) NewBackgroundWork() {
	if c.mode == VirtualTime {
		c.background.Add(1)
	}
}

// FinishedBackgroundWork records that background work started with
// NewBackgroundWork has finished, and wakes a blocked Crank. Safe from any
// goroutine. Like PostAction, when it wakes a waiting Crank it returns once
// the woken crank goroutine has been scheduled.
func (c *Clock) FinishedBackgroundWork() {
	if c.mode != VirtualTime {
		return
	}
	if c.background.Add(-1) < 0 {
		panic("vclock: FinishedBackgroundWork without NewBackgroundWork")
	}
	c.postIO()
}

// BackgroundWorkCount returns the outstanding background work.
func (c *Clock) BackgroundWorkCount() int { return int(c.background.Load()) }

// PostAction queues f to run on the crank goroutine, in a later Crank, under
// the scheduler queue name and type. It is the one way back onto the crank
// goroutine, and is safe to call from any goroutine. After Shutdown it does
// nothing. A post that wakes a Crank waiting for one blocks briefly: it
// returns once the woken crank goroutine has been scheduled, having given
// it its processor, so that the crank does not wait behind a poster that
// keeps its own thread busy.
func (c *Clock) PostAction(f func(), name string, typ ActionType) {
	if f == nil {
		panic("vclock: PostAction with a nil action")
	}
	if c.IsStopped() {
		return
	}
	c.mu.Lock()
	if c.stopped.Load() {
		c.mu.Unlock()
		return
	}
	woke := false
	if c.pending.n == 0 {
		woke = c.markPosted(remoteBit)
	}
	c.pending.push(f, name, typ)
	c.mu.Unlock()
	if woke {
		c.signal()
	}
}

// postActionOnCrank is PostAction for code running on the crank goroutine:
// an action, a timer callback, or the goroutine that cranks, between
// cranks. The action runs in the same order and on the same crank as with
// PostAction, but posting takes no lock. Called from any other goroutine
// it is a data race, so it is not exported: the library's own packages
// (the WorkScheduler's re-post) reach it through internal/vclockhook.
func (c *Clock) postActionOnCrank(f func(), name string, typ ActionType) {
	(*onCrank)(c).PostOnCrank(f, name, typ)
}

// onCrank is a Clock as the vclockhook.Poster of its crank goroutine:
// the WorkScheduler's re-post calls PostOnCrank through the interface,
// which goes straight to the method.
type onCrank Clock

// PostOnCrank is postActionOnCrank.
func (o *onCrank) PostOnCrank(f func(), name string, typ ActionType) {
	c := (*Clock)(o)
	if f == nil {
		panic("vclock: PostAction with a nil action")
	}
	if c.IsStopped() {
		return
	}
	if c.signals.Load()&remoteBit != 0 {
		// Another goroutine's post is pending: queue behind it.
		c.PostAction(f, name, typ)
		return
	}
	if c.first.fn == nil {
		c.markPosted(localBit)
		c.first = pendingAction{fn: f, name: name, typ: typ}
		return
	}
	c.local = append(c.local, pendingAction{fn: f, name: name, typ: typ})
}

// postSelf makes the post c.self asks for, as its action's PostOnCrank at
// its end would have.
func (c *Clock) postSelf() {
	c.self.Posted = false
	(*onCrank)(c).PostOnCrank(c.self.Fn, c.self.Name, c.self.Typ)
}

// postIO queues one no-op I/O handler and wakes a blocked crank.
func (c *Clock) postIO() {
	c.mu.Lock()
	if !c.stopped.Load() {
		c.signals.Add(1)
	}
	c.mu.Unlock()
	c.signal()
}

// The states of Clock.park.
const (
	parkRunning = iota // no crank waits in runOne
	parkWaiting        // a crank waits in runOne, or is about to
	parkClaimed        // a waker has claimed the crank's wait
)

// answers holds the channels on which woken cranks answer their wakers:
// one per claim, so that a crank's answer never waits on a waker.
var answers = sync.Pool{New: func() any { return make(chan struct{}, 1) }}

// signal wakes a crank waiting in runOne. The crank marks itself waiting
// before it looks at signals and stopped one last time, and wakers raise
// signals or stopped before they look at park, so one of the two always
// sees the other: no wake-up is lost, and a post made while no crank waits
// does nothing more.
//
// The waker that claims the wait hands the crank a channel and waits on it
// until the woken crank goroutine runs and answers, before it runs
// anything else. The woken goroutine is queued to run next on the waker's
// processor, which the waker gives up while it waits, so the crank runs on
// the waker's thread, which is running. Yielding instead (runtime.Gosched)
// put the waker on the global run queue, where the idle thread that the
// runtime wakes along with the crank took it; a waker that then spun (on
// the action's result, say) held a core while the crank's thread waited
// for one, with another process loading the other core for the operating
// system's time slice: milliseconds. A crank never waits in runOne while
// it runs code of its own (actions, timer callbacks), so the claimer is
// never the crank itself.
func (c *Clock) signal() {
	if c.park.Load() != parkWaiting || !c.park.CompareAndSwap(parkWaiting, parkClaimed) {
		return
	}
	ch := answers.Get().(chan struct{})
	c.wakeCh <- ch
	<-ch
	answers.Put(ch)
}

// ActionQueueSize returns the posted actions not yet run: pending ones and
// those in the scheduler.
func (c *Clock) ActionQueueSize() int {
	c.mu.Lock()
	n := c.pending.n
	c.mu.Unlock()
	if !c.IsStopped() {
		// After Shutdown, the next crank drops them.
		n += len(c.local)
		if c.first.fn != nil {
			n++
		}
	}
	return n + c.actions.Size()
}

// ActionQueueIsOverloaded reports whether the action scheduler is overloaded.
func (c *Clock) ActionQueueIsOverloaded() bool { return c.actions.OverloadedDuration() != 0 }

// CurrentSchedulerActionType returns the type of the action running now, or
// NormalAction outside actions.
func (c *Clock) CurrentSchedulerActionType() ActionType { return c.actions.CurrentActionType() }
