package work_test

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// TestShiftCompactionMatchesRenumbering: a compaction that finds the
// children in one run of slots moves the run down and leaves their slot
// numbers as they are (children.base), and AddWork renumbers them all when
// a number would pass maxSlot. On random bursts of children added at each
// DoWork, as a BatchWork adds them (most of them one step long, some that
// wait until the next DoWork, some that step, wait, fail and retry), the
// runs, which children are registered at the parent after every crank and
// the final status must be what the full scan with renumbering compactions
// gives (the C++ list, in effect); and after every crank each held child
// must be registered under its slot plus the base, and the active bitmap
// hold exactly the held children that do not wait. It fails if the shift
// moves the bitmap, its summary or the slots wrongly, if the base is not
// added where a slot number is compared (the release of a dropped child,
// ChildState), or if a renumbering is missed.
func TestShiftCompactionMatchesRenumbering(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		bursts := drawFlow(t)
		maxSlot := rapid.IntRange(1, 200).Draw(t, "maxSlot")
		want := runCompacting(t, bursts, true, false, 1<<31-1, nil)
		for _, fast := range []bool{false, true} {
			if got := runCompacting(t, bursts, false, fast, maxSlot, nil); got != want {
				t.Fatalf("indexed walk %v, shifting compactions, maxSlot %d:\n%s\nfull scan, renumbering:\n%s", fast, maxSlot, got, want)
			}
		}
	})
}

// TestSlotNumbersStayUnderMaxSlot: children that come sixteen at a time,
// as in a BatchWork of bandwidth 16, are compacted by moving their run
// down, so the base grows at each compaction; AddWork must renumber them
// before a slot number passes maxSlot (an int32 in basicwork). With
// maxSlot at 100 and never more than 64 slots, every child must be
// registered under at most 100, and the runs must be those of the
// renumbering compaction. It fails without the renumbering in AddWork.
func TestSlotNumbersStayUnderMaxSlot(t *testing.T) {
	bursts := make([][][]int, 40)
	for b := range bursts {
		bursts[b] = make([][]int, 16)
	}
	shifted := false
	under := func(w *work.Work) error {
		shifted = shifted || work.Base(w) > 0
		for _, n := range work.SlotNumbers(w) {
			if n > 100 {
				return fmt.Errorf("a child is registered as slot %d", n)
			}
		}
		return nil
	}
	want := runCompacting(t, bursts, true, true, 1<<31-1, nil)
	if got := runCompacting(t, bursts, false, true, 100, under); got != want {
		t.Fatalf("shifting compactions, maxSlot 100:\n%s\nrenumbering:\n%s", got, want)
	}
	if !shifted {
		t.Fatal("no compaction moved a run")
	}
}

// drawFlow draws bursts of scripts of runScripts, up to 40 each, most of
// them a single step that succeeds, so that children mostly finish in the
// order they came and the held ones are often one run of slots. A script
// {-3} or {-4} is a napper's, with one or two naps.
func drawFlow(t *rapid.T) (bursts [][][]int) {
	// odd is the share, in percent, of children with a random script
	// (which may wait, fail and retry, and so stay while later ones go).
	odd := 0
	if rapid.Bool().Draw(t, "odd?") {
		odd = rapid.IntRange(1, 20).Draw(t, "odd")
	}
	// nappers is the share, in percent, of children that wait once or
	// twice, each time until the feeder's next DoWork wakes them, and then
	// succeed: they mostly stay in the run, and each of their moves to and
	// from Waiting is a notice to the parent by slot number.
	nappers := rapid.IntRange(0, 20).Draw(t, "nappers")
	bursts = make([][][]int, rapid.IntRange(1, 30).Draw(t, "bursts"))
	for b := range bursts {
		bursts[b] = make([][]int, rapid.IntRange(0, 40).Draw(t, fmt.Sprintf("burst%d", b)))
		for i := range bursts[b] {
			switch k := rapid.IntRange(0, 99).Draw(t, fmt.Sprintf("kind%d.%d", b, i)); {
			case k < odd:
				bursts[b][i] = rapid.SliceOfN(rapid.IntRange(-2, 3), 0, 4).Draw(t, fmt.Sprintf("script%d.%d", b, i))
			case k < odd+nappers:
				bursts[b][i] = []int{-3 - rapid.IntRange(0, 1).Draw(t, fmt.Sprintf("naps%d.%d", b, i))}
			}
		}
	}
	return bursts
}

