package testworks

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/work"
)

// Work is the C++ TestWork: a Work that is never retried and whose DoWork
// counts its runs and reports its children's status.
type Work struct {
	work.Work
	RunningCount int
	SuccessCount int
	FailureCount int
	RetryCount   int
}

// NewWork returns a TestWork.
func NewWork(app basicwork.Application, name string) *Work {
	w := &Work{}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

// DoWork counts and sums up the children.
func (w *Work) DoWork() basicwork.State {
	w.RunningCount++
	return w.CheckChildrenStatus()
}

// AddTestWork adds a child, as the C++ addTestWork.
func (w *Work) AddTestWork(child basicwork.Work) error { return w.AddWork(child) }

// OnSuccess counts.
func (w *Work) OnSuccess() { w.SuccessCount++ }

// OnFailureRaise counts.
func (w *Work) OnFailureRaise() { w.FailureCount++ }

// OnFailureRetry counts.
func (w *Work) OnFailureRetry() { w.RetryCount++ }
