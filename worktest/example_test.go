package worktest_test

import (
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/worktest"
)

// twoStep takes two cranks.
type twoStep struct {
	basicwork.BasicWork
	runs int
}

func (w *twoStep) OnRun() basicwork.State {
	if w.runs++; w.runs < 2 {
		return basicwork.Running
	}
	return basicwork.Success
}

func (w *twoStep) OnAbort() bool { return true }
func (w *twoStep) OnReset()      { w.runs = 0 }

// A Recorder runs a work as the parity harness does and writes the trace
// that the C++ test would: every Work log line, every crank with the status
// of the tracked works, the checks and the final states.
func ExampleRecorder() {
	r := worktest.NewRecorder(worktest.Options{})
	w := &twoStep{}
	w.Init(r.App(), "two-step", basicwork.RetryNever, w)
	r.Execute(w, 0)
	r.Check("two-step succeeded", w.State() == basicwork.Success)
	r.Finish()
	fmt.Print(r.String())
	// Output:
	// log TRACE Starting work-scheduler
	// log TRACE resetting work-scheduler
	// log DEBUG work work-scheduler : WORK_PENDING -> WORK_RUNNING
	// log DEBUG Running work-scheduler
	// log DEBUG work work-scheduler : WORK_RUNNING -> WORK_WAITING
	// log TRACE Starting two-step
	// log TRACE resetting two-step
	// log DEBUG work two-step : WORK_PENDING -> WORK_RUNNING
	// log TRACE Waking up: work-scheduler
	// log DEBUG work work-scheduler : WORK_WAITING -> WORK_RUNNING
	// log TRACE work-scheduler woke up and is executing its callback
	// crank 1 progress=2 t=0
	// status work-scheduler: Running: work-scheduler : 0/1 children completed
	// status two-step: Running: two-step
	// crank 2 progress=2 t=0
	// status work-scheduler: Running: work-scheduler : 0/1 children completed
	// status two-step: Running: two-step
	// log DEBUG Running work-scheduler
	// crank 3 progress=3 t=0
	// status work-scheduler: Running: work-scheduler : 0/1 children completed
	// status two-step: Running: two-step
	// log DEBUG work two-step : WORK_RUNNING -> WORK_SUCCESS
	// crank 4 progress=3 t=0
	// status work-scheduler: Running: work-scheduler : 0/1 children completed
	// status two-step: Succeeded: two-step
	// check two-step succeeded: ok
	// state work-scheduler: WORK_RUNNING
	// state two-step: WORK_SUCCESS
}