// napper waits, until woken up, naps times, then succeeds.
type napper struct {
	basicwork.BasicWork
	naps int
	log  *strings.Builder
}

func (w *napper) OnRun() basicwork.State {
	fmt.Fprintf(w.log, "%s ", w.Name())
	if w.naps > 0 {
		w.naps--
		return basicwork.Waiting
	}
	return basicwork.Success
}

func (w *napper) OnAbort() bool { return true }

// feeder wakes its nappers and adds the next burst of children at each
// DoWork, as a BatchWork tops its batch up, and then runs while a child
// does.
type feeder struct {
	work.Work
	nappers  []*napper
	addBurst func() bool // adds the next burst; false once there is none
}

func (f *feeder) DoWork() basicwork.State {
	for _, n := range f.nappers {
		n.WakeUp(nil)
	}
	if f.addBurst() || f.AnyChildRunning() {
		return basicwork.Running
	}
	return basicwork.Waiting
}

// runCompacting runs the bursts under a feeder, with the compaction and
// the slot limit set, checking the record after every crank, and returns
// the log of every child run, which children are registered at the feeder
// after each crank, and the final status.
func runCompacting(t interface{ Fatalf(string, ...any) }, bursts [][][]int, renumber, fast bool, maxSlot int, check func(*work.Work) error) string {
	defer work.SetShiftCompaction(!renumber)()
	defer work.SetMaxSlot(maxSlot)()
	tree := itree.Get[basicwork.Work, *basicwork.BasicWork]()
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.LowerBound{}))
	var log strings.Builder
	var kids []basicwork.Work
	f := &feeder{}
	next := 0
	f.addBurst = func() bool {
		if next == len(bursts) {
			return false
		}
		for _, script := range bursts[next] {
			var c basicwork.Work
			name := fmt.Sprintf("c%d", len(kids))
			if len(script) == 1 && script[0] <= -3 {
				n := &napper{naps: -2 - script[0], log: &log}
				n.Init(app, name, basicwork.RetryNever, n)
				f.nappers = append(f.nappers, n)
				c = n
			} else {
				s := &scripted{script: script, log: &log}
				s.Init(app, name, basicwork.RetryOnce, s)
				c = s
			}
			if err := f.AddWork(c); err != nil {
				panic(err)
			}
			kids = append(kids, c)
		}
		next++
		return true
	}
	f.Init(app, "feeder", basicwork.RetryNever, f)
	app.WorkScheduler().ScheduleWork(f)
	if !fast {
		work.ForceFullScan(&f.Work)
	}
	for crank := 0; crank < 10000; crank++ {
		if next == len(bursts) && f.State() == basicwork.Waiting && !f.HasChildren() {
			break
		}
		clock.Crank(false)
		if err := work.CheckSlots(&f.Work); err != nil {
			t.Fatalf("crank %d: %v", crank, err)
		}
		if check != nil {
			if err := check(&f.Work); err != nil {
				t.Fatalf("crank %d: %v", crank, err)
			}
		}
		log.WriteString("[")
		for _, c := range kids {
			if p, _ := tree.Parent(c); p == &f.BasicWork {
				log.WriteString(c.Name() + " ")
			}
		}
		log.WriteString("] ")
	}
	fmt.Fprintf(&log, "\nend %s t=%d slots %d", f.Status(), clock.Elapsed().Milliseconds(), work.Slots(&f.Work))
	return log.String()
}
