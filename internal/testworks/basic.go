package testworks

import (
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
)

// BasicWork is the C++ TestBasicWork: a work of Steps steps, one per crank,
// that sleeps 1 ms of clock time per step and ends in success, or failure
// when Fail is set. It counts every hook.
type BasicWork struct {
	basicwork.BasicWork
	Fail         bool
	Steps        int
	Count        int
	RunningCount int
	SuccessCount int
	FailureCount int
	RetryCount   int
	AbortCount   int
}

// NewBasicWork returns a TestBasicWork; the C++ defaults are fail=false,
// steps=3, retries=RetryOnce.
func NewBasicWork(app basicwork.Application, name string, fail bool, steps, retries int) *BasicWork {
	w := &BasicWork{Fail: fail, Steps: steps, Count: steps}
	w.Init(app, name, retries, w)
	return w
}

// NewDefaultBasicWork is NewBasicWork with the C++ defaults.
func NewDefaultBasicWork(app basicwork.Application, name string) *BasicWork {
	return NewBasicWork(app, name, false, 3, basicwork.RetryOnce)
}

// OnRun logs, counts, sleeps 1 ms and counts a step down.
func (w *BasicWork) OnRun() basicwork.State {
	w.Logf(zapcore.DebugLevel, "Running %s", w.Name())
	w.RunningCount++
	w.App().Clock().SleepFor(time.Millisecond)
	w.Count--
	if w.Count > 0 {
		return basicwork.Running
	}
	if w.Fail {
		return basicwork.Failure
	}
	return basicwork.Success
}

// OnAbort logs and completes at once.
func (w *BasicWork) OnAbort() bool {
	w.Logf(zapcore.DebugLevel, "Aborting %s", w.Name())
	w.AbortCount++
	return true
}

// OnSuccess counts.
func (w *BasicWork) OnSuccess() { w.SuccessCount++ }

// OnFailureRaise counts.
func (w *BasicWork) OnFailureRaise() { w.FailureCount++ }

// OnFailureRetry counts.
func (w *BasicWork) OnFailureRetry() { w.RetryCount++ }

// OnReset restores the step count.
func (w *BasicWork) OnReset() { w.Count = w.Steps }

// ForceWakeUp calls WakeUp through the outer value (an override on an
// embedding type runs), as the C++ forceWakeUp.
func (w *BasicWork) ForceWakeUp() { w.WakeSelfUpCallback(nil)() }

// WaitingWork is the C++ TestWaitingWork: each step but the last waits 1 ms
// on the waiting timer. It counts its waits and its wake-ups (an override of
// WakeUp that the library must call).
type WaitingWork struct {
	BasicWork
	WaitingCount int
	WakeUpCount  int
}

// NewWaitingWork returns a TestWaitingWork with the TestBasicWork defaults.
func NewWaitingWork(app basicwork.Application, name string) *WaitingWork {
	w := &WaitingWork{}
	w.Steps, w.Count = 3, 3
	w.Init(app, name, basicwork.RetryOnce, w)
	return w
}

// OnRun waits 1 ms per step until the last, which succeeds.
func (w *WaitingWork) OnRun() basicwork.State {
	w.RunningCount++
	w.Count--
	if w.Count > 0 {
		w.SetupWaitingCallback(time.Millisecond)
		w.WaitingCount++
		return basicwork.Waiting
	}
	return basicwork.Success
}

// WakeUp counts, then wakes up as BasicWork does.
func (w *WaitingWork) WakeUp(inner func()) {
	w.WakeUpCount++
	w.BasicWork.WakeUp(inner)
}
