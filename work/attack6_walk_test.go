package work_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// a6Walk is one random run of a few Works holding many children (enough
// for the walk's bitmap words, the sparse test and both kinds of
// compaction): children finish in random order, wait and are woken from
// outside, are added twice to the same Work, taken over by another Work,
// added back. The log names each child as it is cranked (the round
// robin's order) and, after each step, each Work's counts and children.
type a6Walk struct {
	r      *rand.Rand
	clock  *vclock.Clock
	app    *scheduler.App
	log    strings.Builder
	works  []*a6WalkParent
	leaves []*a6WalkLeaf
	// ordered: every child takes the same cranks and never waits or
	// fails, so children end in the order they were added, and the
	// compaction moves runs of them (children.base).
	ordered bool
	// orderedWaits: ordered children may wait once before they end, woken
	// by the driver in the order they were added.
	orderedWaits bool
}

func (w *a6Walk) logf(format string, args ...any) {
	fmt.Fprintf(&w.log, format, args...)
	w.log.WriteByte('\n')
}

type a6WalkLeaf struct {
	basicwork.BasicWork
	w    *a6Walk
	left int // cranks before it ends
	wait bool
}

func (l *a6WalkLeaf) OnRun() basicwork.State {
	l.w.logf("run %s", l.Name())
	if l.left--; l.left > 0 {
		if l.wait && (l.left%3 == 0 || l.w.ordered) {
			return basicwork.Waiting
		}
		return basicwork.Running
	}
	if !l.w.ordered && l.w.r.IntN(30) == 0 {
		return basicwork.Failure
	}
	return basicwork.Success
}

func (l *a6WalkLeaf) OnAbort() bool { return true }
func (l *a6WalkLeaf) OnReset() {
	l.left = 1 + l.w.r.IntN(4)
	if l.w.ordered {
		l.left = 2
	}
}

type a6WalkParent struct {
	work.Work
	w *a6Walk
}

// DoWork asks for more cranks while the driver keeps it: the driver ends
// it by shutting it down.
func (p *a6WalkParent) DoWork() basicwork.State { return basicwork.Waiting }

func (w *a6Walk) leaf(name string) *a6WalkLeaf {
	l := &a6WalkLeaf{w: w, wait: (!w.ordered || w.orderedWaits) && w.r.IntN(3) == 0}
	l.Init(w.app, name, basicwork.RetryNever, l)
	w.leaves = append(w.leaves, l)
	return l
}

func (w *a6Walk) protect(what string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			w.logf("panic in %s: %v", what, v)
		}
	}()
	f()
}

func a6WalkRun(seed uint64) string {
	w := &a6Walk{r: rand.New(rand.NewPCG(seed, 6)), ordered: seed%2 == 1, orderedWaits: seed%4 == 3}
	w.clock = vclock.New(vclock.VirtualTime)
	w.app = scheduler.NewApp(w.clock)
	for i := range 1 + w.r.IntN(3) {
		p := &a6WalkParent{w: w}
		p.Init(w.app, fmt.Sprintf("P%d", i), basicwork.RetryNever, p)
		p.StartWork(nil)
		w.works = append(w.works, p)
	}
	n := 0
	for step := 0; step < 1500; step++ {
		p := w.works[w.r.IntN(len(w.works))]
		switch k := w.r.IntN(20); {
		case k == 0 && len(p.Children()) < 40+w.r.IntN(200):
			for range 1 + w.r.IntN(100) {
				n++
				c := w.leaf(fmt.Sprintf("c%d", n))
				w.protect("add", func() { _ = p.AddWork(c) })
			}
		case k == 4 && len(w.leaves) > 0 && !w.ordered:
			c := w.leaves[w.r.IntN(len(w.leaves))]
			if c.IsDone() || c.InternalState() == basicwork.InternalPending {
				w.logf("readd %s to %s", c.Name(), p.Name())
				w.protect("readd", func() { _ = p.AddWork(c) })
			}
		case k == 5 && len(w.leaves) > 0:
			c := w.leaves[w.r.IntN(len(w.leaves))]
			if c.State() == basicwork.Waiting {
				w.logf("wake %s", c.Name())
				c.WakeUp(nil)
			}
		case k == 6 || k == 7 && w.ordered:
			// The children waiting, woken in the order they were added.
			for _, c := range w.leaves {
				if c.State() == basicwork.Waiting {
					w.logf("wake %s", c.Name())
					c.WakeUp(nil)
					break
				}
			}
		default:
			if p.InternalState() == basicwork.InternalWaiting {
				p.WakeUp(nil)
			}
			if p.InternalState() == basicwork.InternalRunning {
				w.protect("crank", p.CrankWork)
			}
		}
		for _, p := range w.works {
			names := []string{}
			for _, c := range p.Children() {
				names = append(names, c.Name())
			}
			w.logf("%s %v %d/%d run=%v done=%v ok=%v fail=%v has=%v [%s]", p.Name(), p.InternalState(),
				p.DoneChildren(), p.TotalChildren(), p.AnyChildRunning(), p.AllChildrenDone(),
				p.AllChildrenSuccessful(), p.AnyChildRaiseFailure(), p.HasChildren(), strings.Join(names, " "))
		}
	}
	for _, l := range w.leaves {
		w.logf("%s %v", basicwork.PathOf(l), l.InternalState())
	}
	return w.log.String()
}
