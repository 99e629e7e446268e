package actionsched

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"pgregory.net/rapid"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeClock is a virtual clock that only moves when told to, like a
// VirtualClock in VIRTUAL_TIME mode, whose sleep_for just adds to now.
type fakeClock struct {
	t     time.Duration
	calls int
}

func (c *fakeClock) now() time.Duration {
	c.calls++
	return c.t
}

func (c *fakeClock) sleep(d time.Duration) { c.t += d }

func newSched(window time.Duration) (*Scheduler, *fakeClock) {
	c := &fakeClock{}
	return New(c.now, window), c
}

// runPanics runs s.RunOne and returns what it panicked with (nil if it
// returned normally).
func runPanics(s *Scheduler) (p any) {
	defer func() { p = recover() }()
	s.RunOne()
	return nil
}

// TestSchedulerTests holds the ports of the TEST_CASEs of stellar-core's
// src/util/test/SchedulerTests.cpp, one subtest each, under the same names.
func TestSchedulerTests(t *testing.T) {
	t.Run("scheduler basic functionality", func(t *testing.T) {
		const window = 10 * time.Second
		s, clock := newSched(window)
		const A, B, C = "a", "b", "c"

		nEvents := 0
		step := time.Microsecond
		microsleep := func() {
			clock.sleep(step)
			nEvents++
		}

		s.Enqueue(A, microsleep, NormalAction)

		assert.Equal(t, 1, s.Size())
		assert.Equal(t, A, s.NextQueueToRun())
		assert.Zero(t, s.TotalService(A, NormalAction))
		assert.Equal(t, 1, s.QueueLength(A, NormalAction))
		assert.Equal(t, uint64(1), s.Stats().ActionsEnqueued)
		assert.Equal(t, uint64(0), s.Stats().ActionsDequeued)
		assert.Equal(t, uint64(0), s.Stats().ActionsDroppedDueToOverload)
		assert.Equal(t, uint64(1), s.Stats().QueuesActivatedFromFresh)
		assert.Equal(t, uint64(0), s.Stats().QueuesActivatedFromIdle)
		assert.Equal(t, uint64(0), s.Stats().QueuesSuspended)

		assert.Equal(t, 1, s.RunOne()) // runs A
		assert.Equal(t, 1, nEvents)
		assert.NotZero(t, s.TotalService(A, NormalAction))
		assert.Equal(t, uint64(1), s.Stats().ActionsDequeued)
		assert.Equal(t, uint64(1), s.Stats().QueuesSuspended)

		s.Enqueue(A, microsleep, NormalAction)
		s.Enqueue(B, microsleep, NormalAction)
		s.Enqueue(C, microsleep, NormalAction)

		assert.Equal(t, 3, s.Size())
		assert.NotEqual(t, A, s.NextQueueToRun())
		assert.NotZero(t, s.TotalService(A, NormalAction))
		assert.Zero(t, s.TotalService(B, NormalAction))
		assert.Zero(t, s.TotalService(C, NormalAction))
		assert.Equal(t, 1, s.QueueLength(A, NormalAction))
		assert.Equal(t, 1, s.QueueLength(B, NormalAction))
		assert.Equal(t, 1, s.QueueLength(C, NormalAction))
		assert.Equal(t, uint64(4), s.Stats().ActionsEnqueued)
		assert.Equal(t, uint64(0), s.Stats().ActionsDroppedDueToOverload)
		assert.Equal(t, uint64(3), s.Stats().QueuesActivatedFromFresh)
		assert.Equal(t, uint64(1), s.Stats().QueuesActivatedFromIdle)

		aRuntime := s.TotalService(A, NormalAction)
		assert.Equal(t, 1, s.RunOne()) // runs B or C
		assert.Equal(t, 1, s.RunOne()) // runs B or C
		assert.Equal(t, 3, nEvents)
		assert.Equal(t, aRuntime, s.TotalService(A, NormalAction))
		assert.NotZero(t, s.TotalService(B, NormalAction))
		assert.NotZero(t, s.TotalService(C, NormalAction))
		assert.Equal(t, 1, s.QueueLength(A, NormalAction))
		assert.Equal(t, 0, s.QueueLength(B, NormalAction))
		assert.Equal(t, 0, s.QueueLength(C, NormalAction))
		assert.Equal(t, uint64(3), s.Stats().ActionsDequeued)
		assert.Equal(t, uint64(0), s.Stats().ActionsDroppedDueToOverload)
		assert.Equal(t, uint64(3), s.Stats().QueuesSuspended)

		assert.Equal(t, 1, s.RunOne()) // runs A
		assert.Equal(t, 4, nEvents)
		assert.Equal(t, 0, s.QueueLength(A, NormalAction))
		assert.Equal(t, 0, s.QueueLength(B, NormalAction))
		assert.Equal(t, 0, s.QueueLength(C, NormalAction))
		assert.Equal(t, uint64(4), s.Stats().ActionsDequeued)
		assert.Equal(t, uint64(4), s.Stats().QueuesSuspended)
	})

	t.Run("scheduler load shedding -- overload", func(t *testing.T) {
		const window = 100 * time.Microsecond
		s, clock := newSched(window)
		const A, B, C = "a", "b", "c"

		nEvents := 0
		step := time.Microsecond
		microsleep := func() {
			clock.sleep(step)
			nEvents++
		}

		for i := 0; i < 1000; i++ {
			s.Enqueue(A, microsleep, DroppableAction)
			s.Enqueue(B, microsleep, DroppableAction)
			s.Enqueue(C, microsleep, DroppableAction)
			s.RunOne()
			s.RunOne()
		}
		for s.Size() != 0 {
			s.RunOne()
		}
		assert.Equal(t, uint64(901), s.Stats().ActionsDroppedDueToOverload)
		assert.Equal(t, uint64(2099), s.Stats().ActionsDequeued)
		tot := s.Stats().ActionsDequeued + s.Stats().ActionsDroppedDueToOverload
		assert.Equal(t, tot, s.Stats().ActionsEnqueued)
		assert.Equal(t, 2099, nEvents)
	})
}

