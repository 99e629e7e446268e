package basicwork_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// flaky fails its first two attempts.
type flaky struct{ basicwork.BasicWork }

func (w *flaky) OnRun() basicwork.State {
	fmt.Printf("attempt %d at %v\n", w.Attempt(), w.App().Clock().Elapsed())
	if w.Attempt() < 3 {
		return basicwork.Failure
	}
	return basicwork.Success
}

func (w *flaky) OnAbort() bool { return true }

// Attempt is 1 on a work's first run and one more after each retry; a work
// reads it in OnRun (henyey's WorkContext.attempt). The retries come after
// the exponential backoff: with the jitter at its lower bound, 1 s after
// the first failure and 2 s after the second, in virtual time.
func ExampleBasicWork_Attempt() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithRand(basicwork.LowerBound{}))
	w := &flaky{}
	w.Init(app, "flaky", basicwork.RetryAFew, w)
	if err := app.WorkScheduler().ExecuteWork(context.Background(), w); err != nil {
		panic(err)
	}
	fmt.Println(w.State(), "on attempt", w.Attempt())
	// Output:
	// attempt 1 at 0s
	// attempt 2 at 1s
	// attempt 3 at 3s
	// WORK_SUCCESS on attempt 3
}

// A transition listener sees the attempt of every state change
// (henyey's WorkEvent.attempt).
func ExampleTransitionEvent_Attempt() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithRand(basicwork.LowerBound{}))
	app.SetTransitionListener(func(e basicwork.TransitionEvent) {
		if e.Name() == "flaky" {
			fmt.Printf("%s -> %s, attempt %d\n", e.From, e.To, e.Attempt())
		}
	})
	w := &flaky{}
	w.Init(app, "flaky", basicwork.RetryOnce, w)
	err := app.WorkScheduler().ExecuteWork(context.Background(), w)
	fmt.Println(errors.Is(err, basicwork.ErrWorkFailed))
	// Output:
	// WORK_PENDING -> WORK_RUNNING, attempt 1
	// attempt 1 at 0s
	// WORK_RUNNING -> WORK_RETRYING, attempt 1
	// WORK_RETRYING -> WORK_WAITING, attempt 1
	// WORK_WAITING -> WORK_RUNNING, attempt 2
	// attempt 2 at 1s
	// WORK_RUNNING -> WORK_FAILURE, attempt 2
	// true
}
