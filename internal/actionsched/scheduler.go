// Package actionsched is the Go port of stellar-core's Scheduler
// (src/util/Scheduler.h and Scheduler.cpp): the fair, load-shedding
// multi-queue scheduler that the VirtualClock uses to run posted actions on
// the main goroutine.
//
// # Model
//
// Every action is posted under a name and an ActionType. The pair selects an
// action queue; actions within one queue always run in the order they were
// posted (minus any that get dropped), and scheduling only ever chooses
// between queues, never reorders inside one.
//
// Each queue accumulates the time its actions have spent running (its "total
// service"). RunOne always serves the non-empty queue whose total service is
// smallest — the "least attained service" policy (also known as FB or SET).
// A queue that rarely has work therefore gets served promptly when it does,
// while a queue that keeps itself busy is held back to an equal share with
// everyone else. Queues that tie on total service are chosen in exactly the
// order a GCC-built stellar-core would choose them, because the runnable set
// is kept in a heap that replays libstdc++'s std::priority_queue moves
// (package internal/stdheap).
//
// A single duration, the latency window, plays three roles:
//
//   - Service floor: whenever a queue is served its total service is raised
//     to at least (largest total service seen) - window, so a queue that sat
//     quiet cannot bank unlimited credit and then monopolise the scheduler.
//   - Overload threshold: a queue whose oldest waiting action has waited
//     longer than the window is overloaded. Droppable queues shed such
//     actions just before they are served, and the scheduler reports how long
//     it has been overloaded (OverloadedDuration) so callers can push back.
//   - Idle expiry: a queue that has been empty for longer than the window is
//     forgotten; if it is posted to again it starts fresh at zero service,
//     which the service floor would have lifted it from anyway.
//
// Empty queues are kept on an idle list: a queue that runs dry goes on its
// front, and each RunOne checks only the back (the queue idle the longest)
// for expiry, forgetting at most one queue per call.
//
// Time comes from a caller-supplied function returning the clock's current
// instant as an offset from the clock's epoch, so tests drive time by hand.
// The function is called exactly where, and as many times as, the C++
// consults VirtualClock::now().
//
// A Scheduler is not safe for concurrent use: it belongs to the goroutine
// that cranks the clock. (As in the C++, the shutdown flag on its own is
// atomic.)
package actionsched

import (
	"math"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/stellarwork/stellarwork/internal/stdheap"
)

// ActionType says whether an action may be dropped when the scheduler is
// overloaded. Actions of different types never share a queue, even under the
// same name.
type ActionType int

const (
	// NormalAction is an action that always runs eventually, however long it
	// has to wait. It is also what CurrentActionType reports when no action
	// is running.
	NormalAction ActionType = iota
	// DroppableAction is an action that is discarded, instead of run, once it
	// has waited in its queue for longer than the latency window.
	DroppableAction
)

// String returns the name stellar-core uses for the type: "NORMAL_ACTION" or
// "DROPPABLE_ACTION" (and "ActionType(n)" for any other value).
func (t ActionType) String() string {
	switch t {
	case NormalAction:
		return "NORMAL_ACTION"
	case DroppableAction:
		return "DROPPABLE_ACTION"
	default:
		return "ActionType(" + strconv.Itoa(int(t)) + ")"
	}
}

// Stats holds the scheduler's running counters. They only ever grow (Shutdown
// leaves them as they are).
type Stats struct {
	// ActionsEnqueued counts actions accepted by Enqueue.
	ActionsEnqueued uint64
	// ActionsDequeued counts actions taken off a queue to be run.
	ActionsDequeued uint64
	// ActionsDroppedDueToOverload counts droppable actions discarded because
	// they had waited longer than the latency window.
	ActionsDroppedDueToOverload uint64
	// QueuesActivatedFromFresh counts queues created by Enqueue, either for a
	// name and type never seen before or for one whose idle queue expired.
	QueuesActivatedFromFresh uint64
	// QueuesActivatedFromIdle counts idle queues made runnable again by
	// Enqueue.
	QueuesActivatedFromIdle uint64
	// QueuesSuspended counts the times RunOne left a queue empty and moved it
	// to the idle list.
	QueuesSuspended uint64
}

// never stands for an instant that has not happened, like the C++
// steady_clock::time_point::max(). It compares later than every real instant.
const never = time.Duration(math.MaxInt64)

// queueKey identifies an action queue.
type queueKey struct {
	name string
	typ  ActionType
}

// pending is one waiting action and the instant it was posted.
type pending struct {
	action   func()
	enqueued time.Duration
}

// Ring buffer sizing. Capacities are powers of two so that indices wrap with
// a mask. A ring doubles when full up to ringMax, and never shrinks, so
// small queues never reallocate in steady state; ringMax is above the
// hundred-odd actions that one crank serves and moves. Beyond it, the
// backlog waits in blocks of ringMax actions (see actionQueue.over), which
// are never copied: a ring that doubled with the backlog copied it each
// time, and left the old rings to the collector.
const (
	initialRingCap = 4
	ringMax        = 1024
)