func TestActionTypeString(t *testing.T) {
	assert.Equal(t, "NORMAL_ACTION", NormalAction.String())
	assert.Equal(t, "DROPPABLE_ACTION", DroppableAction.String())
	assert.Equal(t, "ActionType(7)", ActionType(7).String())
}

// TestTieOrderFollowsLibstdcxx checks which queue runs next when several
// queues have the same total service, against what std::priority_queue does
// in libstdc++.
//
// Every action here takes no time, so every queue stays at total service 0
// and every comparison is a tie (less(a, b) = a > b is always false).
//
// Five fresh queues a..e are pushed in that order. std::push_heap only moves
// a new element up while its parent compares lower, which never happens on a
// tie, so the array is [a b c d e] and a is on top.
//
// std::pop_heap then moves the last element out of the way and walks the
// hole from the root down to a leaf, at each level taking the right child
// unless the right compares lower than the left (on a tie it takes the
// right), and finally sifts the saved last element up from that leaf (on a
// tie it stays put). A served queue goes to the idle list and is not pushed
// back. So:
//
//	[a b c d e]  pop a: last e saved; hole 0 <- right child c; hole 2 is a
//	             leaf of the 4 left, e fills it             -> [c b e d]
//	[c b e d]    pop c: last d saved; hole 0 <- right child e; d fills hole 2
//	                                                          -> [e b d]
//	[e b d]      pop e: last d saved; the 2 left have only a left child, so
//	             hole 0 <- b and d fills hole 1              -> [b d]
//	[b d]        pop b -> [d], pop d.
//
// Run order: a c e b d. A FIFO, or Go's container/heap (which stops at the
// first child not higher and prefers the left child on ties), would run
// a b c d e or a e d c b style orders instead.
//
// The second round reactivates the five (now idle, still at 0) and adds three
// fresh ones, pushing a..h in that order, so the array is [a b c d e f g h]:
//
//	pop a: hole 0 <- c, hole 2 <- g, h fills hole 6        -> [c b g d e f h]
//	pop c: hole 0 <- g; with 6 left, hole 2 has a lone left child f, which
//	       moves up; h fills hole 5                         -> [g b f d e h]
//	pop g: hole 0 <- f; h fills hole 2                      -> [f b h d e]
//	pop f: hole 0 <- h; e fills hole 2                      -> [h b e d]
//	pop h: hole 0 <- e; d fills hole 2                      -> [e b d]
//	then e, b, d as above.
//
// Run order: a c g f h e b d. Both orders were also confirmed by running
// stellar-core's Scheduler built with g++.
func TestTieOrderFollowsLibstdcxx(t *testing.T) {
	s, _ := newSched(time.Second)
	var ran []string
	post := func(names ...string) {
		for _, n := range names {
			s.Enqueue(n, func() { ran = append(ran, n) }, NormalAction)
		}
	}
	drain := func() string {
		ran = ran[:0]
		var next []string
		for {
			n := s.NextQueueToRun()
			if s.RunOne() == 0 {
				break
			}
			next = append(next, n)
		}
		require.Equal(t, next, ran, "NextQueueToRun must name the queue RunOne serves")
		return strings.Join(ran, "")
	}

	post("a", "b", "c", "d", "e")
	assert.Equal(t, "acebd", drain())

	post("a", "b", "c", "d", "e", "f", "g", "h")
	assert.Equal(t, "acgfhebd", drain())
	assert.Equal(t, uint64(5), s.Stats().QueuesActivatedFromIdle)
	assert.Equal(t, uint64(8), s.Stats().QueuesActivatedFromFresh)
}

