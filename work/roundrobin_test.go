package work_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// scripted is a child whose every run does what its script says: step
// (Running), wait n ms on its waiting timer, succeed or fail. It writes each
// run into a shared log.
type scripted struct {
	basicwork.BasicWork
	script []int // >0: wait that many ms; 0: step; -1: success; -2: failure
	pos    int
	log    *strings.Builder
	failed *bool // set when the child fails for good
}

func (w *scripted) OnFailureRaise() {
	if w.failed != nil {
		*w.failed = true
	}
}

func (w *scripted) OnRun() basicwork.State {
	clock := w.App().Clock()
	fmt.Fprintf(w.log, "%s@%d ", w.Name(), clock.Elapsed().Milliseconds())
	return runStep(&w.BasicWork, w.script, &w.pos)
}

// runStep runs the op at *pos of script on b (see scripted) and moves
// *pos on.
func runStep(b *basicwork.BasicWork, script []int, pos *int) basicwork.State {
	op := -1
	if *pos < len(script) {
		op = script[*pos]
	}
	*pos++
	switch {
	case op > 0:
		b.SetupWaitingCallback(time.Duration(op) * time.Millisecond)
		return basicwork.Waiting
	case op == 0:
		return basicwork.Running
	case op == -2:
		return basicwork.Failure
	}
	return basicwork.Success
}

func (w *scripted) OnAbort() bool { return true }
func (w *scripted) OnReset()      { w.pos = 0 }

// holder waits for its children.
type holder struct{ work.Work }

func (h *holder) DoWork() basicwork.State { return h.CheckChildrenStatus() }

// keeper never finishes: like the WorkScheduler, it runs while a child
// does and otherwise waits for more children.
type keeper struct{ work.Work }

func (k *keeper) DoWork() basicwork.State {
	if k.AnyChildRunning() {
		return basicwork.Running
	}
	return basicwork.Waiting
}

// runScripts runs the scripts as children of one Work, the scripts of
// later ones being added while the tree runs, and returns the log of every
// child run and the final statuses.
func runScripts(scripts [][]int, addAt []int, fullScan bool) string {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.LowerBound{}))
	h := &holder{}
	h.Init(app, "holder", basicwork.RetryNever, h)
	app.WorkScheduler().ScheduleWork(h)
	if fullScan {
		// After starting it: a start resets the children.
		work.ForceFullScan(&h.Work)
	}
	var log strings.Builder
	failed := false
	add := func(i int) {
		c := &scripted{script: scripts[i], log: &log, failed: &failed}
		c.Init(app, fmt.Sprintf("c%d", i), basicwork.RetryOnce, c)
		if err := h.AddWork(c); err != nil {
			panic(err)
		}
	}
	// Stop adding once a child failed: the holder then aborts its children,
	// and a child added meanwhile would not be aborting (the C++ asserts on
	// that too).
	crankWhileAdding(clock, h, addAt, func() bool { return failed }, add)
	fmt.Fprintf(&log, "\nend %s t=%d", h.Status(), clock.Elapsed().Milliseconds())
	return log.String()
}

// crankWhileAdding cranks clock until h is done, at most 10,000 times, or
// until h waits with no child once all are added: add(i) adds child i
// before crank addAt[i], unless stop says no more may come.
func crankWhileAdding(clock *vclock.Clock, h *holder, addAt []int, stop func() bool, add func(i int)) {
	next := 0
	for crank := 0; crank < 10000 && !h.IsDone(); crank++ {
		for next < len(addAt) && addAt[next] <= crank && !stop() && !h.IsDone() {
			add(next)
			next++
		}
		if next == len(addAt) && h.State() == basicwork.Waiting && !h.HasChildren() {
			break
		}
		clock.Crank(false)
	}
}

// TestRoundRobinMatchesFullScan checks, on random families of children
// that step, wait, fail, retry and arrive while others run, that the walk
// over active children visits exactly what the C++ full scan visits, in
// the same order and at the same virtual times.
func TestRoundRobinMatchesFullScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		scripts, addAt := drawScripts(t, 12, 5, 8, 6)
		fast := runScripts(scripts, addAt, false)
		slow := runScripts(scripts, addAt, true)
		if fast != slow {
			t.Fatalf("indexed walk:\n%s\nfull scan:\n%s", fast, slow)
		}
	})
}

// drawScripts draws up to maxChildren scripts of runScripts (each op in
// [-2, maxWait], at most maxLen of them) and the cranks at which each child
// is added, each at most maxGap after the one before.
func drawScripts(t *rapid.T, maxChildren, maxWait, maxLen, maxGap int) (scripts [][]int, addAt []int) {
	n := rapid.IntRange(1, maxChildren).Draw(t, "children")
	scripts = make([][]int, n)
	addAt = make([]int, n)
	at := 0
	for i := range scripts {
		scripts[i] = rapid.SliceOfN(rapid.IntRange(-2, maxWait), 0, maxLen).Draw(t, fmt.Sprintf("script%d", i))
		at += rapid.IntRange(0, maxGap).Draw(t, fmt.Sprintf("gap%d", i))
		addAt[i] = at
	}
	return scripts, addAt
}

// TestChildTakenOverFallsBackToFullScan: a done child added to a second
// parent stops telling the first one about its states, so the first one
// scans its children from then on.
func TestChildTakenOverFallsBackToFullScan(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	a, b := &holder{}, &holder{}
	a.Init(app, "a", basicwork.RetryNever, a)
	b.Init(app, "b", basicwork.RetryNever, b)
	var log strings.Builder
	c := &scripted{log: &log}
	c.Init(app, "c", basicwork.RetryNever, c)
	// a holds c: a waits on a second child that never finishes, so c stays
	// in a's list, done, when b restarts it.
	other := &scripted{script: []int{1 << 30}, log: &log}
	other.Init(app, "other", basicwork.RetryNever, other)
	app.WorkScheduler().ScheduleWork(a)
	require.NoError(t, a.AddWork(c))
	require.NoError(t, a.AddWork(other))
	for !c.IsDone() {
		clock.Crank(false)
	}
	require.False(t, work.FullScan(&a.Work))
	require.NoError(t, b.AddWork(c))
	require.True(t, work.FullScan(&a.Work))
	require.False(t, work.FullScan(&b.Work))
}

// TestSlotsAreReclaimed: a parent that sees many children come and go
// keeps its slot array proportional to the children it holds.
func TestSlotsAreReclaimed(t *testing.T) {
	clock, app, h := scheduledKeeper()
	var log strings.Builder
	for round := range 50 {
		for i := range 100 {
			c := &scripted{script: []int{0}, log: &log}
			c.Init(app, fmt.Sprintf("c%d-%d", round, i), basicwork.RetryNever, c)
			require.NoError(t, h.AddWork(c))
		}
		// The keeper waits once no child reads Running; the finished ones
		// are dropped when a later round walks past them.
		for crank := 0; h.State() != basicwork.Waiting; crank++ {
			require.Less(t, crank, 10000)
			clock.Crank(false)
		}
	}
	require.LessOrEqual(t, work.Slots(&h.Work), 200)
	require.GreaterOrEqual(t, h.DoneChildren(), 4900)
}
