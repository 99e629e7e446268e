package testworks

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/work"
)

// Holder is a Work that adds its Kids on its first run, and on the first
// run after a reset, and otherwise reports their status. A failure to add
// a child is a bug in the test: it panics with the error.
type Holder struct {
	work.Work
	// Kids are the children to add, in order.
	Kids  []basicwork.Work
	added bool
}

// NewHolder returns a Holder with the given retry budget.
func NewHolder(app basicwork.Application, name string, maxRetries int, kids ...basicwork.Work) *Holder {
	w := &Holder{Kids: kids}
	w.Init(app, name, maxRetries, w)
	return w
}

// DoWork adds the children on the first run, then sums up their status.
func (w *Holder) DoWork() basicwork.State {
	if !w.added {
		w.added = true
		for _, k := range w.Kids {
			if err := w.AddWork(k); err != nil {
				panic(err)
			}
		}
		return basicwork.Running
	}
	return w.CheckChildrenStatus()
}

// DoReset makes the next run add the children again.
func (w *Holder) DoReset() { w.added = false }
