package testworks

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
)

// ListBatchWork is a BatchWork, never retried, that yields the works it is
// given (created, not started), in order. Each yield writes the note
// "<name> yields <item>" through OnNote (a ListBatchWork named batch-bw2
// writes "batch-bw2 yields <item>"), and it records the largest batch size
// it reached.
type ListBatchWork struct {
	batchwork.BatchWork
	// Items are the works to yield, in order.
	Items []basicwork.Work
	// Next is the index of the next item to yield.
	Next int
	// MaxBatchSize is the largest number of children the batch held.
	MaxBatchSize int
	// OnNote, if set, receives the notes the work writes.
	OnNote func(text string)
}

// NewListBatchWork returns a ListBatchWork over items.
func NewListBatchWork(app basicwork.Application, name string, items []basicwork.Work) *ListBatchWork {
	b := &ListBatchWork{Items: append([]basicwork.Work(nil), items...)}
	b.Init(app, name, basicwork.RetryNever, b)
	return b
}

// HasNext reports whether items are left.
func (b *ListBatchWork) HasNext() bool { return b.Next < len(b.Items) }

// ResetIter starts over.
func (b *ListBatchWork) ResetIter() { b.Next = 0 }

// YieldMoreWork returns the next item, writes its note and records the
// size the batch reaches with it.
func (b *ListBatchWork) YieldMoreWork() basicwork.Work {
	w := b.Items[b.Next]
	b.Next++
	if b.OnNote != nil {
		b.OnNote(b.Name() + " yields " + w.Name())
	}
	if n := b.NumWorksInBatch() + 1; n > b.MaxBatchSize {
		b.MaxBatchSize = n
	}
	return w
}
