package actionsched

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestFastPathsMatchGeneralPath plays one random script on two schedulers
// with virtual time (SetVirtualNow), each with its own time moved the same
// way. The first posts with EnqueueAt, whose usual case (the last queue
// posted to, idle, nothing runnable) is served inline, and serves as a
// VirtualTime crank does: RunOne until it returns 0 or Drained says the
// next one would. The second posts through enqueue, the general path, and
// calls RunOne until it returns 0. Names come as the same string or as
// copies of it, so both of EnqueueAt's name checks are taken. After every
// step, what ran, the statistics, the sizes, the overload state, the next
// queue, the last reading of the clock and the idle list, front to back,
// must agree.
func TestFastPathsMatchGeneralPath(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		// A negative window (every idle queue expires at once) and time
		// near its end (where a queue's last service plus a positive
		// window would pass it) take the rarer turns of the expiry test.
		window := rapid.SampledFrom([]time.Duration{0, 10, 100, 1000, -3}).Draw(rt, "window")
		type side struct {
			s    *Scheduler
			now  atomic.Int64
			ran  []string
			fast bool
		}
		newSide := func(fast bool) *side {
			x := &side{fast: fast}
			x.s = New(func() time.Duration { panic("now called despite SetVirtualNow") }, window)
			x.s.SetVirtualNow(&x.now)
			return x
		}
		a, b := newSide(true), newSide(false)
		names := []string{"a", "b", "c"}
		var post func(x *side, name string, typ ActionType, id string, dur time.Duration, again int)
		post = func(x *side, name string, typ ActionType, id string, dur time.Duration, again int) {
			act := func() {
				x.ran = append(x.ran, fmt.Sprintf("%s@%d", id, x.now.Load()))
				x.now.Add(int64(dur))
				if again > 0 {
					// An action posting to its own queue, as the
					// WorkScheduler's does.
					post(x, name, typ, id+"'", dur, again-1)
				}
			}
			at := time.Duration(x.now.Load())
			if x.fast {
				x.s.EnqueueAt(name, act, typ, at)
			} else {
				x.s.enqueue(name, act, typ, at)
			}
		}
		ops := rapid.SliceOfN(rapid.IntRange(0, 11), 1, 120).Draw(rt, "ops")
		for i, op := range ops {
			for _, x := range []*side{a, b} {
				switch {
				case op < 6:
					name := names[op%3]
					if op >= 3 {
						name = strings.Clone(name) // same bytes, other pointer
					}
					typ := ActionType(i % 2)
					if op%2 == 0 {
						typ = NormalAction
					}
					post(x, name, typ, fmt.Sprint(i), time.Duration(i%3*op), i%4)
				case op < 9:
					// A crank's action step.
					for n := 1; n < 100; n++ {
						if x.s.RunOne() == 0 || (x.fast && x.s.Drained()) {
							break
						}
					}
				case op < 11:
					x.now.Add(int64(op * 17))
				default:
					switch {
					case i%5 == 0:
						x.s.Shutdown()
					case i%5 == 1:
						// Near the end of time: 500 ns left, more
						// than the actions of a script take.
						x.now.Store(max(x.now.Load(), int64(never)-500))
					}
				}
			}
			require.Equal(rt, a.ran, b.ran, "ran")
			require.Equal(rt, a.s.Stats(), b.s.Stats(), "stats")
			require.Equal(rt, a.s.Size(), b.s.Size(), "size")
			require.Equal(rt, a.s.MaxTotalService(), b.s.MaxTotalService(), "max total service")
			require.Equal(rt, a.s.OverloadedDuration(), b.s.OverloadedDuration(), "overloaded")
			require.Equal(rt, a.s.NextQueueToRun(), b.s.NextQueueToRun(), "next queue")
			require.Equal(rt, a.s.LastRead(), b.s.LastRead(), "last read")
			require.Equal(rt, idleNames(a.s), idleNames(b.s), "idle list")
		}
	})
}

// idleNames lists the idle queues from the front of the idle list (most
// recently idled) to its back, with their total service.
func idleNames(s *Scheduler) []string {
	var out []string
	add := func(q *actionQueue) {
		out = append(out, fmt.Sprintf("%s/%v/%v", q.name, q.typ, q.totalService))
	}
	if s.parked != noQueue {
		add(s.byID[s.parked])
	}
	for id := s.idleFront; id != noQueue; id = s.byID[id].next {
		add(s.byID[id])
	}
	return out
}

// TestDrained: after RunOne served an action, Drained is true exactly when
// a RunOne would return 0 and change nothing, in virtual time; with a now
// function it is never true. The cases: the lone queue ran dry (drained);
// another queue is runnable, or the queue ran dry with another queue due
// to expire, or virtual time moved inside the action past an idle queue's
// expiry (not drained).
func TestDrained(t *testing.T) {
	var now atomic.Int64
	s := New(func() time.Duration { return time.Duration(now.Load()) }, 10)
	s.SetVirtualNow(&now)
	noop := func() {}

	s.Enqueue("a", noop, NormalAction)
	require.Equal(t, 1, s.RunOne())
	require.True(t, s.Drained(), "the lone queue ran dry")
	st := s.Stats()
	require.Equal(t, 0, s.RunOne())
	require.Equal(t, st, s.Stats())

	s.Enqueue("a", noop, NormalAction)
	s.Enqueue("b", noop, NormalAction)
	require.Equal(t, 1, s.RunOne())
	require.False(t, s.Drained(), "b is runnable")
	require.Equal(t, 1, s.RunOne())
	require.True(t, s.Drained())

	// a and b idle since 0; c's action moves time past their expiry (10).
	s.Enqueue("c", func() { now.Add(11) }, NormalAction)
	require.Equal(t, 1, s.RunOne())
	require.False(t, s.Drained(), "an idle queue is due to expire")
	require.NotNil(t, s.getExistingQueue("a", NormalAction))
	require.Equal(t, 0, s.RunOne())
	require.Nil(t, s.getExistingQueue("a", NormalAction), "the RunOne that Drained would skip forgot a")

	// A negative window, where a queue expires as soon as it is idle, and
	// the end of time, where last service plus window passes it: the
	// RunOne after the lone queue's action would forget it.
	for _, c := range []struct {
		window time.Duration
		start  int64
	}{{-1, 0}, {10, int64(never) - 5}} {
		var at atomic.Int64
		at.Store(c.start)
		x := New(func() time.Duration { return 0 }, c.window)
		x.SetVirtualNow(&at)
		x.Enqueue("a", noop, NormalAction)
		require.Equal(t, 1, x.RunOne())
		require.False(t, x.Drained(), "window %v at %v", c.window, c.start)
		require.Equal(t, 0, x.RunOne())
		require.Nil(t, x.getExistingQueue("a", NormalAction))
	}

	fn, _ := newSched(10)
	fn.Enqueue("a", noop, NormalAction)
	require.Equal(t, 1, fn.RunOne())
	require.False(t, fn.Drained(), "only with SetVirtualNow")
}
