// Package clean defines works that keep every contract workvet checks,
// some of them close to a reported case; workvet must report nothing.
package clean

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
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

// Traced decorates the final OnRun: every path calls the one it hides, so
// the library's step still runs (a pattern C++ cannot write; Go can, and
// it keeps the C++ behaviour).
type Traced struct {
	work.Work
	runs int
}

func (t *Traced) DoWork() basicwork.State { return basicwork.Success }

func (t *Traced) OnRun() basicwork.State {
	t.runs++
	return t.Work.OnRun()
}

// OnAbort panics on one path, which does not return, and calls the final
// on the other.
func (t *Traced) OnAbort() bool {
	if t.runs < 0 {
		panic("negative runs")
	}
	done := t.Work.OnAbort()
	return done
}

// Seq decorates the sequence's finals the same way.
type Seq struct {
	worksequence.WorkSequence
	resets int
}

func (s *Seq) OnReset() {
	s.resets++
	s.WorkSequence.OnReset()
}

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