// TestLeastServiceRunsFirst checks that the queue with the least total
// service is served, that a served queue is charged the time its action took,
// and that a queue with banked credit is raised to the service floor
// (largest total service minus the latency window) when it is served.
func TestLeastServiceRunsFirst(t *testing.T) {
	const window = 10 * time.Millisecond
	s, clock := newSched(window)
	work := func(d time.Duration) func() { return func() { clock.sleep(d) } }

	// "busy" runs 10 actions of 10ms each: 100ms of service.
	for i := 0; i < 10; i++ {
		s.Enqueue("busy", work(10*time.Millisecond), NormalAction)
	}
	for s.Size() > 0 {
		s.RunOne()
	}
	require.Equal(t, 100*time.Millisecond, s.TotalService("busy", NormalAction))
	require.Equal(t, 100*time.Millisecond, s.MaxTotalService())

	// "quiet" has never run: its 1ms action is charged up to the floor,
	// 100ms - 10ms.
	s.Enqueue("busy", work(time.Millisecond), NormalAction)
	s.Enqueue("quiet", work(time.Millisecond), NormalAction)
	assert.Equal(t, "quiet", s.NextQueueToRun())
	s.RunOne()
	assert.Equal(t, 90*time.Millisecond, s.TotalService("quiet", NormalAction))
	// A queue already above the floor is charged only its own time.
	assert.Equal(t, "busy", s.NextQueueToRun()) // quiet is idle again
	s.RunOne()
	assert.Equal(t, 101*time.Millisecond, s.TotalService("busy", NormalAction))
	assert.Equal(t, 101*time.Millisecond, s.MaxTotalService())

	// With both runnable, the one with less service goes first, repeatedly.
	for i := 0; i < 3; i++ {
		s.Enqueue("busy", work(5*time.Millisecond), NormalAction)
		s.Enqueue("quiet", work(5*time.Millisecond), NormalAction)
	}
	var order []string
	for s.Size() > 0 {
		order = append(order, s.NextQueueToRun())
		s.RunOne()
	}
	// quiet: 90 -> 95 -> 100 -> 105; busy: 101 -> 106 -> 111.
	assert.Equal(t, []string{"quiet", "quiet", "quiet", "busy", "busy", "busy"}, order)
}

// TestActionsRunInPostingOrder checks FIFO order within a queue across ring
// buffer growth, wrap-around and shrinking, and that the slots of popped
// actions are cleared.
func TestActionsRunInPostingOrder(t *testing.T) {
	s, _ := newSched(time.Second)
	var got []int
	next := 0
	post := func(n int) {
		for i := 0; i < n; i++ {
			v := next
			next++
			s.Enqueue("q", func() { got = append(got, v) }, NormalAction)
		}
	}
	runN := func(n int) {
		for i := 0; i < n; i++ {
			s.RunOne()
		}
	}
	post(3)
	runN(2)
	post(5) // wraps, then grows
	runN(3)
	post(500) // grows well past the shrink floor
	runN(480) // shrinks on the way down
	post(7)
	for s.Size() > 0 {
		s.RunOne()
	}
	require.Len(t, got, next)
	for i, v := range got {
		require.Equal(t, i, v)
	}
	q := s.getExistingQueue("q", NormalAction)
	require.NotNil(t, q)
	assert.LessOrEqual(t, len(q.ring), ringMax)
	for i, p := range q.ring {
		assert.Nil(t, p.action, "slot %d not cleared", i)
	}
}

// TestCurrentActionType checks the type reported while an action runs and
// after it.
func TestCurrentActionType(t *testing.T) {
	s, _ := newSched(time.Second)
	var seen []ActionType
	record := func() { seen = append(seen, s.CurrentActionType()) }
	s.Enqueue("x", record, DroppableAction)
	s.Enqueue("x", record, NormalAction)
	assert.Equal(t, NormalAction, s.CurrentActionType())
	s.RunOne()
	assert.Equal(t, NormalAction, s.CurrentActionType())
	s.RunOne()
	assert.Equal(t, NormalAction, s.CurrentActionType())
	assert.ElementsMatch(t, []ActionType{DroppableAction, NormalAction}, seen)
	// Same name, different types: two distinct queues.
	assert.Equal(t, uint64(2), s.Stats().QueuesActivatedFromFresh)
}

// TestShutdown checks that Shutdown drops every queue and waiting action,
// that Enqueue does nothing afterwards, that RunOne finds nothing, and that a
// second Shutdown is harmless.
func TestShutdown(t *testing.T) {
	s, clock := newSched(time.Second)
	ran := 0
	act := func() { ran++; clock.sleep(time.Millisecond) }
	s.Enqueue("a", act, NormalAction)
	s.Enqueue("b", act, DroppableAction)
	s.Enqueue("b", act, DroppableAction)
	s.Enqueue("c", act, NormalAction)
	s.RunOne() // a goes idle; b and c stay runnable
	require.Equal(t, 1, ran)
	before := s.Stats()
	maxBefore := s.MaxTotalService()

	s.Shutdown()
	assert.Equal(t, 0, s.Size())
	assert.Equal(t, "", s.NextQueueToRun())
	assert.Equal(t, before, s.Stats(), "stats survive shutdown")
	assert.Equal(t, maxBefore, s.MaxTotalService())
	for _, n := range []string{"a", "c"} {
		assert.Panics(t, func() { s.QueueLength(n, NormalAction) })
		assert.Panics(t, func() { s.TotalService(n, NormalAction) })
	}
	assert.Panics(t, func() { s.QueueLength("b", DroppableAction) })

	s.Enqueue("a", act, NormalAction)
	s.Enqueue("d", act, DroppableAction)
	assert.Equal(t, 0, s.Size())
	assert.Equal(t, before, s.Stats(), "enqueue after shutdown is ignored")
	assert.Panics(t, func() { s.QueueLength("d", DroppableAction) })
	for i := 0; i < 3; i++ {
		assert.Equal(t, 0, s.RunOne())
	}
	assert.Equal(t, 1, ran)

	s.Shutdown()
	assert.Equal(t, 0, s.Size())
	assert.Equal(t, 0, s.RunOne())
}

