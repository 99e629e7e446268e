package work

import (
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
)

// Group is a Work over a fixed list of children, run side by side: on its
// first run (and on the first run after each retry) it adds every child, and
// from then on it reports CheckChildrenStatus. It succeeds once every child
// has succeeded and fails once one has failed and the others are done.
//
// stellar-core has no class of this name; it is the Work subclass that C++
// callers write by hand whenever they hold a known set of children (a
// doWork that adds them once, then returns checkChildrenStatus()).
type Group struct {
	Work
	children []basicwork.Work
	// next is the index of the next child to add in this run: a DoWork
	// cut short by a panic (a child's OnReset, a transition listener) goes
	// on from there on the next crank instead of skipping the rest.
	next int
}

// NewGroup returns a Group named name, with maxRetries retries (one of
// basicwork.RetryNever ... RetryALot, or any count), over children, which
// must be built with the same application and not be running elsewhere.
// On a retry the same children are started again.
//
// NewGroup panics, naming the group and the child, if a child is nil (an
// error that errors.Is ErrNilWork), was not initialised (a
// *basicwork.NotInitialisedError), or is given twice.
func NewGroup(app basicwork.Application, name string, maxRetries int, children ...basicwork.Work) *Group {
	seen := make(map[basicwork.Work]int, len(children))
	for i, c := range children {
		if c == nil {
			panic(fmt.Errorf("work: NewGroup %q: child %d: %w", name, i, basicwork.ErrNilWork))
		}
		tree.CheckInit(c, fmt.Sprintf("NewGroup %q: child %d", name, i))
		if j, dup := seen[c]; dup {
			panic(fmt.Sprintf("work: NewGroup %q: child %d (%s) is child %d again: a work can be added once", name, i, c.Name(), j))
		}
		seen[c] = i
	}
	g := &Group{children: append([]basicwork.Work(nil), children...)}
	g.Init(app, name, maxRetries, g)
	return g
}

// DoWork adds the children on the group's first run after a start, then
// sums them up with CheckChildrenStatus. A child that AddWork refuses (the
// group aborting) is a panic with AddWork's error. If adding a child
// panics (its OnReset, a transition listener), the next crank's DoWork
// goes on with that child if its start was rolled back, or with the next
// one if it had started, so that no child is left out.
func (g *Group) DoWork() basicwork.State {
	if g.next < len(g.children) {
		for g.next < len(g.children) {
			g.add(g.children[g.next])
		}
		return basicwork.Running // the new children must be cranked
	}
	return g.CheckChildrenStatus()
}

// add adds c and moves on to the next child, unless the add panicked while
// c was still PENDING: AddWork then took it back out, and it is added again.
func (g *Group) add(c basicwork.Work) {
	ok := false
	defer func() {
		if ok || tree.Base(c).InternalState() != basicwork.InternalPending {
			g.next++
		}
	}()
	if err := g.AddWork(c); err != nil {
		panic(err)
	}
	ok = true
}

// DoReset makes the next run add the children again.
func (g *Group) DoReset() { g.next = 0 }