// actionQueue is the work of one (name, type) pair: a FIFO of pending actions
// plus its scheduling state. It lives in Scheduler.queues for as long as it
// exists, and at any moment it is either in the runnable heap (non-empty, or
// just made runnable), on the idle list (empty), or in neither because RunOne
// is serving it.
type actionQueue struct {
	name string
	typ  ActionType

	// totalService is the time this queue's actions have run for, raised to
	// the scheduler's service floor each time it is served.
	totalService time.Duration
	// lastService is when this queue last finished serving an action, or
	// never if it has not yet.
	lastService time.Duration

	// ring holds count actions starting at head, wrapping around; len(ring)
	// is zero or a power of two, at most ringMax. They are the oldest.
	ring  []pending
	head  int
	count int
	// over holds the actions posted while the ring was full at ringMax,
	// and those posted after them, oldest first, in blocks of ringMax
	// slots, all full but the last, which holds overLast; overN counts
	// them. When the ring runs dry, the first block becomes the ring
	// (refill), so the ring is empty only when the queue is. spare is a
	// block for the next overflow: the last ring given up.
	over     [][]pending
	overLast int
	overN    int
	spare    []pending

	// Links in the scheduler's idle list, valid while idle is true: ids of
	// the neighbours (noQueue at an end), prev towards the front (most
	// recently idled), next towards the back. They are ids rather than
	// pointers because a queue joins and leaves the list on nearly every
	// crank, and pointer writes pay the collector's write barrier.
	idle       bool
	id         int32
	prev, next int32
}

func (q *actionQueue) empty() bool { return q.count == 0 }

// length returns the number of actions waiting in q.
func (q *actionQueue) length() int { return q.count + q.overN }

// overloaded reports whether the oldest waiting action has waited longer than
// window at instant now.
func (q *actionQueue) overloaded(window, now time.Duration) bool {
	if q.count == 0 {
		return false
	}
	return now-q.ring[q.head].enqueued > window
}

// pushBack appends an action posted at instant at. The ring must have
// room and nothing may wait in over: otherwise the caller calls pushSlow,
// a call that would keep pushBack from being inlined.
func (q *actionQueue) pushBack(action func(), at time.Duration) {
	q.ring[(q.head+q.count)&(len(q.ring)-1)] = pending{action: action, enqueued: at}
	q.count++
}

// grow doubles the ring of a full queue.
func (q *actionQueue) grow() { q.resize(max(initialRingCap, 2*len(q.ring))) }

// pushSlow is pushBack for a queue whose ring is full or whose over holds
// actions: it doubles a ring below ringMax, and otherwise appends to over.
func (q *actionQueue) pushSlow(action func(), at time.Duration) {
	if len(q.over) == 0 && len(q.ring) < ringMax {
		q.grow()
		q.pushBack(action, at)
		return
	}
	if len(q.over) == 0 || q.overLast == ringMax {
		q.addBlock()
	}
	q.over[len(q.over)-1][q.overLast] = pending{action: action, enqueued: at}
	q.overLast++
	q.overN++
}

// addBlock appends an empty block to over: the spare one, or a new one.
func (q *actionQueue) addBlock() {
	b := q.spare
	q.spare = nil
	if b == nil {
		b = make([]pending, ringMax)
	}
	q.over = append(q.over, b)
	q.overLast = 0
}

// refill makes the first block of over the ring, once the ring has run
// dry (count is 0); the old ring, all its slots cleared, is kept as spare.
func (q *actionQueue) refill() {
	b := q.over[0]
	q.over[0] = nil
	q.over = q.over[1:]
	n := ringMax
	if len(q.over) == 0 {
		n = q.overLast
		q.over, q.overLast = nil, 0
	}
	q.spare = q.ring
	q.ring, q.head, q.count = b, 0, n
	q.overN -= n
}

// popFront removes and returns the oldest action, clearing its slot so that
// the closure can be collected once it has run. The caller refills a ring
// it leaves empty while over holds actions (refill), a call that would
// keep popFront from being inlined.
func (q *actionQueue) popFront() func() {
	slot := &q.ring[q.head]
	action := slot.action
	*slot = pending{}
	q.head = (q.head + 1) & (len(q.ring) - 1)
	q.count--
	return action
}

// clearActions discards every waiting action.
func (q *actionQueue) clearActions() {
	clear(q.ring)
	q.head, q.count = 0, 0
	q.over, q.overLast, q.overN = nil, 0, 0
}

// resize moves the waiting actions into a new buffer of capacity n (a power
// of two, at least count), oldest first.
func (q *actionQueue) resize(n int) {
	ring := make([]pending, n)
	if q.count > 0 {
		tail := q.head + q.count
		if tail <= len(q.ring) {
			copy(ring, q.ring[q.head:tail])
		} else {
			k := copy(ring, q.ring[q.head:])
			copy(ring[k:], q.ring[:tail-len(q.ring)])
		}
	}
	q.ring = ring
	q.head = 0
}

// moreService orders the runnable heap: the heap's top is the queue that no
// other queue beats, i.e. the one with the least total service. This is the
// C++ comparator a->totalService() > b->totalService(); ties are left to the
// heap layout, exactly as libstdc++ leaves them.
func moreService(a, b *actionQueue) bool { return a.totalService > b.totalService }

// Self is the post of one action by itself, at the end of its run, to the
// queue it ran from, made without a call, for the clock that owns the
// scheduler (the WorkScheduler's re-post). One action at a time may claim
// it by setting Fn, Name, Typ and Unwound while Fn is nil, and release it
// by setting Fn to nil. While it holds it, the claimant posts Fn only ever
// to (Name, Typ), and only Fn itself sets Posted or Running. The claimant's action then, instead of calling the
// clock's PostOnCrank(Fn, Name, Typ) as the last thing it does, sets
// Posted, and keeps Running set while it runs. The clock makes the post
// when the action has returned, before anything else can post or read
// what is posted, so that the outcome is PostOnCrank's; if the action
// panics, the scheduler's bookkeeping after it calls Unwound (after
// clearing Running), which may post with PostOnCrank. For the clock's usual crank (the queue ran dry,
// nothing else runnable or pending, a virtual clock), the scheduler's
// bookkeeping after the action makes the post and the crank's move into
// the queue at once, and RunOne returns Moved for the clock to finish the
// post (see WatchPending). Everything in it belongs to the clock's
// goroutine.
type Self struct {
	// Posted asks the clock to post Fn to (Name, Typ), with PostOnCrank's
	// effect, once the running action has returned.
	Posted bool
	// Running is set by the claimant's action while it runs.
	Running bool
	// Fn is the claimant's action (nil while unclaimed), Name and Typ its
	// queue.
	Fn   func()
	Name string
	Typ  ActionType
	// Unwound is called by the scheduler's bookkeeping after the action,
	// on the clock's goroutine, when the action panicked while Running
	// was set (after clearing Running).
	Unwound func()
}

