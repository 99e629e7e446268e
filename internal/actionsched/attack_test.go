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

// TestAttackFastPathsWithPanicsAndShutdownInActions plays one random script
// on two schedulers that read the same virtual time. The first is served
// as a VirtualTime clock serves it: SetVirtualNow, posts with EnqueueAt and
// EnqueueAllAt, RunOneAt(LastRead()) in a loop cut short by Drained. The
// second is the plain path: a now function, no reused reads, every post
// through Enqueue, RunOne until it returns 0. A virtual clock gives the
// same readings either way, so nothing either side reports may differ.
// Beyond TestFastPathsMatchGeneralPath, actions here panic (the panic is
// recovered out of the serving loop, as a caller recovering out of Crank
// does, and serving goes on), post to other queues and types from inside,
// call Shutdown from inside, and move time past the window so that queues
// overload, droppable actions are shed and idle queues expire.
func TestAttackFastPathsWithPanicsAndShutdownInActions(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		window := rapid.SampledFrom([]time.Duration{0, 10, 100, -3}).Draw(rt, "window")
		type side struct {
			s    *Scheduler
			now  atomic.Int64
			ran  []string
			fast bool
		}
		newSide := func(fast bool) *side {
			x := &side{fast: fast}
			x.s = New(func() time.Duration { return time.Duration(x.now.Load()) }, window)
			if fast {
				x.s.SetVirtualNow(&x.now)
			}
			return x
		}
		a, b := newSide(true), newSide(false)
		names := []string{"a", "b", "c"}
		type act struct {
			kind  int // 0 plain, 1 panics, 2 posts to another queue, 3 shuts down
			dur   time.Duration
			other int
		}
		var post func(x *side, name string, typ ActionType, id string, ac act)
		mk := func(x *side, name string, typ ActionType, id string, ac act) func() {
			return func() {
				x.ran = append(x.ran, fmt.Sprintf("%s@%d/%v", id, x.now.Load(), x.s.CurrentActionType()))
				x.now.Add(int64(ac.dur))
				switch ac.kind {
				case 1:
					panic("boom " + id)
				case 2:
					post(x, names[ac.other%3], ActionType(ac.other%2), id+"'", act{dur: ac.dur / 2})
					post(x, name, typ, id+"\"", act{dur: 1})
				case 3:
					x.s.Shutdown()
				}
			}
		}
		post = func(x *side, name string, typ ActionType, id string, ac act) {
			f := mk(x, name, typ, id, ac)
			if x.fast {
				x.s.EnqueueAt(name, f, typ, time.Duration(x.now.Load()))
			} else {
				x.s.Enqueue(name, f, typ)
			}
		}
		serve := func(x *side) {
			// As the crank's loop: the first RunOneAt at a fresh reading,
			// each next one at the reading that ended the last.
			now := time.Duration(x.now.Load())
			for n := 1; n < 100; n++ {
				var got int
				func() {
					defer func() {
						if p := recover(); p != nil {
							x.ran = append(x.ran, fmt.Sprint("recovered ", p))
							got = 1
						}
					}()
					if x.fast {
						got = x.s.RunOneAt(now)
					} else {
						got = x.s.RunOne()
					}
				}()
				if got == 0 || (x.fast && x.s.Drained()) {
					return
				}
				now = x.s.LastRead()
			}
		}
		ops := rapid.SliceOfN(rapid.IntRange(0, 14), 1, 150).Draw(rt, "ops")
		kinds := rapid.SliceOfN(rapid.IntRange(0, 12), len(ops), len(ops)).Draw(rt, "kinds")
		for i, op := range ops {
			kind := 0
			switch k := kinds[i]; {
			case k < 2:
				kind = 1
			case k < 5:
				kind = 2
			case k == 12:
				kind = 3
			}
			ac := act{kind: kind, dur: time.Duration(i % 4 * op * 3), other: i}
			for _, x := range []*side{a, b} {
				switch {
				case op < 6:
					name := names[op%3]
					if op >= 3 {
						name = strings.Clone(name)
					}
					post(x, name, ActionType(i%2), fmt.Sprint(i), ac)
				case op < 8:
					// A run of posts to one queue, as a transfer moves it.
					name := names[op%3]
					run := make([]func(), i%5)
					for k := range run {
						run[k] = mk(x, name, ActionType(op%2), fmt.Sprintf("%d.%d", i, k), ac)
					}
					if x.fast {
						x.s.EnqueueAllAt(name, run, ActionType(op%2), time.Duration(x.now.Load()))
					} else {
						for _, f := range run {
							x.s.Enqueue(name, f, ActionType(op%2))
						}
					}
				case op < 12:
					serve(x)
				default:
					x.now.Add(int64(op * 11))
				}
			}
			require.Equal(rt, a.ran, b.ran, "ran")
			require.Equal(rt, a.s.Stats(), b.s.Stats(), "stats")
			require.Equal(rt, a.s.Size(), b.s.Size(), "size")
			require.Equal(rt, a.s.MaxTotalService(), b.s.MaxTotalService(), "max total service")
			require.Equal(rt, a.s.OverloadedDuration(), b.s.OverloadedDuration(), "overloaded")
			require.Equal(rt, a.s.Overloaded(), b.s.Overloaded(), "overloaded flag")
			require.Equal(rt, a.s.NextQueueToRun(), b.s.NextQueueToRun(), "next queue")
			require.Equal(rt, a.s.CurrentActionType(), b.s.CurrentActionType(), "current type")
			require.Equal(rt, idleNames(a.s), idleNames(b.s), "idle list")
		}
	})
}
