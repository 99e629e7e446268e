package actionsched

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestReusedReadsMatchCxxReads plays random scripts on two schedulers whose
// clocks move only inside actions and between steps, never between two
// reads of one RunOne: one reuses readings (ReuseReads, and with it the
// inline cases of the bookkeeping after an action), the other reads the
// clock as the C++ does and always goes through reinstate. Backlogs of a
// few actions, droppable queues overdue and scheduler overload are all
// reached, and Shutdown is called between steps and inside actions. After
// every step, what ran, the statistics, the sizes, the overload state, the
// next queue and the idle list must agree.
func TestReusedReadsMatchCxxReads(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		window := rapid.SampledFrom([]time.Duration{0, 10, 100}).Draw(rt, "window")
		type side struct {
			s     *Scheduler
			clock *fakeClock
			ran   []string
		}
		newSide := func(reuse bool) *side {
			x := &side{clock: &fakeClock{}}
			x.s = New(x.clock.now, window)
			if reuse {
				x.s.ReuseReads()
			}
			return x
		}
		a, b := newSide(true), newSide(false)
		// One name and type in some scripts, so that a queue with a
		// backlog is often the only runnable one.
		names := []string{"a", "b", "c"}[:rapid.IntRange(1, 3).Draw(rt, "names")]
		types := rapid.IntRange(1, 2).Draw(rt, "types")
		ops := rapid.SliceOfN(rapid.IntRange(0, 9), 1, 100).Draw(rt, "ops")
		for i, op := range ops {
			for _, x := range []*side{a, b} {
				switch {
				case op < 4:
					typ := ActionType(op % types)
					for k := range i%4 + 1 {
						id := fmt.Sprintf("%d.%d", i, k)
						dur := time.Duration(i % 3 * op)
						stop := op == 3 && k == 0 && i%5 == 0
						x.s.Enqueue(names[(i+op)%len(names)], func() {
							x.ran = append(x.ran, fmt.Sprintf("%s@%d", id, x.clock.t))
							x.clock.sleep(dur)
							if stop {
								// Shutdown inside an action, its queue
								// holding more.
								x.s.Shutdown()
							}
						}, typ)
					}
				case op < 6:
					for n := 1; n < 100 && x.s.RunOne() != 0; n++ {
					}
				case op < 7:
					x.s.RunOne()
				case op < 9:
					x.clock.sleep(time.Duration(op * 13))
				default:
					if i%6 == 0 {
						x.s.Shutdown()
					}
				}
			}
			require.Equal(rt, a.ran, b.ran, "ran")
			require.Equal(rt, a.s.Stats(), b.s.Stats(), "stats")
			require.Equal(rt, a.s.Size(), b.s.Size(), "size")
			require.Equal(rt, a.s.MaxTotalService(), b.s.MaxTotalService(), "max total service")
			require.Equal(rt, a.s.Overloaded(), b.s.Overloaded(), "overloaded")
			require.Equal(rt, a.s.NextQueueToRun(), b.s.NextQueueToRun(), "next queue")
			require.Equal(rt, idleNames(a.s), idleNames(b.s), "idle list")
		}
	})
}