// Moved is what RunOne returns when, after the action it served, it made
// the post Self.Posted asked for and moved it into the queue, as the
// crank's move would have: the clock counts the wake-up the post would
// have queued. A queue was served, and an action posted, so it counts as
// progress 2 in a crank (the action's, and the move's).
const Moved = 2

// Scheduler runs posted actions fairly between named queues and sheds
// droppable load when actions wait too long. Build it with New; the zero value
// is not usable. See the package documentation for the policy.
type Scheduler struct {
	now func() time.Duration
	// virtual, when set, is where now reads the time from instead: an
	// atomic load rather than a call through a function value, for a
	// clock that keeps its time in one (SetVirtualNow).
	virtual *atomic.Int64
	// reuseReads lets the scheduler use one reading of the clock where
	// no action ran since it was taken (see ReuseReads).
	reuseReads bool
	// lastRead is the clock reading RunOne took last (LastRead).
	lastRead time.Duration
	// drained is set by a RunOne that served an action after which a
	// RunOne would do nothing but read the same time (Drained).
	drained       bool
	latencyWindow time.Duration

	// queues holds every live queue, runnable or idle.
	queues map[queueKey]*actionQueue
	// last is the queue of the latest Enqueue, checked before the map:
	// most posts go to the same queue as the one before.
	last *actionQueue
	// runnable holds the queues waiting to be served, least service on top,
	// except a lone runnable queue, which waits in solo instead (the heap
	// is then empty): a heap of one is that one, so pushing and popping it
	// through the heap only cost calls. The heap's layout, and with it the
	// order of queues that tie, is the same as if solo were in it.
	runnable *stdheap.Heap[*actionQueue]
	// solo is the lone runnable queue's id (noQueue if none): an id
	// rather than a pointer, as it is set and cleared on nearly every
	// crank, and pointer writes pay the collector's write barrier.
	solo int32
	// byID holds every live queue at its id; freeIDs are the ids of
	// expired queues, for reuse.
	byID    []*actionQueue
	freeIDs []int32
	// The idle list: queues are added at its front when they run dry and
	// expire from its back. The queue that ran dry last is parked (its id,
	// noQueue if none): it is the list's front but not linked in, until
	// another queue runs dry and it is linked behind that one. A queue
	// that runs dry on every crank and is posted to again before the next
	// (the WorkScheduler's) so never touches the links. idleFront and
	// idleBack end the linked part (noQueue when it is empty).
	parked              int32
	idleFront, idleBack int32
	// selfExpiry is the latest instant t at which a queue whose last
	// service was t is not yet too long idle: idleTooLong(t, t) is
	// t > selfExpiry (see New).
	selfExpiry time.Duration
	// selfMark is ActionsEnqueued+ActionsDequeued right after the Self's
	// move of a NormalAction (noMark if none, or after Shutdown): while
	// the sum is still that, no action was posted or served since, so
	// the scheduler is as the move left it (see runOne).
	selfMark uint64

	stats Stats
	// maxTotalService is the largest total service any queue has reached;
	// the service floor is this minus the latency window.
	maxTotalService time.Duration
	// size is the number of actions waiting across all queues.
	size int

	isShutdown atomic.Bool

	// overloadedStart is when the scheduler last became overloaded, or never
	// while it is not overloaded.
	overloadedStart time.Duration
	// currentActionType is the type of the action now running, NormalAction
	// between actions.
	currentActionType ActionType

	// self is the clock's Self; the bookkeeping after its action makes
	// the post it asks for while pending&pendingMask is 0 (WatchPending),
	// and calls its Unwound if it panicked.
	self        Self
	pending     *atomic.Uint64
	pendingMask uint64
	// afterPanic is called last by the bookkeeping after an action that
	// panicked (AfterPanic), nil if none.
	afterPanic func()
}

// alwaysPending is what a Scheduler watches until WatchPending: posts are
// always pending, so that the Self's post is always the clock's to make.
var alwaysPending = func() (v atomic.Uint64) { v.Store(^uint64(0)); return }()

// New returns a Scheduler that reads the time from now and uses latencyWindow
// as its service-floor width, overload threshold and idle-expiry age
// (stellar-core's VirtualClock passes 5 seconds). now must return the clock's
// current instant as an offset from the clock's epoch; the scheduler calls it
// only from its own methods, on the caller's goroutine.
func New(now func() time.Duration, latencyWindow time.Duration) *Scheduler {
	if now == nil {
		panic("actionsched: nil now function")
	}
	s := &Scheduler{
		now:           now,
		latencyWindow: latencyWindow,
		queues:        make(map[queueKey]*actionQueue),
		runnable:      stdheap.New(moreService),
		solo:          noQueue,
		parked:        noQueue,
		idleFront:     noQueue,
		idleBack:      noQueue,
		pending:       &alwaysPending,
		pendingMask:   ^uint64(0),
		selfMark:      noMark,
	}
	// idleTooLong(t, t) is t+w < t without overflow: for a positive
	// window, true only where t+w would pass the largest instant; never
	// for a zero window; and for a negative one, true unless t+w would
	// fall below the smallest.
	switch w := latencyWindow; {
	case w > 0:
		s.selfExpiry = never - w
	case w == 0:
		s.selfExpiry = never
	default:
		s.selfExpiry = math.MinInt64 - w - 1
	}
	s.setOverloaded(false)
	return s
}

