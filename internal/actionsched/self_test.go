package actionsched

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestSelfPostMatchesGeneralPost plays one random script on two schedulers
// with virtual time, each driven as a VirtualTime crank drives it: RunOne
// until it returns 0 or Drained, the posts made meanwhile moved in after
// the loop, in order. On both, an action "self" posts itself again at its
// end (while the script says so), after the other posts it may make. On
// the first, it does so through the scheduler's Self, with WatchPending
// watching a word that the side sets while other posts wait, so that the
// bookkeeping after the action makes the post and its move at once when it
// can (Moved); on the second, the post waits with the others, as the
// clock's PostOnCrank would have it. Other queues run dry before it in the
// same loop, virtual time moves inside actions past the latency window,
// and Shutdown comes between steps and inside actions. After every step,
// what ran, Drained after each RunOne, the statistics, the sizes, the
// overload state, the next queue, the last reading and the idle list must
// agree.
func TestSelfPostMatchesGeneralPost(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		window := rapid.SampledFrom([]time.Duration{0, 10, 100, -3}).Draw(rt, "window")
		does := rapid.SliceOfN(rapid.IntRange(0, 8), 1, 30).Draw(rt, "does")
		// The self action's type: a droppable one is dropped once it
		// has waited past the window, which time moved between steps
		// can make it do.
		typ := rapid.SampledFrom([]ActionType{NormalAction, DroppableAction}).Draw(rt, "typ")
		ops := rapid.SliceOfN(rapid.IntRange(0, 9), 1, 80).Draw(rt, "ops")
		playSelfScript(rt, window, typ, does, ops)
	})
}

// TestSelfPostReadyMatchesGeneralPost plays scripts of
// TestSelfPostMatchesGeneralPost that reach what the random ones reach
// seldom: the scheduler ready (the Self's move of the last crank left it
// as it was, see runOne) when the self action posts straight into the
// scheduler, to its own queue or another, or shuts it down, when it was
// shut down between cranks, or when its droppable action has waited past
// the window (ops: 4 is a crank, 8 moves time by 56, 9 at the eighth step
// is Shutdown).
func TestSelfPostReadyMatchesGeneralPost(t *testing.T) {
	crank3 := []int{4, 4, 4} // three cranks: the second and third start ready
	for _, c := range []struct {
		name string
		typ  ActionType
		does []int
		ops  []int
	}{
		// does is by run: the third run, in the third crank, posts.
		{"direct post to self", NormalAction, []int{0, 0, 7}, crank3},
		{"direct post to other", NormalAction, []int{0, 0, 0, 7, 0}, append(crank3, 4)},
		{"shutdown", NormalAction, []int{0, 0, 6}, crank3},
		{"shutdown between cranks", NormalAction, []int{0}, []int{4, 4, 4, 4, 4, 4, 4, 9, 4}},
		{"droppable, waited past the window", DroppableAction, []int{0}, []int{4, 4, 8, 4, 4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			playSelfScript(t, 10, c.typ, c.does, c.ops)
		})
	}
}

