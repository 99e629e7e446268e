package scenario_test

import (
	"fmt"
	"testing"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/worktest/scenario"
)

// countdown is a work of the user's own, defined outside the library: it
// counts down one step per run and succeeds at zero.
type countdown struct {
	basicwork.BasicWork
	from, left int
}

func (w *countdown) OnReset() { w.left = w.from }

func (w *countdown) OnRun() basicwork.State {
	if w.left--; w.left > 0 {
		return basicwork.Running
	}
	return basicwork.Success
}

func (w *countdown) OnAbort() bool { return true }

// Left is readable in scenarios as countdown.left.
func (w *countdown) Left() int { return w.left }

// language is the scenario language with the countdown kind:
//
//	countdown NAME [from=N]
func language() *scenario.Language {
	l := scenario.New()
	l.Kind("countdown", func(s *scenario.Spec) (basicwork.Work, error) {
		from, err := s.Int("from", 3)
		if err != nil {
			return nil, err
		}
		w := &countdown{from: from}
		w.Init(s.Env().App(), s.Name, basicwork.RetryNever, w)
		return w, nil
	})
	return l
}

// TestCountdown runs the scenario file as a datadriven test: each
// command's output must be the one written under it (go test -rewrite
// rewrites them).
func TestCountdown(t *testing.T) {
	env := language().Test(t, "testdata/countdown.txt")
	if failed := env.Failed(); len(failed) > 0 {
		t.Fatalf("checks that failed: %v", failed)
	}
}

// A user registers a kind for a work of their own and runs a scenario
// file of it, getting the trace format of the parity traces.
func Example() {
	trace, env, err := language().RunFile("testdata/countdown.txt")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(trace)
	fmt.Println("failed checks:", len(env.Failed()))
	// Output:
	// log TRACE Starting work-scheduler
	// log TRACE resetting work-scheduler
	// log DEBUG work work-scheduler : WORK_PENDING -> WORK_RUNNING
	// log DEBUG Running work-scheduler
	// log DEBUG work work-scheduler : WORK_RUNNING -> WORK_WAITING
	// log TRACE Starting c
	// log TRACE resetting c
	// log DEBUG work c : WORK_PENDING -> WORK_RUNNING
	// log TRACE Waking up: work-scheduler
	// log DEBUG work work-scheduler : WORK_WAITING -> WORK_RUNNING
	// log TRACE work-scheduler woke up and is executing its callback
	// note c starts as "Running: c" with 2 steps left
	// crank 1 progress=2 t=0
	// status work-scheduler: Running: work-scheduler : 0/1 children completed
	// status c: Running: c
	// crank 2 progress=2 t=0
	// status work-scheduler: Running: work-scheduler : 0/1 children completed
	// status c: Running: c
	// log DEBUG Running work-scheduler
	// crank 3 progress=3 t=0
	// status work-scheduler: Running: work-scheduler : 0/1 children completed
	// status c: Running: c
	// log DEBUG work c : WORK_RUNNING -> WORK_SUCCESS
	// crank 4 progress=3 t=0
	// status work-scheduler: Running: work-scheduler : 0/1 children completed
	// status c: Succeeded: c
	// check c succeeded: ok
	// check c.left == 0: ok
	// check c status has-prefix "Succeeded": ok
	// state work-scheduler: WORK_RUNNING
	// state c: WORK_SUCCESS
	// failed checks: 0
}