// SetVirtualNow makes the scheduler read the time from v, whose value is
// nanoseconds since the clock's epoch, instead of calling its now function:
// a VirtualTime clock keeps its time there. Reading v has no side effect,
// and v changes only while an action runs, so it also implies ReuseReads,
// which then changes no result. Call it before any other method.
func (s *Scheduler) SetVirtualNow(v *atomic.Int64) { s.virtual, s.reuseReads = v, true }

// Self returns the scheduler's Self, for the clock that owns the scheduler.
func (s *Scheduler) Self() *Self { return &s.self }

// WatchPending tells the scheduler where the clock says that posts wait to
// be moved into it: while word&mask is not 0, the bookkeeping after the
// Self's action leaves the post to the clock (it would come after those).
// Without it, or without SetVirtualNow (the crank's loop of actions goes
// on after the action, as Drained is never true), the scheduler never
// makes the post itself. Call it after SetVirtualNow and before any other
// method.
func (s *Scheduler) WatchPending(word *atomic.Uint64, mask uint64) {
	if s.virtual != nil {
		s.pending, s.pendingMask = word, mask
	}
}

// AfterPanic sets f to be called, on the panic's way up, as the last thing
// the bookkeeping after an action that panicked does: also when a part of
// it panics (the Self's Unwound, say). The clock gives itself back there,
// so that its Crank needs no deferred function of its own around the loop
// of actions. Call it before any other method.
func (s *Scheduler) AfterPanic(f func()) { s.afterPanic = f }

// ReuseReads tells the scheduler that reading its clock has no side effect,
// so that it may use one reading where the C++ reads the clock again with no
// action run in between: the start of a RunOne is also the start of the
// action's service, and the end of the service is also the instant of the
// overload check after it. It reads the clock two times per action served
// instead of four (a wall-clock read cost about 45 ns on the reference
// machine). A clock that stands still between the reads gives exactly the
// C++ results; a wall clock gives results that differ by the time between
// two reads. Call it before any other method.
func (s *Scheduler) ReuseReads() { s.reuseReads = true }

// clockNow returns the clock's current instant.
func (s *Scheduler) clockNow() time.Duration {
	if s.virtual != nil {
		return time.Duration(s.virtual.Load())
	}
	return s.now()
}

// Enqueue posts action to the queue for (name, typ), creating the queue if
// there is none and making it runnable if it was idle. The action will run
// from a later RunOne, after every action posted to the same queue before it,
// unless it is droppable and gets dropped. After Shutdown, Enqueue does
// nothing.
func (s *Scheduler) Enqueue(name string, action func(), typ ActionType) {
	s.EnqueueAt(name, action, typ, s.clockNow())
}

// EnqueueAt is Enqueue for an action posted at instant at (an offset from the
// clock's epoch, as now returns), without reading the clock: a clock that
// moves a batch of posted actions reads it once for the batch.
func (s *Scheduler) EnqueueAt(name string, action func(), typ ActionType, at time.Duration) {
	q := s.last
	if q == nil || q.id != s.parked || q.typ != typ || len(q.name) != len(name) ||
		unsafe.StringData(q.name) != unsafe.StringData(name) ||
		s.solo != noQueue || s.runnable.Len() != 0 || s.isShutdown.Load() {
		s.enqueue(name, action, typ, at)
		return
	}
	// The usual post: to the queue posted to last, under the same name
	// string, parked (it was the last to run dry, so it is idle, empty,
	// and has a ring: rings are made by the first post and never freed),
	// while no queue is runnable. It becomes the
	// lone runnable queue. No call on this path, so that nothing is
	// spilled around one.
	s.stats.QueuesActivatedFromIdle++
	q.idle = false
	s.parked = noQueue
	s.solo = q.id
	s.stats.ActionsEnqueued++
	q.pushBack(action, at)
	s.size++
}

// EnqueueAllAt is EnqueueAt for each of actions in turn, all to the queue
// for (name, typ) and at instant at: the queue is found, and activated if
// need be, once for the run, and the ring grown once. The results are those
// of the EnqueueAt calls (TestEnqueueAllAtMatchesEnqueueAt). It does not
// keep actions.
func (s *Scheduler) EnqueueAllAt(name string, actions []func(), typ ActionType, at time.Duration) {
	if len(actions) == 0 || s.isShutdown.Load() {
		return
	}
	s.enqueue(name, actions[0], typ, at) // the queue is s.last after it
	rest := actions[1:]
	s.stats.ActionsEnqueued += uint64(len(rest))
	s.size += len(rest)
	q := s.last
	for len(rest) != 0 {
		if len(q.over) == 0 && q.count < len(q.ring) {
			q.pushBack(rest[0], at)
			rest = rest[1:]
			continue
		}
		if len(q.over) == 0 && len(q.ring) < ringMax {
			q.grow()
			continue
		}
		// pushSlow's appending to over, a block at a time.
		if len(q.over) == 0 || q.overLast == ringMax {
			q.addBlock()
		}
		b := q.over[len(q.over)-1][q.overLast:]
		k := min(len(b), len(rest))
		for i, a := range rest[:k] {
			b[i] = pending{action: a, enqueued: at}
		}
		q.overLast += k
		q.overN += k
		rest = rest[k:]
	}
}