// playSelfScript plays one script of TestSelfPostMatchesGeneralPost: does,
// what each run of the self action does, by run number, and ops, the
// steps.
func playSelfScript(t require.TestingT, window time.Duration, typ ActionType, does, ops []int) {
	type side struct {
		s       *Scheduler
		now     atomic.Int64
		word    atomic.Uint64 // set while posts wait (first side)
		useSelf bool
		waiting []func() // posts made during the loop, moved after it
		names   []string
		types   []ActionType
		ran     []string
		drained []bool
		keep    bool
		runs    int
		selfFn  func()
	}
	newSide := func(useSelf bool) *side {
		x := &side{useSelf: useSelf, keep: true}
		x.s = New(func() time.Duration { panic("now called despite SetVirtualNow") }, window)
		x.s.SetVirtualNow(&x.now)
		x.s.WatchPending(&x.word, 1)
		post := func(name string, f func(), typ ActionType) {
			x.waiting = append(x.waiting, f)
			x.names = append(x.names, name)
			x.types = append(x.types, typ)
			x.word.Store(1)
		}
		x.selfFn = func() {
			n := x.runs
			x.runs++
			x.ran = append(x.ran, fmt.Sprintf("self %d@%d", n, x.now.Load()))
			switch d := does[n%len(does)]; d {
			case 1:
				post("other", func() { x.ran = append(x.ran, fmt.Sprint("other ", n)) }, NormalAction)
			case 2:
				post("self", func() { x.ran = append(x.ran, fmt.Sprint("same ", n)) }, typ)
			case 3, 4:
				x.now.Add(int64(d-2) * 60) // past a window, at times
			case 5:
				x.keep = false
			case 6:
				if n%3 == 2 {
					x.s.Shutdown()
				}
			case 7:
				// A post straight into the scheduler, as its API
				// allows (the clock's posts wait in pending), to
				// the same queue or another.
				name := []string{"self", "other"}[n%2]
				t := NormalAction
				if name == "self" {
					t = typ
				}
				x.s.EnqueueAt(name, func() { x.ran = append(x.ran, fmt.Sprint("direct ", n)) }, t, time.Duration(x.now.Load()))
			}
			if !x.keep {
				return
			}
			if x.useSelf {
				x.s.self.Posted = true
			} else {
				post("self", x.selfFn, typ)
			}
		}
		if useSelf {
			x.s.self.Fn, x.s.self.Name, x.s.self.Typ = x.selfFn, "self", typ
		}
		return x
	}
	a, b := newSide(true), newSide(false)
	for _, x := range []*side{a, b} {
		x.s.EnqueueAt("self", x.selfFn, typ, 0)
	}
	// move is the crank's step 4: the waiting posts, in order.
	move := func(x *side) {
		for i, f := range x.waiting {
			x.s.EnqueueAt(x.names[i], f, x.types[i], time.Duration(x.now.Load()))
		}
		x.waiting, x.names, x.types = nil, nil, nil
		x.word.Store(0)
	}
	crank := func(x *side) {
		moved := false
		for n := 1; n < 100; n++ {
			p := x.s.RunOne()
			moved = p == Moved
			x.drained = append(x.drained, x.s.Drained())
			if p == 0 || x.s.Drained() {
				break
			}
			if x.s.self.Posted {
				// The loop goes on: the post waits with the others.
				x.s.self.Posted = false
				x.waiting = append(x.waiting, x.selfFn)
				x.names = append(x.names, "self")
				x.types = append(x.types, typ)
			}
		}
		if moved {
			require.False(t, x.s.self.Posted)
		} else if x.s.self.Posted {
			x.s.self.Posted = false
			x.waiting = append(x.waiting, x.selfFn)
			x.names = append(x.names, "self")
			x.types = append(x.types, typ)
		}
		move(x)
	}
	for i, op := range ops {
		for _, x := range []*side{a, b} {
			switch {
			case op < 3:
				// One to three: backlogs, which overload the
				// scheduler while it serves them.
				name := []string{"self", "other", "third"}[op]
				for k := range i%3 + 1 {
					id := fmt.Sprint(i, ".", k)
					x.s.EnqueueAt(name, func() {
						x.ran = append(x.ran, fmt.Sprintf("%s %s@%d", name, id, x.now.Load()))
						x.now.Add(int64(i % 3))
					}, NormalAction, time.Duration(x.now.Load()))
				}
			case op < 4:
				if !x.keep {
					x.keep = true
					x.s.EnqueueAt("self", x.selfFn, typ, time.Duration(x.now.Load()))
				}
			case op < 8:
				crank(x)
			case op < 9:
				x.now.Add(int64(op * 7))
			default:
				if i%7 == 0 {
					x.s.Shutdown()
				}
			}
		}
		require.Equal(t, a.ran, b.ran, "ran")
		require.Equal(t, a.drained, b.drained, "drained")
		require.Equal(t, a.s.Stats(), b.s.Stats(), "stats")
		require.Equal(t, a.s.Size(), b.s.Size(), "size")
		require.Equal(t, a.s.MaxTotalService(), b.s.MaxTotalService(), "max total service")
		require.Equal(t, a.s.Overloaded(), b.s.Overloaded(), "overloaded")
		require.Equal(t, a.s.OverloadedDuration(), b.s.OverloadedDuration(), "overloaded for")
		require.Equal(t, a.s.NextQueueToRun(), b.s.NextQueueToRun(), "next queue")
		require.Equal(t, a.s.LastRead(), b.s.LastRead(), "last read")
		require.Equal(t, idleNames(a.s), idleNames(b.s), "idle list")
	}
}

// TestPoppedSlotClearedAfterAction: the slot an action is taken from is
// cleared once it has run (so that the closure can be collected), whatever
// the action posted to its own queue meanwhile: nothing, fewer posts than
// the ring holds, exactly as many as fill it (the slot is then live again,
// and kept), or more (the ring grows into another). Every action posted
// runs, once, in order, and no slot outside the ring's live part holds one.
func TestPoppedSlotClearedAfterAction(t *testing.T) {
	for _, posts := range []int{0, 1, 3, 4, 5, 9} {
		t.Run(fmt.Sprint(posts), func(t *testing.T) {
			s, _ := newSched(10)
			var ran []int
			s.Enqueue("q", func() {
				ran = append(ran, 0)
				for i := 1; i <= posts; i++ {
					s.Enqueue("q", func() { ran = append(ran, i) }, NormalAction)
				}
			}, NormalAction)
			require.Equal(t, 1, s.RunOne())
			q := s.getExistingQueue("q", NormalAction)
			for i := range q.ring {
				live := (i-q.head)&(len(q.ring)-1) < q.count
				require.Equal(t, live, q.ring[i].action != nil, "slot %d of %d (head %d, count %d)", i, len(q.ring), q.head, q.count)
			}
			for s.RunOne() != 0 {
			}
			want := make([]int, posts+1)
			for i := range want {
				want[i] = i
			}
			require.Equal(t, want, ran)
		})
	}
}