// TestShutdownInsideAction covers Shutdown called by a running action. The
// running queue is idled when the action returns; its remaining actions are
// dropped with everything else (this is where the port deliberately differs
// from the C++, which keeps them runnable and later aborts on its size
// check).
func TestShutdownInsideAction(t *testing.T) {
	s, _ := newSched(time.Second)
	var ran []string
	s.Enqueue("a", func() { ran = append(ran, "a1"); s.Shutdown() }, NormalAction)
	s.Enqueue("a", func() { ran = append(ran, "a2") }, NormalAction)
	s.Enqueue("b", func() { ran = append(ran, "b1") }, NormalAction)
	require.Equal(t, "a", s.NextQueueToRun())

	assert.Equal(t, 1, s.RunOne())
	assert.Equal(t, 0, s.Size())
	assert.Equal(t, "", s.NextQueueToRun())
	assert.Equal(t, NormalAction, s.CurrentActionType())
	for i := 0; i < 3; i++ {
		assert.Equal(t, 0, s.RunOne())
	}
	assert.Equal(t, []string{"a1"}, ran)
	st := s.Stats()
	assert.Equal(t, uint64(3), st.ActionsEnqueued)
	assert.Equal(t, uint64(1), st.ActionsDequeued)

	// An emptied running queue is idled exactly as the C++ does it.
	s2, _ := newSched(time.Second)
	s2.Enqueue("a", func() { s2.Shutdown() }, NormalAction)
	assert.Equal(t, 1, s2.RunOne())
	assert.Equal(t, uint64(1), s2.Stats().QueuesSuspended)
	assert.Equal(t, 0, s2.RunOne())
}

// TestDroppableTrimmedNormalNever checks load shedding: droppable actions
// are dropped once they have waited strictly longer than the latency window,
// just before their queue is served; normal actions run however late.
func TestDroppableTrimmedNormalNever(t *testing.T) {
	const window = 10 * time.Millisecond
	s, clock := newSched(window)
	var ran []string
	act := func(n string) func() { return func() { ran = append(ran, n) } }

	// Same name, two queues: x/droppable (pushed first) and x/normal.
	s.Enqueue("x", act("d1"), DroppableAction)
	s.Enqueue("x", act("d2"), DroppableAction)
	s.Enqueue("x", act("d3"), DroppableAction)
	s.Enqueue("x", act("n1"), NormalAction)
	s.Enqueue("x", act("n2"), NormalAction)
	s.Enqueue("x", act("n3"), NormalAction)

	// Exactly one window later nothing is overdue yet: d1 runs.
	clock.sleep(window)
	require.Equal(t, 1, s.RunOne())
	assert.Equal(t, []string{"d1"}, ran)
	assert.Equal(t, uint64(0), s.Stats().ActionsDroppedDueToOverload)
	assert.Zero(t, s.OverloadedDuration())

	// One nanosecond more and everything is overdue. The tie puts x/normal
	// on top; n1 runs and the scheduler notes it is overloaded.
	clock.sleep(1)
	require.Equal(t, 1, s.RunOne())
	assert.Equal(t, []string{"d1", "n1"}, ran)
	assert.Equal(t, uint64(0), s.Stats().ActionsDroppedDueToOverload)

	// Serving x/droppable now drops d2 and d3 and runs nothing; it still
	// counts as progress. The queue goes idle.
	require.Equal(t, 1, s.RunOne())
	assert.Equal(t, []string{"d1", "n1"}, ran)
	assert.Equal(t, uint64(2), s.Stats().ActionsDroppedDueToOverload)
	assert.Equal(t, 0, s.QueueLength("x", DroppableAction))
	assert.Equal(t, 2, s.Size())

	// Normal actions are never dropped, even an hour late.
	clock.sleep(time.Hour)
	assert.Equal(t, time.Hour+time.Second, s.OverloadedDuration())
	require.Equal(t, 1, s.RunOne()) // n2; x/normal still overloaded
	assert.NotZero(t, s.OverloadedDuration())
	require.Equal(t, 1, s.RunOne()) // n3; nothing overloaded any more
	assert.Zero(t, s.OverloadedDuration())
	assert.Equal(t, []string{"d1", "n1", "n2", "n3"}, ran)

	st := s.Stats()
	assert.Equal(t, uint64(6), st.ActionsEnqueued)
	assert.Equal(t, uint64(4), st.ActionsDequeued)
	assert.Equal(t, uint64(2), st.ActionsDroppedDueToOverload)
	assert.Equal(t, uint64(2), st.QueuesSuspended)
	assert.Equal(t, 0, s.Size())
	assert.Equal(t, 0, s.RunOne())
}