// enqueue is EnqueueAt, in every case.
func (s *Scheduler) enqueue(name string, action func(), typ ActionType, at time.Duration) {
	if s.isShutdown.Load() {
		return
	}
	q := s.last
	if q == nil || q.typ != typ || !sameString(q.name, name) {
		q = s.queueFor(name, typ)
	} else if q.idle {
		s.stats.QueuesActivatedFromIdle++
		s.removeFromIdle(q)
		s.pushRunnable(q)
	}
	s.stats.ActionsEnqueued++
	if q.count == len(q.ring) || len(q.over) != 0 {
		q.pushSlow(action, at)
	} else {
		q.pushBack(action, at)
	}
	s.size++
}

// queueFor returns the queue for (name, typ), made runnable, and makes it
// the last queue posted to: an idle one is activated, and a new one
// created if there is none.
func (s *Scheduler) queueFor(name string, typ ActionType) *actionQueue {
	q, ok := s.queues[queueKey{name: name, typ: typ}]
	if !ok {
		s.stats.QueuesActivatedFromFresh++
		q = &actionQueue{name: name, typ: typ, lastService: never, id: s.newID()}
		s.byID[q.id] = q
		s.queues[queueKey{name: name, typ: typ}] = q
		s.pushRunnable(q)
	} else if q.idle {
		s.stats.QueuesActivatedFromIdle++
		s.removeFromIdle(q)
		s.pushRunnable(q)
	}
	s.last = q
	return q
}

// sameFunc reports whether *a and *b are the same func value (the same
// closure, or the same function without one).
func sameFunc(a, b *func()) bool {
	return *(*unsafe.Pointer)(unsafe.Pointer(a)) == *(*unsafe.Pointer)(unsafe.Pointer(b))
}

// sameString reports whether a and b are equal, without comparing their
// bytes when they share them: a queue's name and the name of a post to it
// are usually the same constant.
func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// RunOne serves the runnable queue with the least total service: it first
// drops that queue's overdue droppable actions, then runs its oldest
// remaining action, if any. It returns 1 if a queue was served (even if every
// action in it was dropped), Moved if it also made the Self's post and moved
// it (see Self), and 0 if nothing was runnable. Before choosing, it
// forgets the longest-idle queue if that one has been idle for longer than
// the latency window.
//
// If the action panics, the scheduler's bookkeeping is completed exactly as
// after a normal return (service time charged, queue put back or idled,
// CurrentActionType reset) and the panic then continues to the caller.
func (s *Scheduler) RunOne() int { return s.runOne(0, false) }

// RunOneAt is RunOne for a caller that has read the clock, as now, with no
// action run since (LastRead after a RunOne is such a reading): when reads
// may be reused (ReuseReads, SetVirtualNow) it serves from now instead of
// reading the clock again, one read fewer per action for a caller that
// serves actions in a loop; otherwise it reads the clock as RunOne does.
func (s *Scheduler) RunOneAt(now time.Duration) int { return s.runOne(now, s.reuseReads) }

