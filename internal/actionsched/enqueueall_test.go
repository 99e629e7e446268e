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

// TestEnqueueAllAtMatchesEnqueueAt plays random scripts on two schedulers,
// one posting runs of actions with EnqueueAllAt and the other posting them
// one by one with EnqueueAt, and requires the same runs, stats, sizes,
// next queue and idle list after every step.
func TestEnqueueAllAtMatchesEnqueueAt(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		window := rapid.SampledFrom([]time.Duration{0, 10, 100, -3}).Draw(rt, "window")
		type side struct {
			s   *Scheduler
			now atomic.Int64
			ran []string
		}
		newSide := func() *side {
			x := &side{}
			x.s = New(func() time.Duration { return time.Duration(x.now.Load()) }, window)
			x.s.ReuseReads()
			return x
		}
		all, one := newSide(), newSide()
		names := []string{"a", "b"}
		ops := rapid.SliceOfN(rapid.IntRange(0, 9), 1, 80).Draw(rt, "ops")
		for i, op := range ops {
			for _, x := range []*side{all, one} {
				switch {
				case op < 5:
					name := names[op%2]
					if op >= 2 {
						name = strings.Clone(name) // same bytes, other pointer
					}
					typ := ActionType(i % 2)
					// Runs long enough to grow a ring more than once.
					run := make([]func(), i%7*op*3)
					for k := range run {
						id := fmt.Sprintf("%d.%d", i, k)
						run[k] = func() {
							x.ran = append(x.ran, fmt.Sprintf("%s@%d", id, x.now.Load()))
							x.now.Add(int64(k % 3))
						}
					}
					at := time.Duration(x.now.Load())
					if x == all {
						x.s.EnqueueAllAt(name, run, typ, at)
					} else {
						for _, a := range run {
							x.s.EnqueueAt(name, a, typ, at)
						}
					}
				case op < 8:
					for n := 1; n < 100; n++ {
						if x.s.RunOneAt(x.s.LastRead()) == 0 {
							break
						}
					}
				case op < 9:
					x.now.Add(int64(op * 7))
				default:
					if i%4 == 0 {
						x.s.Shutdown()
					}
				}
			}
			require.Equal(rt, all.ran, one.ran, "ran")
			require.Equal(rt, all.s.Stats(), one.s.Stats(), "stats")
			require.Equal(rt, all.s.Size(), one.s.Size(), "size")
			require.Equal(rt, all.s.NextQueueToRun(), one.s.NextQueueToRun(), "next queue")
			require.Equal(rt, all.s.MaxTotalService(), one.s.MaxTotalService(), "max total service")
			require.Equal(rt, idleNames(all.s), idleNames(one.s), "idle list")
		}
	})
}