// TestIdleQueueExpiry checks that an idle queue is forgotten once its last
// service ended strictly more than one latency window ago, that only the
// back of the idle list (idle the longest) is examined, one queue per RunOne,
// and that a forgotten queue comes back fresh while an idle one comes back
// with its service intact.
func TestIdleQueueExpiry(t *testing.T) {
	const window = time.Second
	s, clock := newSched(window)
	work := func() { clock.sleep(time.Millisecond) }
	alive := func(name string) bool {
		return s.getExistingQueue(name, NormalAction) != nil
	}

	s.Enqueue("a", work, NormalAction)
	s.RunOne() // a: served 0..1ms, idle (list: a)
	s.Enqueue("b", work, NormalAction)
	s.RunOne() // b: served 1..2ms, idle (list: b a)
	require.Equal(t, 2*time.Millisecond, clock.t)

	// a's last service ended at 1ms; at exactly 1ms + window it stays.
	clock.t = time.Millisecond + window
	assert.Equal(t, 0, s.RunOne())
	assert.True(t, alive("a"))
	// Reactivating b (the front) and idling it again keeps a at the back.
	s.Enqueue("b", work, NormalAction)
	assert.Equal(t, uint64(1), s.Stats().QueuesActivatedFromIdle)
	s.RunOne() // b: served until 1ms+window+1ms
	bService := s.TotalService("b", NormalAction)
	assert.True(t, alive("a"), "served at the limit, not past it")

	// Long after both windows, each RunOne expires just one queue, from the
	// back: a first, then b.
	clock.sleep(10 * window)
	assert.Equal(t, 0, s.RunOne())
	assert.False(t, alive("a"))
	assert.True(t, alive("b"))
	assert.Equal(t, 0, s.RunOne())
	assert.False(t, alive("b"))
	assert.Panics(t, func() { s.TotalService("b", NormalAction) })
	assert.NotZero(t, bService)

	// A forgotten queue starts again from nothing.
	fresh := s.Stats().QueuesActivatedFromFresh
	s.Enqueue("b", work, NormalAction)
	assert.Equal(t, fresh+1, s.Stats().QueuesActivatedFromFresh)
	assert.Zero(t, s.TotalService("b", NormalAction))
	assert.Equal(t, uint64(1), s.Stats().QueuesActivatedFromIdle)
}

// TestNeverServedIdleQueueExpiresAtOnce covers a droppable queue that went
// idle without ever running an action because all of its actions were
// dropped. Its last service is still "never" (the C++ time_point::max()), and
// the C++ expiry test lastService + window < now overflows: GCC and Clang
// builds wrap the sum to a hugely negative instant, so the queue expires on
// the very next RunOne. The port keeps that outcome without the overflow.
func TestNeverServedIdleQueueExpiresAtOnce(t *testing.T) {
	const window = time.Second
	s, clock := newSched(window)
	s.Enqueue("d", func() { t.Fatal("dropped action ran") }, DroppableAction)
	clock.sleep(window + 1)
	require.Equal(t, 1, s.RunOne()) // drops the action, idles d
	require.Equal(t, uint64(1), s.Stats().ActionsDroppedDueToOverload)
	require.Equal(t, uint64(1), s.Stats().QueuesSuspended)
	require.Equal(t, 0, s.QueueLength("d", DroppableAction))

	assert.Equal(t, 0, s.RunOne()) // same instant: expired already
	assert.Panics(t, func() { s.QueueLength("d", DroppableAction) })

	// The unexported helper agrees at the edges.
	assert.True(t, s.idleTooLong(never, 0))
	assert.True(t, s.idleTooLong(never-1, -1<<62))
	assert.False(t, s.idleTooLong(5, 5+window))
	assert.True(t, s.idleTooLong(5, 6+window))
}

// TestOverloadedDurationRounding checks the C++ rounding: zero when not
// overloaded or overloaded since this very instant, otherwise the elapsed
// time truncated to whole seconds plus one second.
func TestOverloadedDurationRounding(t *testing.T) {
	const window = time.Second
	s, clock := newSched(window)
	noop := func() {}
	s.Enqueue("n", noop, NormalAction)
	s.Enqueue("n", noop, NormalAction)
	assert.Zero(t, s.OverloadedDuration())

	clock.t = 2 * time.Second
	s.RunOne() // the second action has waited 2s > 1s: overloaded from 2s
	start := clock.t

	cases := []struct {
		at   time.Duration
		want time.Duration
	}{
		{start, 0},
		{start + 1, time.Second},
		{start + time.Second - 1, time.Second},
		{start + time.Second, 2 * time.Second},
		{start + 1500*time.Millisecond, 2 * time.Second},
		{start + 10*time.Second - 1, 10 * time.Second},
		{start + 10*time.Second, 11 * time.Second},
	}
	for _, c := range cases {
		clock.t = c.at
		assert.Equal(t, c.want, s.OverloadedDuration(), "at start+%v", c.at-start)
	}

	// The clock going backwards past the start reads as not overloaded.
	clock.t = start - 1
	assert.Zero(t, s.OverloadedDuration())

	// Becoming overloaded again restarts the count from the new instant.
	clock.t = start + 20*time.Second
	s.RunOne() // last action: nothing overloaded any more
	assert.Zero(t, s.OverloadedDuration())
	s.Enqueue("n", noop, NormalAction)
	s.Enqueue("n", noop, NormalAction)
	clock.sleep(5 * time.Second)
	s.RunOne() // overloaded again, from start+25s
	clock.sleep(time.Second + 1)
	assert.Equal(t, 2*time.Second, s.OverloadedDuration())
}

// TestOverloadClearsOnlyWhenNoQueueIsOverloaded checks that the overloaded
// state persists while any queue, not just the one served, has an overdue
// action, and that it keeps its original start.
func TestOverloadClearsOnlyWhenNoQueueIsOverloaded(t *testing.T) {
	const window = time.Second
	s, clock := newSched(window)
	noop := func() {}
	s.Enqueue("a", noop, NormalAction)
	s.Enqueue("a", noop, NormalAction)
	s.Enqueue("b", noop, NormalAction)
	s.Enqueue("b", noop, NormalAction)
	clock.t = 3 * time.Second
	s.RunOne() // a: a's second action overdue -> overloaded from 3s
	clock.t = 4 * time.Second
	s.RunOne() // b: still overdue, start unchanged
	assert.Equal(t, 2*time.Second, s.OverloadedDuration())
	s.RunOne() // a empties; b still has an overdue action
	assert.Equal(t, 2*time.Second, s.OverloadedDuration())
	s.RunOne() // b empties; nothing overdue
	assert.Zero(t, s.OverloadedDuration())
}

