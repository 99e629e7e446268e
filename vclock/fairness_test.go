package vclock_test

// The action scheduler seen through the Clock: PostAction under several
// names and types, then Crank. The parity traces post under one name only,
// so they cannot tell a fair scheduler from a FIFO; these tests can.
//
// Every test here runs a RealTime clock on a *clock.Mock. Actions "take
// time" by advancing the mock, so the service time the scheduler charges to
// each queue, the 500 ms slice of the action step and the 5 s latency
// window are all exact and deterministic. (Each mock.Add also sleeps 1 ms of
// real time, which is all these tests cost.)

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/vclock"
)

// serviceQueue is one (name, type) action queue of a fairness test: every
// action posted to it advances the mock by cost.
type serviceQueue struct {
	label string // short tag for the run order
	name  string
	typ   vclock.ActionType
	cost  time.Duration
}

// crank runs one non-blocking crank and returns its progress. Only the crank
// goroutine posts in these tests, so when a crank returns, its transfer step
// has moved every posted action into the scheduler.
func (m *fairnessModel) crank() int {
	p := m.c.Crank(false)
	for label, n := range m.left {
		m.queued[label] = n
	}
	return p
}

// fairnessModel posts actions of several queues and checks, as each runs,
// that the scheduler picked a queue with the least total service among those
// with actions in the scheduler (posted actions still pending do not count).
// Its totals are its own sums of the costs, independent of the scheduler's.
// All state is touched on the crank goroutine only.
type fairnessModel struct {
	t      *testing.T
	c      *vclock.Clock
	mock   *clock.Mock
	queues []serviceQueue
	served map[string]time.Duration // label -> total service so far
	left   map[string]int           // label -> actions posted, not yet run
	queued map[string]int           // label -> actions in the scheduler, not yet run
	order  []string                 // labels in run order
	seq    map[string]int           // label -> index of the next action expected
	errs   []string
}

func newFairnessModel(t *testing.T, c *vclock.Clock, mock *clock.Mock, queues ...serviceQueue) *fairnessModel {
	return &fairnessModel{
		t: t, c: c, mock: mock, queues: queues,
		served: map[string]time.Duration{},
		left:   map[string]int{},
		queued: map[string]int{},
		seq:    map[string]int{},
	}
}

// post posts the i-th action of queue q.
func (m *fairnessModel) post(q serviceQueue, i int) {
	m.left[q.label]++
	m.c.PostAction(func() {
		for _, o := range m.queues {
			if o.label != q.label && m.queued[o.label] > 0 && m.served[o.label] < m.served[q.label] {
				m.errs = append(m.errs, fmt.Sprintf("run %d: %s (%v served) ran while %s had only %v",
					len(m.order), q.label, m.served[q.label], o.label, m.served[o.label]))
			}
		}
		if m.seq[q.label] != i {
			m.errs = append(m.errs, fmt.Sprintf("%s: action %d ran when %d was due", q.label, i, m.seq[q.label]))
		}
		m.seq[q.label] = i + 1
		m.order = append(m.order, q.label)
		m.left[q.label]--
		m.queued[q.label]--
		m.served[q.label] += q.cost
		m.mock.Add(q.cost)
	}, q.name, q.typ)
}