// runOne is RunOne, starting at now if use is set (RunOneAt where reads
// may be reused), else at a reading of the clock.
func (s *Scheduler) runOne(now time.Duration, use bool) (served int) {
	start := now
	if !use {
		start = s.clockNow()
	}
	s.lastRead = start
	s.drained = false
	if b := s.idleBackID(); b != noQueue && s.idleTooLong(s.byID[b].lastService, start) {
		s.expireIdle()
	}
	var (
		q             *actionQueue
		slot          *pending
		action        func()
		floor, before time.Duration
	)
	// The scheduler is ready when it is as the Self's move of a
	// NormalAction left it at the end of the last action served, as
	// nothing was posted or served since, nor Shutdown called (which
	// clears selfMark); expiring an idle queue, above, is the only change
	// there can have been. Then q, the Self's queue, is the lone runnable
	// queue, with one action, Fn, at its head; no queue is parked; q is
	// the last queue posted to; the scheduler is not overloaded; reads
	// are reused. So the general pop below would take q, trim nothing,
	// find it not empty, read no time, and leave it empty with its head
	// where it is.
	if s.stats.ActionsEnqueued+s.stats.ActionsDequeued == s.selfMark {
		q = s.byID[s.solo]
		s.solo = noQueue
		floor = s.maxTotalService - s.latencyWindow
		s.size--
		s.stats.ActionsDequeued++
		// currentActionType is NormalAction already: q's type.
		before = start
		slot = &q.ring[q.head]
		action = slot.action
		q.count = 0
	} else {
		if s.solo == noQueue && s.runnable.Len() == 0 {
			if s.size != 0 {
				panic("actionsched: nothing runnable but size is " + strconv.Itoa(s.size))
			}
			return 0
		}
		if id := s.solo; id != noQueue {
			q = s.byID[id]
			s.solo = noQueue
		} else {
			q = s.runnable.Pop()
		}
		if q.typ == DroppableAction {
			s.trim(q, start)
		}
		if q.empty() {
			s.reinstate(q, start)
			return 1
		}
		floor = s.maxTotalService - s.latencyWindow
		s.size--
		s.stats.ActionsDequeued++
		s.currentActionType = q.typ
		before = start
		if !s.reuseReads {
			before = s.clockNow()
		}
		// popFront, but the slot is cleared after the action (below),
		// so that the Self's post can put the action back where it
		// was. An emptied ring keeps its head at the popped slot (any
		// slot would do), where the next post goes.
		slot = &q.ring[q.head]
		action = slot.action
		if q.count--; q.count != 0 {
			q.head = (q.head + 1) & (len(q.ring) - 1)
		} else if len(q.over) != 0 {
			*slot = pending{} // the ring becomes the spare, all clear
			q.refill()
		}
	}
	// One deferred function does the bookkeeping after the action, whether
	// or not it panics: it charges the time since before to q's total
	// service (raising it to at least floor), folds it into the maximum,
	// marks that no action is running, and puts q back.
	//
	// A panic out of the action is told by served, set by the return
	// only: the deferred book hands it to unwind, which calls book again
	// (with served set) inside a deferred call of its own, so that the
	// normal return pays for no second deferred call.
	var book func()
	book = func() {
		if served == 0 {
			served = -1
			s.unwind(book)
			return
		}
		after := s.clockNow()
		s.lastRead = after
		q.totalService = max(q.totalService+(after-before), floor)
		q.lastService = after
		s.maxTotalService = max(q.totalService, s.maxTotalService)
		s.currentActionType = NormalAction
		// Nothing took actions out of q during the action (it was
		// neither runnable nor idle), and a post to it put them behind
		// the popped slot: with q empty, its ring is as the pop left it.
		//
		// If the sum is selfMark+1, the scheduler was ready (see above;
		// sums only grow, so it was selfMark at the start) and no action
		// was posted or served during the action (the pop counts one);
		// with q still the last queue posted to (Shutdown clears it, and
		// selfMark), q is empty, none is parked or runnable, and the
		// scheduler is not overloaded, as the general test asks, and the
		// action that ran is Fn, which was at q's head (a new claimant's
		// Fn can set Posted only when it runs).
		if s.self.Posted && s.last == q && (s.stats.ActionsEnqueued+s.stats.ActionsDequeued == s.selfMark+1 ||
			q.count == 0 && s.parked == noQueue && s.solo == noQueue &&
				s.runnable.Len() == 0 && sameFunc(&slot.action, &s.self.Fn) && s.overloadedStart == never) &&
			s.pending.Load()&s.pendingMask == 0 && (s.idleBack == noQueue && after <= s.selfExpiry ||
			s.idleBack != noQueue && !s.idleTooLong(s.byID[s.idleBack].lastService, after)) {
			// The Self's post of the action to its own queue, and the
			// crank's move of it, at once: the clock's usual crank (a
			// watched pending word implies a virtual clock, and with it
			// reused reads). The action that ran is Fn, so q is the
			// queue of (Name, Typ), the only one Fn is ever posted to;
			// after Shutdown, last is nil. The queue would go idle
			// (reinstate's usual case below: parked, nothing to link,
			// as none was parked), Drained would be true, so that the
			// crank goes to its move, and the move, with nothing else
			// pending, would be EnqueueAt's usual case at this reading
			// (q is the last queue posted to, and parked). So q stays
			// the lone runnable queue, with the action back in the
			// slot it was taken from, which still holds it, and the
			// statistics count the suspension, the activation and the
			// post.
			s.stats.QueuesSuspended++
			s.stats.QueuesActivatedFromIdle++
			s.stats.ActionsEnqueued++
			s.solo = q.id
			q.count = 1 // at head, the popped slot
			slot.enqueued = after
			s.size++
			s.drained = true
			s.self.Posted = false
			// The next RunOne, if nothing is posted or served before,
			// finds the scheduler ready, unless q's actions may be
			// dropped.
			s.selfMark = noMark
			if q.typ == NormalAction {
				s.selfMark = s.stats.ActionsEnqueued + s.stats.ActionsDequeued
			}
			served = Moved
			return
		}
		if q.count == 0 && s.reuseReads && s.overloadedStart == never {
			*slot = pending{}
			// reinstate's usual case, inline: an empty queue is not
			// overloaded, and neither is the scheduler, so the overload
			// state stays; the queue goes idle.
			s.stats.QueuesSuspended++
			s.addToIdleFront(q)
			// Whether a RunOne now would find nothing to serve and no
			// idle queue to forget: q is parked, so the back of the
			// idle list is the linked part's, or q itself, last served
			// now. Only a virtual clock reads the same time again.
			if s.virtual != nil && s.solo == noQueue && s.runnable.Len() == 0 {
				if b := s.idleBack; b == noQueue {
					s.drained = after <= s.selfExpiry
				} else {
					s.drained = !s.idleTooLong(s.byID[b].lastService, after)
				}
			}
			return
		}
		if off := uintptr(unsafe.Pointer(slot)) - uintptr(unsafe.Pointer(unsafe.SliceData(q.ring))); off < uintptr(len(q.ring))*unsafe.Sizeof(pending{}) &&
			(int(off/unsafe.Sizeof(pending{}))-q.head)&(len(q.ring)-1) >= q.count {
			// The popped slot is out of the ring's live part: it is
			// still in the ring (posts to q during the action did not
			// grow it into another; the old one, which slot keeps
			// alive, cannot be the new one's memory), and they did not
			// reach it.
			*slot = pending{}
		}
		if q.count != 0 && s.reuseReads && s.overloadedStart == never && s.solo == noQueue &&
			s.runnable.Len() == 0 && !q.overloaded(s.latencyWindow, after) && !s.isShutdown.Load() {
			// reinstate's case for the lone runnable queue that still
			// has actions (a backlog), inline: neither it nor the
			// scheduler is overloaded, so the overload state stays; it is
			// the lone runnable queue again.
			s.solo = q.id
			return
		}
		s.reinstate(q, after)
	}
	defer book()
	action()
	return 1
}

// unwind is the bookkeeping after an action that panicked: the end of the
// Self's action first, if it was the one (Running is set), as its own
// deferred end would have run before; then book, the bookkeeping after
// any action; and last, also if either of them panics, afterPanic.
func (s *Scheduler) unwind(book func()) {
	if s.afterPanic != nil {
		defer s.afterPanic()
	}
	if s.self.Running {
		s.self.Running = false
		s.self.Unwound()
	}
	book()
}

