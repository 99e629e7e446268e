package work

import "github.com/stellarwork/stellarwork/basicwork"

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
	added    bool
}

// NewGroup returns a Group named name, with maxRetries retries (one of
// basicwork.RetryNever ... RetryALot, or any count), over children, which
// must be built with the same application and not be running elsewhere.
// On a retry the same children are started again. A nil child makes the
// first run panic with basicwork.ErrNilWork.
func NewGroup(app basicwork.Application, name string, maxRetries int, children ...basicwork.Work) *Group {
	g := &Group{children: append([]basicwork.Work(nil), children...)}
	g.Init(app, name, maxRetries, g)
	return g
}

// DoWork adds the children on the group's first run after a start, then
// sums them up with CheckChildrenStatus. A child that AddWork refuses
// (nil, or the group aborting) is a panic with AddWork's error.
func (g *Group) DoWork() basicwork.State {
	if !g.added {
		g.added = true
		for _, c := range g.children {
			if err := g.AddWork(c); err != nil {
				panic(err)
			}
		}
		return basicwork.Running // the new children must be cranked
	}
	return g.CheckChildrenStatus()
}

// DoReset makes the next run add the children again.
func (g *Group) DoReset() { g.added = false }
