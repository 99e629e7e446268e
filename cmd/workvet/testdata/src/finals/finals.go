// Package finals defines types that override methods ported from C++
// finals; workvet must report each.
package finals

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

// Parent is the case of issue 16: DoWork plus its own OnRun, so the
// children are never cranked.
type Parent struct {
	work.Work
}

func (p *Parent) DoWork() basicwork.State { return basicwork.Success }

func (p *Parent) OnRun() basicwork.State { return basicwork.Success } // want `Parent\.OnRun overrides work\.Work\.OnRun, the port of the C\+\+ final Work::onRun: .*DoWork`

func (p *Parent) OnAbort() bool { return true } // want `Parent\.OnAbort overrides work\.Work\.OnAbort, the port of the C\+\+ final Work::onAbort`

func (p *Parent) OnReset() {} // want `Parent\.OnReset overrides work\.Work\.OnReset, the port of the C\+\+ final Work::onReset: .*DoReset`

// Seq overrides all three finals of WorkSequence, on a value receiver for
// one of them.
type Seq struct {
	worksequence.WorkSequence
}

func (s *Seq) OnRun() basicwork.State { return basicwork.Success } // want `Seq\.OnRun overrides worksequence\.WorkSequence\.OnRun, the port of the C\+\+ final WorkSequence::onRun`

func (s *Seq) OnAbort() bool { return true } // want `Seq\.OnAbort overrides worksequence\.WorkSequence\.OnAbort, the port of the C\+\+ final WorkSequence::onAbort`

func (s Seq) OnReset() {} // want `Seq\.OnReset overrides worksequence\.WorkSequence\.OnReset, the port of the C\+\+ final WorkSequence::onReset`

// Batch is the BatchWork case of issue 16: its DoReset hides the one that
// empties the batch, so a failed item is never run again.
type Batch struct {
	batchwork.BatchWork
	next int
}

func (b *Batch) HasNext() bool                 { return false }
func (b *Batch) YieldMoreWork() basicwork.Work { return nil }
func (b *Batch) ResetIter()                    { b.next = 0 }

func (b *Batch) DoReset() { b.next = 0 } // want `Batch\.DoReset overrides batchwork\.BatchWork\.DoReset, the port of the C\+\+ final BatchWork::doReset: .*ResetIter`

func (b *Batch) DoWork() basicwork.State { return basicwork.Running } // want `Batch\.DoWork overrides batchwork\.BatchWork\.DoWork, the port of the C\+\+ final BatchWork::doWork`

// DeepBatch reaches work.Work through BatchWork: its OnRun hides the final
// Work.OnRun two embeddings down.
type DeepBatch struct {
	batchwork.BatchWork
}

func (b *DeepBatch) HasNext() bool                 { return false }
func (b *DeepBatch) YieldMoreWork() basicwork.Work { return nil }
func (b *DeepBatch) ResetIter()                    {}

func (b *DeepBatch) OnRun() basicwork.State { return basicwork.Running } // want `DeepBatch\.OnRun overrides work\.Work\.OnRun, the port of the C\+\+ final Work::onRun`

// inner and Outer reach work.Work through a type of the user's own.
type inner struct {
	work.Work
}

func (i *inner) DoWork() basicwork.State { return basicwork.Success }

type Outer struct {
	*inner
}

func (o *Outer) OnReset() {} // want `Outer\.OnReset overrides work\.Work\.OnReset, the port of the C\+\+ final Work::onReset`

// Traced decorates the final OnRun: it calls the one it hides on every
// path, but Init refuses it all the same (and C++ cannot write it), so it
// is reported.
type Traced struct {
	work.Work
	runs int
}

func (t *Traced) DoWork() basicwork.State { return basicwork.Success }

func (t *Traced) OnRun() basicwork.State { // want `Traced\.OnRun overrides work\.Work\.OnRun`
	t.runs++
	return t.Work.OnRun()
}

// Conditional calls the final only on some paths.
type Conditional struct {
	work.Work
	skip bool
}

func (c *Conditional) DoWork() basicwork.State { return basicwork.Success }

func (c *Conditional) OnRun() basicwork.State { // want `Conditional\.OnRun overrides work\.Work\.OnRun`
	if c.skip {
		return basicwork.Success
	}
	return c.Work.OnRun()
}

// NotADirective has a comment close to the directive, which is not one.
type NotADirective struct {
	work.Work
}

func (n *NotADirective) DoWork() basicwork.State { return basicwork.Success }

// OnReset is reported: "// workvet:ignore" with a space is prose.
// workvet:ignore
func (n *NotADirective) OnReset() {} // want `NotADirective\.OnReset overrides work\.Work\.OnReset`