// TestPanickingAction checks that a panic in an action reaches the caller of
// RunOne with the scheduler's bookkeeping done just as if the action had
// returned, as the C++ gsl::finally blocks guarantee for exceptions.
func TestPanickingAction(t *testing.T) {
	const window = time.Second
	s, clock := newSched(window)
	var during ActionType
	boom := func() {
		during = s.CurrentActionType()
		clock.sleep(5 * time.Millisecond)
		panic("boom")
	}
	ranSecond := false
	s.Enqueue("p", boom, DroppableAction)
	s.Enqueue("p", func() { ranSecond = true; clock.sleep(time.Millisecond) }, DroppableAction)

	assert.Equal(t, "boom", runPanics(s))
	assert.Equal(t, DroppableAction, during)
	assert.Equal(t, NormalAction, s.CurrentActionType(), "type reset after panic")
	assert.Equal(t, 5*time.Millisecond, s.TotalService("p", DroppableAction))
	assert.Equal(t, 5*time.Millisecond, s.MaxTotalService())
	assert.Equal(t, 1, s.Size())
	assert.Equal(t, 1, s.QueueLength("p", DroppableAction))
	assert.Equal(t, "p", s.NextQueueToRun(), "queue put back as runnable")
	assert.Equal(t, uint64(1), s.Stats().ActionsDequeued)
	assert.Equal(t, uint64(0), s.Stats().QueuesSuspended)

	// The scheduler carries on normally.
	assert.Equal(t, 1, s.RunOne())
	assert.True(t, ranSecond)
	assert.Equal(t, 6*time.Millisecond, s.TotalService("p", DroppableAction))
	assert.Equal(t, 0, s.Size())

	// A panic in a queue's last action idles the queue; it comes back as an
	// idle reactivation, not a fresh one.
	s.Enqueue("p", boom, DroppableAction)
	assert.Equal(t, uint64(1), s.Stats().QueuesActivatedFromIdle)
	assert.Equal(t, "boom", runPanics(s))
	assert.Equal(t, uint64(2), s.Stats().QueuesSuspended)
	assert.Equal(t, "", s.NextQueueToRun())
	assert.Equal(t, 0, s.RunOne())
	s.Enqueue("p", func() {}, DroppableAction)
	assert.Equal(t, uint64(2), s.Stats().QueuesActivatedFromIdle)
	assert.Equal(t, uint64(1), s.Stats().QueuesActivatedFromFresh)

	// A panic while overloaded still records the overload.
	s2, c2 := newSched(window)
	s2.Enqueue("q", func() { panic(fmt.Errorf("wrapped")) }, NormalAction)
	s2.Enqueue("q", func() {}, NormalAction)
	c2.sleep(2 * window)
	p := runPanics(s2)
	require.Error(t, p.(error))
	c2.sleep(1)
	assert.Equal(t, time.Second, s2.OverloadedDuration())
}

// TestNowCallsMatchCxx checks that the clock is consulted exactly as often as
// the C++ consults VirtualClock::now(), which matters for a clock whose
// readings have side effects.
func TestNowCallsMatchCxx(t *testing.T) {
	s, clock := newSched(time.Second)
	assert.Equal(t, 0, clock.calls, "New does not read the clock")
	s.Enqueue("a", func() {}, NormalAction)
	assert.Equal(t, 1, clock.calls, "Enqueue: enqueue time")
	s.RunOne()
	// start, before, after, and the put-back check.
	assert.Equal(t, 5, clock.calls)
	s.RunOne()
	assert.Equal(t, 6, clock.calls, "RunOne with nothing runnable: start only")
	s.OverloadedDuration()
	assert.Equal(t, 7, clock.calls)

	// Becoming overloaded reads the clock once more for the start.
	s.Enqueue("a", func() {}, NormalAction)
	s.Enqueue("a", func() {}, NormalAction)
	clock.sleep(2 * time.Second)
	base := clock.calls
	s.RunOne()
	assert.Equal(t, base+5, clock.calls)
}

// TestReuseReads: with ReuseReads, an action served reads the clock twice
// (the start of RunOne, which is also the start of the service, and the
// end of the service, which is also the instant of the overload check),
// EnqueueAt not at all, and becoming overloaded takes its start from the
// reading it has. The service charged is the time the action ran, and
// LastRead is the latest of those readings.
func TestReuseReads(t *testing.T) {
	s, clock := newSched(time.Second)
	s.ReuseReads()
	s.EnqueueAt("a", func() { clock.sleep(3 * time.Millisecond) }, NormalAction, 0)
	assert.Equal(t, 0, clock.calls, "EnqueueAt does not read the clock")
	s.Enqueue("a", func() {}, NormalAction)
	assert.Equal(t, 1, clock.calls, "Enqueue reads it once")
	s.RunOne()
	assert.Equal(t, 3, clock.calls, "start and after")
	assert.Equal(t, 3*time.Millisecond, s.TotalService("a", NormalAction))
	assert.Equal(t, 3*time.Millisecond, s.LastRead(), "the reading after the action")
	s.RunOne()
	assert.Equal(t, 5, clock.calls)
	s.RunOne()
	assert.Equal(t, 6, clock.calls, "RunOne with nothing runnable: start only")
	clock.sleep(time.Millisecond)
	s.RunOne()
	assert.Equal(t, 4*time.Millisecond, s.LastRead(), "the start of a RunOne that served nothing")

	s.EnqueueAt("a", func() {}, NormalAction, clock.t)
	s.EnqueueAt("a", func() {}, NormalAction, clock.t)
	clock.sleep(2 * time.Second)
	s.RunOne()
	assert.Equal(t, 9, clock.calls, "no extra read for the start of the overload")
	clock.sleep(time.Second)
	assert.Equal(t, 2*time.Second, s.OverloadedDuration(), "overloaded since the after read: 1 s ago, rounded up")
}

