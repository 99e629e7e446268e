package batchwork

import (
	"fmt"
	"iter"

	"github.com/stellarwork/stellarwork/basicwork"
)

// Seq is a BatchWork whose children come from a Go iterator: each value the
// iterator yields is one child, run at most Config().MaxConcurrentSubprocesses
// at a time. A retry starts the iteration over, so the iterator should build
// fresh works on every pass (a batch over already built works, as NewSlice
// makes, starts the same works again).
//
// It ports nothing by itself: in C++ each batch is a BatchWork subclass
// whose hasNext, yieldMoreWork and resetIter walk a container by hand.
type Seq struct {
	BatchWork
	seq iter.Seq[basicwork.Work]
	// slice is set for NewSlice, whose works are walked by index, at pos:
	// no iterator is pulled, so a batch left unfinished holds no goroutine.
	slice bool
	works []basicwork.Work
	pos   int
	next  func() (basicwork.Work, bool)
	stop  func()
	// peeked holds the value HasNext pulled ahead of YieldMoreWork.
	peeked basicwork.Work
	ok     bool
	// ended is set once seq ran out, or was released before a reset: the
	// iteration does not start over until ResetIter.
	ended bool
}

// NewSeq returns a BatchWork named name, with maxRetries retries, over the
// works seq yields. seq is read lazily, one child at a time, as the batch
// has room. A nil child, one whose name is already in the batch, or one
// whose Init was not called (a *basicwork.NotInitialisedError naming its
// type and the batch) is a panic out of the crank that adds it, and the
// child is dropped: a caller that recovers and cranks on sees the batch go
// on without it.
//
// seq runs on a goroutine of its own (iter.Pull) from the first child until
// the iteration ends or the batch is reset, which happens on every retry,
// failure and abort: a batch that is shut down or ends releases it. A batch
// dropped half-way without a shutdown keeps that goroutine; use NewSlice
// when the works are known up front.
func NewSeq(app basicwork.Application, name string, maxRetries int, seq iter.Seq[basicwork.Work]) *Seq {
	s := &Seq{seq: seq}
	s.Init(app, name, maxRetries, s)
	return s
}

// NewSlice returns a BatchWork named name, with maxRetries retries, over
// works, taken in order. The slice is copied. Unlike a NewSeq batch, it
// pulls no iterator: one left unfinished holds no goroutine. It panics with
// a *basicwork.NotInitialisedError naming the type, the batch and the
// position of a work whose Init was not called. A nil work is a panic out
// of the crank that reaches it, as with NewSeq.
func NewSlice(app basicwork.Application, name string, maxRetries int, works []basicwork.Work) *Seq {
	for i, w := range works {
		if w != nil && tree.Base(w).App() == nil { // the message is built only then
			tree.CheckInit(w, fmt.Sprintf("batchwork.NewSlice %s, position %d", name, i))
		}
	}
	s := &Seq{slice: true, works: append([]basicwork.Work(nil), works...)}
	s.Init(app, name, maxRetries, s)
	return s
}

// HasNext reports whether the iterator has another child, pulling it ahead.
func (s *Seq) HasNext() bool {
	if s.slice {
		return s.pos < len(s.works)
	}
	if s.ok {
		return true
	}
	if s.ended {
		return false
	}
	if s.next == nil {
		s.next, s.stop = iter.Pull(s.seq)
	}
	s.peeked, s.ok = s.next()
	if !s.ok {
		s.release()
	}
	return s.ok
}

// YieldMoreWork returns the next child. It panics if HasNext is false, and
// with a *basicwork.NotInitialisedError if the child's Init was not called
// (the child is then consumed: the batch goes on without it).
func (s *Seq) YieldMoreWork() basicwork.Work {
	if !s.HasNext() {
		panic(tree.Invariant(s.Name(), "BatchWork error: %s: YieldMoreWork past the end of its iterator", s.Name()))
	}
	if s.slice {
		s.pos++
		return s.works[s.pos-1]
	}
	w := s.peeked
	s.peeked, s.ok = nil, false
	// Checked here, once w is consumed, so that the panic drops it.
	if w != nil && tree.Base(w).App() == nil {
		tree.CheckInit(w, "batchwork.Seq "+s.Name()+": a yielded child")
	}
	return w
}

// ResetIter starts the iteration over from the beginning of seq. The batch
// calls it on every reset: on a retry, and once it has failed or been
// aborted, so a suspended iterator never outlives an ended batch.
func (s *Seq) ResetIter() {
	s.pos = 0
	s.release()
	s.peeked, s.ok, s.ended = nil, false, false
}

// release stops a pulled iterator, so that the goroutine iter.Pull runs it
// on does not outlive the batch.
func (s *Seq) release() {
	if s.stop != nil {
		s.stop()
	}
	s.next, s.stop, s.ended = nil, nil, true
}
