package testworks

import (
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
)

// DoubleWaitWork is never retried. Its first OnRun arms the waiting timer
// twice, for 10 ms and then for 50 ms (the second call only logs a
// warning, the timer being set), and waits; every later OnRun succeeds. It
// records the virtual time of each OnRun.
type DoubleWaitWork struct {
	basicwork.BasicWork
	// RunTimes holds the virtual time of each OnRun, in order.
	RunTimes []time.Duration
}

// NewDoubleWaitWork returns a DoubleWaitWork.
func NewDoubleWaitWork(app basicwork.Application, name string) *DoubleWaitWork {
	w := &DoubleWaitWork{}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

// OnRun waits twice on its first run and succeeds afterwards.
func (w *DoubleWaitWork) OnRun() basicwork.State {
	w.RunTimes = append(w.RunTimes, w.App().Clock().Elapsed())
	if len(w.RunTimes) == 1 {
		w.SetupWaitingCallback(10 * time.Millisecond)
		w.SetupWaitingCallback(50 * time.Millisecond)
		return basicwork.Waiting
	}
	return basicwork.Success
}

// OnAbort completes at once.
func (w *DoubleWaitWork) OnAbort() bool { return true }

// RunningCount returns how many times OnRun ran.
func (w *DoubleWaitWork) RunningCount() int { return len(w.RunTimes) }

// LastRunTime returns the virtual time of the last OnRun in whole
// milliseconds, or -1 before the first.
func (w *DoubleWaitWork) LastRunTime() int {
	if len(w.RunTimes) == 0 {
		return -1
	}
	return int(w.RunTimes[len(w.RunTimes)-1].Milliseconds())
}
