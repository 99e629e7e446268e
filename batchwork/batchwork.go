// Package batchwork runs children in parallel, a bounded number at a time:
// the port of stellar-core's BatchWork.
package batchwork

import (
	"errors"
	"reflect"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
	"github.com/stellarwork/stellarwork/work"
)

// tree is basicwork's record of the work tree (see package tree).
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()

// ErrDuplicate is the panic value when the iterator yields a child whose
// name is already in the batch; its text is the C++ text.
var ErrDuplicate = errors.New("BatchWork error: inserting duplicate work!")

// Iterator is what a BatchWork's implementer provides: the children to run.
type Iterator interface {
	// HasNext reports whether YieldMoreWork has another child.
	HasNext() bool
	// YieldMoreWork returns the next child, not started.
	YieldMoreWork() basicwork.Work
	// ResetIter starts the iteration over.
	ResetIter()
}

// Interface is the outer value of a BatchWork.
type Interface interface {
	work.Interface
	Iterator
}

// BatchWork is a Work whose children come from its implementer's Iterator,
// at most Config().MaxConcurrentSubprocesses of them in the batch at once.
// A finished child leaves the batch and the next one comes in; a failed
// child fails the batch, once its running siblings are aborted.
//
// DoWork and DoReset are final, as in C++ (and so are Work's OnRun,
// OnAbort and OnReset): an implementer defines only the Iterator, and puts
// its reset logic in ResetIter. Init panics if the outer type declares one.
//
// Its status is Work's, "<state>: name : done/total children completed",
// and the counts are of the children added so far, as in C++: the batch
// does not know how many its Iterator will yield, so a batch of 50 reads
// "0/16" at first, then "6/22", and reaches "50/50" only at the end. A
// child that was aborted counts as completed (it is done).
type BatchWork struct {
	work.Work
	iter Iterator
	// batch holds the BasicWorks of the children in the batch, sorted by
	// name, as the C++ std::map. Name, State and IsDone are BasicWork's
	// own (Init refuses a redeclaration), so the BasicWork answers for the
	// child; an entry is one pointer, written once when the child comes in.
	batch []*basicwork.BasicWork
	// held is a work yielded by the iterator whose add panicked (its
	// start did): it is added before any other on the next top-up, so
	// that the panic does not lose it.
	held basicwork.Work
	// stale is the end of the entries DoWork dropped, past the batch's
	// length, that the top-up has not written over yet: they are cleared
	// after it (or at the next DoWork or DoReset, if it panicked), not
	// before, so that an entry the top-up writes again is written once.
	stale int
}

// finalType is the type whose DoWork and DoReset are final.
var finalType = reflect.TypeFor[BatchWork]()

// Init sets up a BatchWork embedded in self. The C++ default retry budget of
// a BatchWork is basicwork.RetryNever. It panics as work.Work.Init does,
// and with a *basicwork.FinalOverrideError if self's type declares DoWork
// or DoReset, which are final (C++ BatchWork::doWork, doReset).
func (b *BatchWork) Init(app basicwork.Application, name string, maxRetries int, self Interface) {
	if self != nil {
		tree.CheckFinal(self, name, finalType,
			"a BatchWork's implementer provides HasNext, YieldMoreWork and ResetIter (put reset logic in ResetIter)", "DoWork", "DoReset")
	}
	b.Work.Init(app, name, maxRetries, self)
	b.iter = self
}

// NumWorksInBatch returns how many children are in the batch.
func (b *BatchWork) NumWorksInBatch() int { return len(b.batch) }

// DoReset empties the batch and resets the iterator. It is final: do not
// override it (ResetIter is the implementer's part).
func (b *BatchWork) DoReset() {
	clear(b.batch[:max(len(b.batch), b.stale)])
	b.batch = b.batch[:0]
	b.stale = 0
	b.held = nil
	b.iter.ResetIter()
}

