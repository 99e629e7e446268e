package work_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// plainStep is a child that steps (Running), waits on its waiting timer or
// ends as its script says, and leaves every hook to BasicWork: its start
// and its success are the plain moves StartWork and CrankWork make
// without changeState.
type plainStep struct {
	basicwork.BasicWork
	script []int // >0: wait that many ms; 0: step; -1: success; -2: failure
	pos    int
}

func (w *plainStep) OnRun() basicwork.State { return runStep(&w.BasicWork, w.script, &w.pos) }

func (w *plainStep) OnAbort() bool { return true }

// hookedStep is plainStep with OnReset and OnSuccess of its own, which do
// nothing: its moves take changeState's general path.
type hookedStep struct{ plainStep }

func (w *hookedStep) OnReset()   {}
func (w *hookedStep) OnSuccess() {}

// runPlainOrHooked runs the scripts as children of a holder, added while
// the tree runs, all plainStep or all hookedStep, and returns every
// transition (work, path, states, time), each followed by the holder's
// status and child counts at that moment.
func runPlainOrHooked(scripts [][]int, addAt []int, hooked bool) string {
	clock := vclock.New(vclock.VirtualTime)
	var log strings.Builder
	var h *holder
	failed := false // a child failed: the holder aborts the others
	listen := func(e basicwork.TransitionEvent) {
		if e.To == basicwork.InternalFailure {
			failed = true
		}
		fmt.Fprintf(&log, "%s %v->%v @%d", basicwork.PathOf(e.Work), e.From, e.To, e.At.Milliseconds())
		if h != nil {
			fmt.Fprintf(&log, " [%s running=%v done=%v ok=%v]", h.Status(),
				h.AnyChildRunning(), h.AllChildrenDone(), h.AllChildrenSuccessful())
		}
		log.WriteByte('\n')
	}
	app := scheduler.NewApp(clock, scheduler.WithTransitionListener(listen))
	h = &holder{}
	h.Init(app, "holder", basicwork.RetryNever, h)
	app.WorkScheduler().ScheduleWork(h)
	add := func(i int) {
		var c basicwork.Work
		if hooked {
			w := &hookedStep{plainStep{script: scripts[i]}}
			w.Init(app, fmt.Sprintf("c%d", i), basicwork.RetryNever, w)
			c = w
		} else {
			w := &plainStep{script: scripts[i]}
			w.Init(app, fmt.Sprintf("c%d", i), basicwork.RetryNever, w)
			c = w
		}
		// Every other child wakes the holder up with a callback of its
		// own, the others with the holder's shared one.
		var cb func()
		if i%2 == 1 {
			cb = func() { fmt.Fprintf(&log, "callback of c%d\n", i) }
		}
		if err := h.AddWorkWithCallback(cb, c); err != nil {
			panic(err)
		}
	}
	crankWhileAdding(clock, h, addAt, func() bool { return failed }, add)
	fmt.Fprintf(&log, "end %s t=%d", h.Status(), clock.Elapsed().Milliseconds())
	return log.String()
}

// TestPlainMovesMatchGeneralPath: StartWork's and CrankWork's plain moves
// (a new work's start, the move to Success of a work that leaves
// OnSuccess to BasicWork), made without changeState, and AddWork's plain
// start of a child (without its outer StartWork and the deferred undo),
// with the holder's shared wake-up callback or one of the child's, give
// the same
// transitions, times, paths and parent counts as changeState's general
// path, which hookedStep's do-nothing hooks send the same scripts through.
func TestPlainMovesMatchGeneralPath(t *testing.T) {
	// A child added while the holder waits on its first children's
	// timers, with the holder's shared wake-up callback (c2) or one of
	// its own (c1): the add must wake the holder up. The cranks of the
	// adds are found by running the scripts.
	for _, tc := range []struct {
		scripts [][]int
		addAt   []int
		added   string
	}{
		{[][]int{{5}, {5}, {}}, []int{0, 0, 6}, "holder/c2 WORK_PENDING->WORK_RUNNING @0 [Waiting: holder"},
		{[][]int{{5}, {}}, []int{0, 4}, "holder/c1 WORK_PENDING->WORK_RUNNING @0 [Waiting: holder"},
	} {
		plain := runPlainOrHooked(tc.scripts, tc.addAt, false)
		require.Equal(t, runPlainOrHooked(tc.scripts, tc.addAt, true), plain)
		require.Contains(t, plain, tc.added)
	}
	rapid.Check(t, func(t *rapid.T) {
		scripts, addAt := drawScripts(t, 10, 4, 6, 5)
		plain := runPlainOrHooked(scripts, addAt, false)
		hooked := runPlainOrHooked(scripts, addAt, true)
		if plain != hooked {
			t.Fatalf("plain moves:\n%s\ngeneral path:\n%s", plain, hooked)
		}
	})
}