// reinstate updates the overload state after q was served and then puts q
// back: on the idle list if it is empty, in the runnable heap otherwise.
// last is the latest reading of the clock, which it uses instead of reading
// the clock again (twice, if the scheduler becomes overloaded) when reads
// may be reused.
func (s *Scheduler) reinstate(q *actionQueue, last time.Duration) {
	now := last
	if !s.reuseReads {
		now = s.clockNow()
	}
	if q.overloaded(s.latencyWindow, now) {
		if s.overloadedStart == never {
			if s.reuseReads {
				s.overloadedStart = now
			} else {
				s.setOverloaded(true)
			}
		}
	} else if s.overloadedStart < never {
		// Overloaded until now: stop only if no queue at all still is.
		still := false
		for _, other := range s.queues {
			if other.overloaded(s.latencyWindow, now) {
				still = true
				break
			}
		}
		if !still {
			s.setOverloaded(false)
		}
	}
	if !q.empty() && s.isShutdown.Load() {
		// Deviation from the C++: Shutdown ran inside q's action. The C++
		// would put q back with its remaining actions although Shutdown has
		// already zeroed the size; RunOne would then run them after the
		// shutdown, drive the size below zero and finally abort on its
		// size check. Dropping them here is what Shutdown promises.
		q.clearActions()
	}
	if q.empty() {
		s.stats.QueuesSuspended++
		s.addToIdleFront(q)
	} else {
		s.pushRunnable(q)
	}
}

// pushRunnable makes q runnable: into solo if no queue is runnable,
// otherwise into the heap, after solo if there was one.
func (s *Scheduler) pushRunnable(q *actionQueue) {
	if s.solo == noQueue && s.runnable.Len() == 0 {
		s.solo = q.id
		return
	}
	if s.solo != noQueue {
		s.runnable.Push(s.byID[s.solo])
		s.solo = noQueue
	}
	s.runnable.Push(q)
}

// setOverloaded enters the overloaded state, starting now, or leaves it.
func (s *Scheduler) setOverloaded(overloaded bool) {
	if overloaded {
		s.overloadedStart = s.clockNow()
	} else {
		s.overloadedStart = never
	}
}

// trim drops q's droppable actions that have waited longer than the latency
// window at instant now (normal queues are never trimmed).
func (s *Scheduler) trim(q *actionQueue, now time.Duration) {
	n := 0
	for q.typ == DroppableAction && !q.empty() && q.overloaded(s.latencyWindow, now) {
		q.popFront()
		if len(q.over) != 0 && q.count == 0 {
			q.refill()
		}
		n++
	}
	s.stats.ActionsDroppedDueToOverload += uint64(n)
	s.size -= n
}

// expireIdle forgets the queue at the back of the idle list (the one idle the
// longest), which RunOne found idle for longer than the latency window (at
// most one queue expires per RunOne). The idle list must not be empty.
func (s *Scheduler) expireIdle() {
	old := s.byID[s.idleBackID()]
	if !old.empty() {
		panic("actionsched: idle queue " + old.name + " is not empty")
	}
	delete(s.queues, queueKey{name: old.name, typ: old.typ})
	if s.last == old {
		s.last = nil
	}
	s.removeFromIdle(old)
	s.byID[old.id] = nil
	s.freeIDs = append(s.freeIDs, old.id)
}

// noQueue is the id that ends the idle list.
const noQueue = -1

// noMark is Scheduler.selfMark when no Self's move is to be recognised: a
// sum of two counts that never reaches it.
const noMark = ^uint64(0)

// newID returns an id for a new queue, reusing an expired queue's.
func (s *Scheduler) newID() int32 {
	if n := len(s.freeIDs); n > 0 {
		id := s.freeIDs[n-1]
		s.freeIDs = s.freeIDs[:n-1]
		return id
	}
	if len(s.byID) >= math.MaxInt32 {
		panic("actionsched: more than 2147483647 queues")
	}
	s.byID = append(s.byID, nil)
	return int32(len(s.byID) - 1)
}

// idleTooLong computes lastService + latencyWindow < now without overflowing.
//
// The C++ evaluates that sum on int64 nanosecond counts. For a queue that
// went idle without ever running an action (all of its actions were dropped)
// lastService is still time_point::max(), so the sum overflows; a GCC or
// Clang build wraps it round to a hugely negative instant, which is before
// any real now, and the queue expires on the next RunOne. This keeps that
// outcome, explicitly: a sum past the largest instant counts as expired.
// Any other sum is exact.
func (s *Scheduler) idleTooLong(lastService, now time.Duration) bool {
	w := s.latencyWindow
	if w > 0 && lastService > never-w {
		return true
	}
	if w < 0 && lastService < math.MinInt64-w {
		return false // the wrapped sum would be hugely positive
	}
	return lastService+w < now
}

// idleBackID returns the id of the queue at the back of the idle list (idle
// the longest), or noQueue if the list is empty.
func (s *Scheduler) idleBackID() int32 {
	if s.idleBack != noQueue {
		return s.idleBack
	}
	return s.parked
}

// addToIdleFront puts the empty queue q at the front of the idle list: it
// parks q, linking the queue parked before, if any, in front of the rest.
func (s *Scheduler) addToIdleFront(q *actionQueue) {
	if q.idle {
		panic("actionsched: queue " + q.name + " is already idle")
	}
	if !q.empty() {
		panic("actionsched: idling non-empty queue " + q.name)
	}
	if s.parked != noQueue {
		s.linkFront(s.byID[s.parked])
	}
	q.idle = true
	s.parked = q.id
}

