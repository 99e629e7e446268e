package testworks

import (
	"fmt"
	"weak"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
)

// BatchWork is the C++ TestBatchWork: a BatchWork that yields
// 2 x MaxConcurrentSubprocesses TestBasicWorks named child-<i>; with Fail the
// last one fails. It keeps a weak pointer to every child that does not
// fail, as the C++ keeps weak_ptrs.
type BatchWork struct {
	batchwork.BatchWork
	Fail         bool
	Total        int
	Count        int
	BatchedWorks []weak.Pointer[basicwork.BasicWork]
	// OnCheck, if set, receives the checks the iterator evaluates.
	OnCheck func(label string, ok bool)
	yield   func() basicwork.Work
}

// NewBatchWork returns a TestBatchWork.
func NewBatchWork(app basicwork.Application, name string, fail bool) *BatchWork {
	b := &BatchWork{Fail: fail, Total: 2 * app.Config().MaxConcurrentSubprocesses}
	b.yield = b.yieldBasic
	b.Init(app, name, basicwork.RetryNever, b)
	return b
}

// NewBatchWorkCondition returns the C++ TestBatchWorkCondition: each child
// after the first is wrapped in a ConditionalWork "cond-child-<i>" that
// waits for the previously yielded work to succeed.
func NewBatchWorkCondition(app basicwork.Application, name string) *BatchWork {
	b := &BatchWork{Total: 2 * app.Config().MaxConcurrentSubprocesses}
	b.yield = b.yieldConditional
	b.Init(app, name, basicwork.RetryNever, b)
	return b
}

// HasNext reports whether children are left.
func (b *BatchWork) HasNext() bool { return b.Count < b.Total }

// ResetIter starts over.
func (b *BatchWork) ResetIter() { b.Count = 0 }

// YieldMoreWork returns the next child.
func (b *BatchWork) YieldMoreWork() basicwork.Work { return b.yield() }

func (b *BatchWork) yieldBasic() basicwork.Work {
	fail := b.Count == b.Total-1 && b.Fail
	w := NewBasicWork(b.App(), fmt.Sprintf("child-%d", b.Count), fail, 3, basicwork.RetryOnce)
	b.Count++
	if !fail {
		b.BatchedWorks = append(b.BatchedWorks, weak.Make(tree.Base(w)))
	}
	return w
}

func (b *BatchWork) yieldConditional() basicwork.Work {
	w := NewDefaultBasicWork(b.App(), fmt.Sprintf("child-%d", b.Count))
	b.Count++
	var out basicwork.Work = w
	if n := len(b.BatchedWorks); n > 0 {
		lw := b.BatchedWorks[n-1].Value()
		b.check(fmt.Sprintf("previous batched work of %s is alive", w.Name()), lw != nil)
		cw, err := conditionalwork.New(b.App(), "cond-"+w.Name(), func(basicwork.Application) bool {
			return lw.State() == basicwork.Success
		}, w)
		if err != nil {
			panic(err)
		}
		out = cw
	}
	b.BatchedWorks = append(b.BatchedWorks, weak.Make(tree.Base(out)))
	return out
}

func (b *BatchWork) check(label string, ok bool) {
	if b.OnCheck != nil {
		b.OnCheck(label, ok)
	}
}

// LiveWorks counts the batched works still alive. Call runtime.GC first.
func (b *BatchWork) LiveWorks() int {
	n := 0
	for _, p := range b.BatchedWorks {
		if p.Value() != nil {
			n++
		}
	}
	return n
}

// Alive returns the batched works still alive.
func (b *BatchWork) Alive() []*basicwork.BasicWork {
	var out []*basicwork.BasicWork
	for _, p := range b.BatchedWorks {
		if v := p.Value(); v != nil {
			out = append(out, v)
		}
	}
	return out
}