// DoWork is final. It fails if a child failed; otherwise it drops the children that
// succeeded (in name order), tops the batch up, and reports Success when
// all are done, Waiting when none reads Running, and Running otherwise.
func (b *BatchWork) DoWork() basicwork.State {
	if b.AnyChildRaiseFailure() {
		return basicwork.Failure
	}
	debug := b.LogEnabled(zapcore.DebugLevel)
	// The entries kept move down over the dropped ones; one that stays
	// where it is is not written again (a pointer store is a write
	// barrier's work while the collector marks).
	batch, n := b.batch, 0
	for i, c := range batch {
		if c.State() == basicwork.Success {
			if debug {
				b.Logf(zapcore.DebugLevel, "Finished child work %s", c.Name())
			}
			continue
		}
		if n != i {
			batch[n] = c
		}
		n++
	}
	b.stale = max(b.stale, len(batch))
	b.batch = b.batch[:n] // a reslice of the field itself writes no pointer

	b.addMoreWorkIfNeeded()
	if n := len(b.batch); n < b.stale {
		clear(b.batch[n:b.stale])
	}
	b.stale = 0

	if b.AllChildrenSuccessful() {
		return basicwork.Success
	}
	if !b.AnyChildRunning() {
		return basicwork.Waiting
	}
	return basicwork.Running
}

// addMoreWorkIfNeeded fills the batch from the iterator. Unlike the C++,
// which adds and starts a duplicate before throwing, it checks the name
// first, so a duplicate leaves the tree as it was. A yielded work whose
// start panics is not lost (settleAdd).
func (b *BatchWork) addMoreWorkIfNeeded() {
	if b.IsAborting() {
		panic(&work.AbortingError{Name: b.Name()})
	}
	limit := b.App().Config().MaxConcurrentSubprocesses
	if len(b.batch) >= limit {
		return
	}
	// The work being added, and its place in the batch, while AddWork
	// runs: if AddWork panics, the deferred settleAdd finds them here.
	// They are locals of this frame, not fields: a store to them needs
	// no write barrier while the collector marks.
	var adding basicwork.Work
	addAt := 0
	defer func() {
		if adding != nil {
			b.settleAdd(adding, addAt)
		}
	}()
	for len(b.batch) < limit {
		// The work held back by a start that was rolled back comes first.
		var w basicwork.Work
		if b.held != nil {
			w, b.held = b.held, nil
		} else if b.iter.HasNext() {
			w = b.iter.YieldMoreWork()
		} else {
			break
		}
		if w == nil {
			panic(tree.Invariant(b.Name(), "BatchWork error: %s yielded a nil work", b.Name()))
		}
		base := tree.Base(w)
		name := base.Name()
		i := b.search(name)
		if i < len(b.batch) && b.batch[i].Name() == name {
			panic(ErrDuplicate)
		}
		adding, addAt = w, i
		if err := b.AddWork(w); err != nil {
			panic(err)
		}
		adding = nil
		b.insert(i, base)
	}
}

// search returns the position of the first entry of the batch whose name
// is at least name (sort.Search, without the call through a closure per
// step). A name after the last one, as numbered names mostly are, costs
// one comparison.
func (b *BatchWork) search(name string) int {
	hi := len(b.batch)
	if hi == 0 || b.batch[hi-1].Name() < name {
		return hi
	}
	lo := 0
	hi-- // the last entry is at least name
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if b.batch[m].Name() < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// settleAdd, deferred by addMoreWorkIfNeeded, deals with an AddWork of w
// that panicked: a start rolled back (w is PENDING again, its OnReset
// panicked, say) holds w for the next top-up; a start that went through
// all the same (a transition listener panicked after the move to RUNNING;
// w is registered here) puts w in the batch at addAt; a refused start (w
// runs elsewhere) drops it, as a duplicate is dropped.
func (b *BatchWork) settleAdd(w basicwork.Work, addAt int) {
	if p, _ := tree.Parent(w); p == &b.BasicWork {
		b.insert(addAt, tree.Base(w))
	} else if tree.Base(w).InternalState() == basicwork.InternalPending {
		b.held = w
	}
}

// insert puts c, a child's BasicWork, in the batch at position i.
func (b *BatchWork) insert(i int, c *basicwork.BasicWork) {
	if i == len(b.batch) {
		b.batch = append(b.batch, c)
		return
	}
	b.batch = append(b.batch, nil)
	copy(b.batch[i+1:], b.batch[i:])
	b.batch[i] = c
}