// linkFront links the parked queue p at the front of the linked part of the
// idle list.
func (s *Scheduler) linkFront(p *actionQueue) {
	p.prev = noQueue
	p.next = s.idleFront
	if s.idleFront != noQueue {
		s.byID[s.idleFront].prev = p.id
	} else {
		s.idleBack = p.id
	}
	s.idleFront = p.id
}

// removeFromIdle takes the empty queue q off the idle list.
func (s *Scheduler) removeFromIdle(q *actionQueue) {
	if !q.idle {
		panic("actionsched: queue " + q.name + " is not idle")
	}
	if !q.empty() {
		panic("actionsched: idle queue " + q.name + " is not empty")
	}
	q.idle = false
	if q.id == s.parked {
		s.parked = noQueue
		return
	}
	if q.prev != noQueue {
		s.byID[q.prev].next = q.next
	} else {
		s.idleFront = q.next
	}
	if q.next != noQueue {
		s.byID[q.next].prev = q.prev
	} else {
		s.idleBack = q.prev
	}
	q.prev, q.next = noQueue, noQueue
}

// Size returns the number of actions waiting in all queues.
func (s *Scheduler) Size() int { return s.size }

// MaxTotalService returns the largest total service any queue has reached.
// The service floor applied when a queue is served is this minus the latency
// window.
func (s *Scheduler) MaxTotalService() time.Duration { return s.maxTotalService }

// Stats returns a copy of the scheduler's counters.
func (s *Scheduler) Stats() Stats { return s.stats }

// CurrentActionType returns the type of the action now running, or
// NormalAction when no action is running.
func (s *Scheduler) CurrentActionType() ActionType { return s.currentActionType }

// LastRead returns the latest reading of the clock that RunOne took: the end
// of the action it served, or its start if it served none. A clock whose
// time moves only inside actions reads the same now; a caller that would
// read the clock right after RunOne can use it instead (zero before any
// RunOne).
func (s *Scheduler) LastRead() time.Duration { return s.lastRead }

// Drained reports, right after a RunOne that returned 1, that another
// RunOne would return 0 and change nothing (it would read the same time,
// find no queue runnable and no idle queue to forget), so that a caller
// may skip it. It can be true only with SetVirtualNow, whose time moves
// only inside actions; false says nothing. It has no C++ counterpart: the
// C++ calls runOne again.
func (s *Scheduler) Drained() bool { return s.drained }

// Overloaded reports whether the scheduler is in the overloaded state, without
// reading the clock: OverloadedDuration is zero when it is false (and also
// at the instant it became true).
func (s *Scheduler) Overloaded() bool { return s.overloadedStart != never }

// OverloadedDuration returns how long the scheduler has been overloaded,
// rounded up to whole seconds: zero when it is not overloaded (or became
// overloaded at this very instant), otherwise the elapsed time truncated to
// seconds plus one second. A time exactly on a second boundary is therefore
// still bumped up, as in the C++ (1s elapsed reports 2s).
func (s *Scheduler) OverloadedDuration() time.Duration {
	now := s.clockNow()
	if now > s.overloadedStart {
		return (now - s.overloadedStart).Truncate(time.Second) + time.Second
	}
	return 0
}

// Shutdown discards every queue and waiting action; from then on Enqueue does
// nothing and RunOne finds nothing to run. Stats keep their values. Calling
// it again does nothing.
//
// If Shutdown is called from inside a running action, the queue serving that
// action is idled when the action returns, as in the C++, and its remaining
// actions, if any, are discarded with everything else. (The C++ keeps them
// runnable, which leads it to run them after the shutdown and then abort on a
// size check; this port does not reproduce that.)
func (s *Scheduler) Shutdown() {
	if s.isShutdown.Load() {
		return
	}
	s.isShutdown.Store(true)
	s.selfMark = noMark
	s.queues = make(map[queueKey]*actionQueue)
	s.last = nil
	s.runnable = stdheap.New(moreService)
	s.solo = noQueue
	if s.parked != noQueue {
		s.byID[s.parked].idle = false
	}
	for id := s.idleFront; id != noQueue; {
		q := s.byID[id]
		id = q.next
		q.idle = false
		q.prev, q.next = noQueue, noQueue
	}
	// byID stays: the queue of a running action still goes idle, by id.
	s.parked, s.idleFront, s.idleBack = noQueue, noQueue, noQueue
	s.size = 0
}

// getExistingQueue returns the queue for (name, typ), or nil.
func (s *Scheduler) getExistingQueue(name string, typ ActionType) *actionQueue {
	return s.queues[queueKey{name: name, typ: typ}]
}

// NextQueueToRun returns the name of the queue the next RunOne would serve,
// or "" if no queue is runnable. It is part of the testing interface.
func (s *Scheduler) NextQueueToRun() string {
	if s.solo != noQueue {
		return s.byID[s.solo].name
	}
	if s.runnable.Len() == 0 {
		return ""
	}
	return s.runnable.Top().name
}

// TotalService returns the total service of the queue for (name, typ). It
// panics if there is no such queue. It is part of the testing interface.
func (s *Scheduler) TotalService(name string, typ ActionType) time.Duration {
	q := s.getExistingQueue(name, typ)
	if q == nil {
		panic("actionsched: no queue " + name + " of type " + typ.String())
	}
	return q.totalService
}

// QueueLength returns the number of actions waiting in the queue for
// (name, typ). It panics if there is no such queue. It is part of the testing
// interface.
func (s *Scheduler) QueueLength(name string, typ ActionType) int {
	q := s.getExistingQueue(name, typ)
	if q == nil {
		panic("actionsched: no queue " + name + " of type " + typ.String())
	}
	return q.length()
}