// TestRunOneAt: with reads reused, RunOneAt serves from the reading it is
// given and reads the clock only after the action; without, it reads the
// clock as RunOne does and ignores the reading.
func TestRunOneAt(t *testing.T) {
	s, clock := newSched(time.Second)
	s.ReuseReads()
	s.EnqueueAt("a", func() { clock.sleep(3 * time.Millisecond) }, NormalAction, 0)
	s.EnqueueAt("a", func() { clock.sleep(time.Millisecond) }, NormalAction, 0)
	clock.sleep(time.Millisecond) // the reading given is 1 ms old
	assert.Equal(t, 1, s.RunOneAt(0))
	assert.Equal(t, 1, clock.calls, "only the reading after the action")
	assert.Equal(t, 4*time.Millisecond, s.TotalService("a", NormalAction), "served from 0 to 4 ms")
	assert.Equal(t, 1, s.RunOneAt(s.LastRead()))
	assert.Equal(t, 2, clock.calls)
	assert.Equal(t, 5*time.Millisecond, s.TotalService("a", NormalAction))
	assert.Equal(t, 0, s.RunOneAt(s.LastRead()), "nothing runnable")
	assert.Equal(t, 2, clock.calls)

	plain, pclock := newSched(time.Second)
	plain.EnqueueAt("a", func() { pclock.sleep(3 * time.Millisecond) }, NormalAction, 0)
	pclock.sleep(time.Millisecond)
	assert.Equal(t, 1, plain.RunOneAt(0))
	assert.Equal(t, 4, pclock.calls, "RunOne's four reads: start, before, after, overload check")
	assert.Equal(t, 3*time.Millisecond, plain.TotalService("a", NormalAction), "served from 1 to 4 ms")
}

// TestEnqueueRunOneAllocatesNothing checks that posting to and serving an
// existing queue allocates nothing in steady state.
func TestEnqueueRunOneAllocatesNothing(t *testing.T) {
	s, clock := newSched(5 * time.Second)
	act := func() { clock.sleep(time.Microsecond) }
	other := func() { clock.sleep(2 * time.Microsecond) }
	s.Enqueue("a", act, NormalAction)
	s.Enqueue("b", other, DroppableAction)
	for s.RunOne() != 0 {
	}
	allocs := testing.AllocsPerRun(1000, func() {
		s.Enqueue("a", act, NormalAction)
		s.Enqueue("b", other, DroppableAction)
		s.Enqueue("a", act, NormalAction)
		s.RunOne()
		s.RunOne()
		s.RunOne()
	})
	assert.Zero(t, allocs)
}

// TestInvariants drives random operations and checks the scheduler's
// accounting and ordering invariants after each one.
func TestInvariants(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		window := rapid.SampledFrom([]time.Duration{0, 10, 100, 1000}).Draw(rt, "window")
		s, clock := newSched(window)
		names := []string{"a", "b", "c"}
		type key struct {
			n string
			t ActionType
		}
		posted := map[key]int{}
		lastRun := map[key]int{}
		var normalPosted, normalRun int
		id := 0
		ops := rapid.IntRange(1, 200).Draw(rt, "ops")
		for i := 0; i < ops; i++ {
			switch rapid.IntRange(0, 2).Draw(rt, "op") {
			case 0:
				k := key{rapid.SampledFrom(names).Draw(rt, "name"),
					ActionType(rapid.IntRange(0, 1).Draw(rt, "type"))}
				d := time.Duration(rapid.IntRange(0, 50).Draw(rt, "dur"))
				id++
				seq := posted[k] + 1
				posted[k] = seq
				if k.t == NormalAction {
					normalPosted++
				}
				s.Enqueue(k.n, func() {
					if seq <= lastRun[k] {
						rt.Fatalf("queue %v ran %d after %d", k, seq, lastRun[k])
					}
					if s.CurrentActionType() != k.t {
						rt.Fatalf("current type %v inside %v", s.CurrentActionType(), k)
					}
					lastRun[k] = seq
					if k.t == NormalAction {
						normalRun++
					}
					clock.sleep(d)
				}, k.t)
			case 1:
				next := s.NextQueueToRun()
				var minService time.Duration = -1
				runnable := s.runnable.Items()
				if s.solo != noQueue {
					if len(runnable) != 0 {
						rt.Fatalf("a lone runnable queue beside %d in the heap", len(runnable))
					}
					runnable = []*actionQueue{s.byID[s.solo]}
				}
				for _, q := range runnable {
					if minService < 0 || q.totalService < minService {
						minService = q.totalService
					}
				}
				var top *actionQueue
				if s.solo != noQueue {
					top = s.byID[s.solo]
				} else if s.runnable.Len() > 0 {
					top = s.runnable.Top()
				}
				if top != nil && (top.name != next || top.totalService != minService) {
					rt.Fatalf("top is not the least served queue")
				}
				s.RunOne()
			case 2:
				clock.sleep(time.Duration(rapid.IntRange(0, 300).Draw(rt, "sleep")))
			}
			st := s.Stats()
			sum := 0
			for _, q := range s.queues {
				sum += q.length()
				if q.idle && !q.empty() {
					rt.Fatalf("idle queue %s has actions", q.name)
				}
			}
			if sum != s.Size() {
				rt.Fatalf("size %d, queues hold %d", s.Size(), sum)
			}
			checkIdleList(rt, s)
			if st.ActionsEnqueued != st.ActionsDequeued+st.ActionsDroppedDueToOverload+uint64(s.Size()) {
				rt.Fatalf("stats do not add up: %+v size %d", st, s.Size())
			}
			if s.CurrentActionType() != NormalAction {
				rt.Fatalf("current type not reset")
			}
		}
		for s.Size() > 0 {
			s.RunOne()
		}
		if normalRun != normalPosted {
			rt.Fatalf("normal actions: posted %d, ran %d", normalPosted, normalRun)
		}
	})
}