func TestFairShareAcrossNamesAndTypes(t *testing.T) {
	c, mock := newRealWithMock()
	// Three queues, two of them under the same name: a name and a type
	// together select a queue. The costs never make two running totals
	// equal after the first round, so the order is fully determined.
	ledger := serviceQueue{"L", "ledger", vclock.NormalAction, 61 * time.Millisecond}
	overlay := serviceQueue{"O", "overlay", vclock.NormalAction, 27 * time.Millisecond}
	flood := serviceQueue{"o", "overlay", vclock.DroppableAction, 10 * time.Millisecond}
	m := newFairnessModel(t, c, mock, ledger, overlay, flood)

	// Posted round-robin, so a FIFO would run L O o L O o ...
	const each = 5
	for i := range each {
		for _, q := range m.queues {
			m.post(q, i)
		}
	}

	// Crank 1: one wake-up handler, 15 actions moved into the scheduler.
	require.Equal(t, 1+3*each, m.crank())
	require.Empty(t, m.order)

	// Crank 2 runs all 15 (490 ms of mock time, under the 500 ms slice).
	// The first round starts with every total at zero: the libstdc++ heap
	// hands out three equal keys pushed as L, O, o in that order. From then
	// on each run goes to the least-served queue:
	//   L O o        totals L 61, O 27, o 10
	//   o o          o 30 > O 27
	//   O            O 54
	//   o o          o 50, done
	//   O            O 81 > L 61
	//   L            L 122
	//   O O          O 135, done
	//   L L L
	require.Equal(t, 3*each, m.crank())
	require.Empty(t, m.errs)
	require.Equal(t, "L O o o o O o o O L O O L L L", strings.Join(m.order, " "))
	require.Equal(t, 490*time.Millisecond, c.Elapsed())

	s := c.ActionScheduler()
	require.Equal(t, 5*61*time.Millisecond, s.TotalService("ledger", vclock.NormalAction))
	require.Equal(t, 5*27*time.Millisecond, s.TotalService("overlay", vclock.NormalAction))
	require.Equal(t, 5*10*time.Millisecond, s.TotalService("overlay", vclock.DroppableAction))
	require.Zero(t, s.Stats().ActionsDroppedDueToOverload)
	require.Equal(t, 0, c.Crank(false))
}

func TestFairShareOverManyCranks(t *testing.T) {
	// Two busy queues with a backlog, and a third that joins late: over
	// many cranks (each action step cut at 500 ms of mock time) every run
	// goes to a least-served non-empty queue, each queue keeps its posting
	// order, and while both backlogs last the two stay within one action's
	// cost of each other.
	c, mock := newRealWithMock()
	fast := serviceQueue{"f", "fast", vclock.NormalAction, 10 * time.Millisecond}
	slow := serviceQueue{"s", "slow", vclock.NormalAction, 30 * time.Millisecond}
	late := serviceQueue{"l", "late", vclock.DroppableAction, 20 * time.Millisecond}
	m := newFairnessModel(t, c, mock, fast, slow, late)
	for i := range 100 {
		m.post(fast, i)
	}
	for i := range 40 {
		m.post(slow, i)
	}
	require.Equal(t, 141, m.crank())

	var gaps []time.Duration
	cranks := 0
	for m.left["f"]+m.left["s"]+m.left["l"] > 0 {
		cranks++
		require.Less(t, cranks, 100)
		start := c.Elapsed()
		ranBefore := len(m.order)
		p := m.crank()
		// An action step stops at the first run that starts at or past
		// 500 ms after the step began; no action here is longer than 30 ms.
		require.Less(t, c.Elapsed()-start, vclock.CrankTimeSlice+30*time.Millisecond)
		if len(m.order) > ranBefore && m.left["f"] > 0 && m.left["s"] > 0 {
			gaps = append(gaps, (m.served["f"] - m.served["s"]).Abs())
		}
		if cranks == 2 {
			// The late queue arrives with 20 actions while the others
			// have about 450 ms of service each. It starts at zero, so
			// it runs first until it has caught up.
			for i := range 20 {
				m.post(late, i)
			}
		}
		require.Positive(t, p)
	}
	require.Empty(t, m.errs)
	require.NotEmpty(t, gaps)
	for _, g := range gaps {
		require.LessOrEqual(t, g, 30*time.Millisecond)
	}
	// The late queue's first 20-odd runs came in a block: it had the least
	// service until it caught up with the others.
	joined := strings.Join(m.order, "")
	require.Contains(t, joined, strings.Repeat("l", 20))
	require.Equal(t, 100*10*time.Millisecond+40*30*time.Millisecond+20*20*time.Millisecond, c.Elapsed())
	require.Zero(t, c.ActionScheduler().Stats().ActionsDroppedDueToOverload)
}

