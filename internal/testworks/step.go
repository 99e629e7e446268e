package testworks

import "github.com/stellarwork/stellarwork/basicwork"

// StepWork is the leaf of the benchmark workloads (docs/PERFORMANCE.md):
// Running until its steps are used up, then Success; no sleep, no log,
// never retried.
type StepWork struct {
	basicwork.BasicWork
	Left int
}

// NewStepWork returns a StepWork of the given number of steps.
func NewStepWork(app basicwork.Application, name string, steps int) *StepWork {
	w := &StepWork{Left: steps}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

// OnRun counts a step down.
func (w *StepWork) OnRun() basicwork.State {
	if w.Left--; w.Left > 0 {
		return basicwork.Running
	}
	return basicwork.Success
}

// OnAbort completes at once.
func (w *StepWork) OnAbort() bool { return true }