// checkIdleList walks the idle list by ids from the front and back again,
// and requires it to hold exactly the live queues marked idle, each found
// at its own id.
func checkIdleList(t *rapid.T, s *Scheduler) {
	idle := 0
	for _, q := range s.queues {
		if s.byID[q.id] != q {
			t.Fatalf("queue %s is not at its id %d", q.name, q.id)
		}
		if q.idle {
			idle++
		}
	}
	walked, prev := 0, int32(noQueue)
	if s.parked != noQueue {
		// The front of the idle list, not linked in.
		if q := s.byID[s.parked]; !q.idle || s.queues[queueKey{q.name, q.typ}] != q {
			t.Fatalf("parked queue %s is not idle and live", q.name)
		}
		walked++
	}
	for id := s.idleFront; id != noQueue; id = s.byID[id].next {
		q := s.byID[id]
		if !q.idle || q.prev != prev || s.queues[queueKey{q.name, q.typ}] != q {
			t.Fatalf("idle list broken at queue %s", q.name)
		}
		prev = id
		walked++
		if walked > len(s.queues) {
			t.Fatalf("idle list loops")
		}
	}
	if prev != s.idleBack || walked != idle || (s.idleBack == noQueue) != (s.idleFront == noQueue) {
		t.Fatalf("idle list: walked %d to %d, want %d queues to %d", walked, prev, idle, s.idleBack)
	}
}

// BenchmarkEnqueueRunOne measures posting one action to an existing queue
// and serving it.
func BenchmarkEnqueueRunOne(b *testing.B) {
	s, clock := newSched(5 * time.Second)
	act := func() { clock.sleep(time.Microsecond) }
	for _, n := range []string{"a", "b", "c", "d"} {
		s.Enqueue(n, act, NormalAction)
	}
	for s.RunOne() != 0 {
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Enqueue("a", act, NormalAction)
		s.RunOne()
	}
}

// TestVirtualNowMatchesNowFunction plays one random script on a scheduler
// that calls its now function and on one that reads its time from an atomic
// (SetVirtualNow), each with its own time moved the same way: after every
// step, what ran, the statistics, the overload state and the next queue
// must agree.
func TestVirtualNowMatchesNowFunction(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		window := rapid.SampledFrom([]time.Duration{0, 10, 100}).Draw(rt, "window")
		type side struct {
			s   *Scheduler
			ran []string
			now func() time.Duration
			add func(time.Duration)
		}
		var tf time.Duration
		var ta atomic.Int64
		fn := &side{s: New(func() time.Duration { return tf }, window),
			now: func() time.Duration { return tf }, add: func(d time.Duration) { tf += d }}
		at := &side{s: New(func() time.Duration { panic("now called despite SetVirtualNow") }, window),
			now: func() time.Duration { return time.Duration(ta.Load()) }, add: func(d time.Duration) { ta.Add(int64(d)) }}
		at.s.SetVirtualNow(&ta)
		ops := rapid.SliceOfN(rapid.IntRange(0, 9), 1, 150).Draw(rt, "ops")
		for i, op := range ops {
			for _, x := range []*side{fn, at} {
				switch {
				case op < 5:
					name, typ, id := string(rune('a'+op%3)), ActionType(op%2), fmt.Sprint(i)
					x.s.Enqueue(name, func() { x.ran = append(x.ran, id); x.add(time.Duration(op)) }, typ)
				case op < 8:
					x.s.RunOne()
				default:
					x.add(time.Duration(op * 7))
				}
			}
			require.Equal(rt, fn.ran, at.ran)
			require.Equal(rt, fn.s.Stats(), at.s.Stats())
			require.Equal(rt, fn.s.OverloadedDuration(), at.s.OverloadedDuration())
			require.Equal(rt, fn.s.NextQueueToRun(), at.s.NextQueueToRun())
			require.Equal(rt, fn.now(), at.now())
		}
	})
}