func TestDroppableActionsDroppedAfterLatencyWindow(t *testing.T) {
	c, mock := newRealWithMock()
	var ran []string
	overloadedInN1 := false
	post := func(label string, typ vclock.ActionType, body func()) {
		c.PostAction(func() {
			ran = append(ran, label)
			if body != nil {
				body()
			}
		}, "flood", typ)
	}
	// One name, two queues: droppable d1..d3 and normal n1, n2.
	post("d1", vclock.DroppableAction, func() {
		// d1 holds the crank goroutine for 6 s, and posts d4 meanwhile.
		mock.Add(6 * time.Second)
		post("d4", vclock.DroppableAction, nil)
	})
	post("d2", vclock.DroppableAction, nil)
	post("d3", vclock.DroppableAction, nil)
	post("n1", vclock.NormalAction, func() { overloadedInN1 = c.ActionQueueIsOverloaded() })
	post("n2", vclock.NormalAction, nil)

	// Crank 1 at 0 s: wake-up + 5 moved.
	require.Equal(t, 6, c.Crank(false))
	// Crank 2 at 0 s: both queues have zero service and the droppable one
	// was made first, so d1 runs, until 6 s; that ends the action step. d4
	// is moved at 6 s. 1 run + 1 moved.
	require.Equal(t, 2, c.Crank(false))
	require.Equal(t, []string{"d1"}, ran)
	// The scheduler noticed when d1 finished that d2 had waited 6 s: it has
	// been overloaded since 6 s, which counts once time has moved on.
	require.False(t, c.ActionQueueIsOverloaded())
	mock.Add(time.Second)
	require.True(t, c.ActionQueueIsOverloaded())

	// Crank 3 at 7 s: d4's wake-up (1). The normal queue has less service:
	// n1 and n2 run although they waited 7 s (2). Then the droppable queue
	// is served (1): d2 and d3 waited 7 s, more than the 5 s window, and
	// are dropped; d4 waited 1 s and runs.
	require.Equal(t, 4, c.Crank(false))
	require.Equal(t, []string{"d1", "n1", "n2", "d4"}, ran)
	require.True(t, overloadedInN1)
	require.Equal(t, uint64(2), c.ActionScheduler().Stats().ActionsDroppedDueToOverload)
	require.False(t, c.ActionQueueIsOverloaded())
	require.Zero(t, c.ActionQueueSize())
	require.Equal(t, 0, c.Crank(false))
}

func TestLatencyWindowBoundary(t *testing.T) {
	c, mock := newRealWithMock()
	var ran []string
	post := func(label string, typ vclock.ActionType) {
		c.PostAction(func() { ran = append(ran, label) }, "gossip", typ)
	}
	dropped := func() uint64 { return c.ActionScheduler().Stats().ActionsDroppedDueToOverload }

	// A droppable action that waited exactly 5 s still runs.
	post("x1", vclock.DroppableAction)
	require.Equal(t, 2, c.Crank(false)) // wake-up + moved at 0 s
	mock.Add(vclock.SchedulerLatencyWindow)
	require.Equal(t, 1, c.Crank(false))
	require.Equal(t, []string{"x1"}, ran)
	require.Zero(t, dropped())

	// One that waited 5 s and 1 ns does not: its queue is served (1), and
	// the action is dropped instead of run.
	post("x2", vclock.DroppableAction)
	require.Equal(t, 2, c.Crank(false)) // moved at 5 s
	mock.Add(vclock.SchedulerLatencyWindow + time.Nanosecond)
	require.Equal(t, 1, c.Crank(false))
	require.Equal(t, []string{"x1"}, ran)
	require.Equal(t, uint64(1), dropped())

	// A normal action under the same name is never dropped, even after an
	// hour's wait.
	post("y", vclock.NormalAction)
	require.Equal(t, 2, c.Crank(false))
	mock.Add(time.Hour)
	require.Equal(t, 1, c.Crank(false))
	require.Equal(t, []string{"x1", "y"}, ran)
	require.Equal(t, uint64(1), dropped())
	require.Equal(t, 0, c.Crank(false))
}
