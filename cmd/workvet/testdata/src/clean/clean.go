// Package clean defines works that keep every contract workvet checks,
// some of them close to a reported case; workvet must report nothing.
package clean

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/work"
)

// Parent defines DoWork and DoReset, the hooks a Work leaves open, and
// adds its children on a path that returns Running.
type Parent struct {
	work.Work
	kids  []basicwork.Work
	added bool
}

func (p *Parent) DoWork() basicwork.State {
	if !p.added {
		for _, k := range p.kids {
			if err := p.AddWork(k); err != nil {
				return basicwork.Failure
			}
		}
		p.added = true
		return basicwork.Running
	}
	if !p.AnyChildRunning() {
		return basicwork.Waiting // no add on this path
	}
	return p.CheckChildrenStatus() // computed: may be Waiting, trusted
}

func (p *Parent) DoReset() { p.added = false }

// Shutdown does its own part, then calls the one it hides.
func (p *Parent) Shutdown() {
	p.kids = nil
	p.Work.Shutdown()
}

// Later posts its add in a function literal that runs after DoWork: that
// add is not on DoWork's path.
type Later struct {
	work.Work
	post  func(func())
	child basicwork.Work
}

func (l *Later) DoWork() basicwork.State {
	l.post(func() { _ = l.AddWork(l.child) })
	return basicwork.Waiting
}

// Ignored overrides a final on purpose, as a test of Init's refusal does,
// and says so to workvet.
type Ignored struct {
	work.Work
}

func (i *Ignored) DoWork() basicwork.State { return basicwork.Success }

// OnRun is wrong on purpose.
//
//workvet:ignore Init must refuse this type
func (i *Ignored) OnRun() basicwork.State { return basicwork.Success }

//workvet:ignore
func (i *Ignored) Shutdown() {}

// Batch is a BatchWork as meant: an Iterator, and a Shutdown that calls
// the one it hides through the full path of embedded fields.
type Batch struct {
	batchwork.BatchWork
	items []basicwork.Work
	next  int
}

func (b *Batch) HasNext() bool { return b.next < len(b.items) }

func (b *Batch) YieldMoreWork() basicwork.Work {
	b.next++
	return b.items[b.next-1]
}

func (b *Batch) ResetIter() { b.next = 0 }

func (b *Batch) Shutdown() {
	if b.IsDone() {
		return
	}
	(*b).BatchWork.Work.Shutdown()
}

// Leaf overrides only what BasicWork leaves open.
type Leaf struct {
	basicwork.BasicWork
}

func (l *Leaf) OnRun() basicwork.State { return basicwork.Success }
func (l *Leaf) OnAbort() bool          { return true }
func (l *Leaf) OnReset()               {}
func (l *Leaf) Shutdown()              { l.BasicWork.Shutdown() }

// NotAWork has methods named as the hooks, and embeds nothing of the
// library.
type NotAWork struct{ Leaf2 }

// Leaf2 is a plain type with a Shutdown.
type Leaf2 struct{}

func (Leaf2) Shutdown() {}

func (NotAWork) Shutdown() {}
func (NotAWork) OnRun() basicwork.State {
	return basicwork.Waiting
}
