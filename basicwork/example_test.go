package basicwork_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// countdown is a leaf work: it takes a number of cranks, then succeeds.
type countdown struct {
	basicwork.BasicWork
	left int
}

func newCountdown(app basicwork.Application, name string, cranks int) *countdown {
	w := &countdown{left: cranks}
	w.Init(app, name, basicwork.RetryNever, w) // w: the outer value, for overrides
	return w
}

func (w *countdown) OnRun() basicwork.State {
	if w.left--; w.left > 0 {
		fmt.Println(w.Status(), "- cranks left:", w.left)
		return basicwork.Running // crank me again
	}
	return basicwork.Success
}

func (w *countdown) OnAbort() bool { return true }

// A leaf work: embed BasicWork, define OnRun and OnAbort, and let a
// scheduler crank it.
func ExampleBasicWork() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	w := newCountdown(app, "countdown", 3)
	fmt.Println(w.Status())
	err := app.WorkScheduler().ExecuteWork(context.Background(), w)
	fmt.Println(w.Status(), w.State(), err)
	// Output:
	// Ready to run: countdown
	// Running: countdown - cranks left: 2
	// Running: countdown - cranks left: 1
	// Succeeded: countdown WORK_SUCCESS <nil>
}

// unreliable fails its first attempts.
type unreliable struct {
	basicwork.BasicWork
	failures int
}

func (w *unreliable) OnRun() basicwork.State {
	if w.Attempt() <= w.failures {
		return basicwork.Failure
	}
	return basicwork.Success
}

func (w *unreliable) OnAbort() bool { return true }

// A failed attempt is retried after an exponential backoff, on the clock:
// here virtual time, and the lower bound of the jitter, so that the
// schedule is the same every run (1 s, 2 s, 3 s, 5 s, ...).
func ExampleBasicWork_retry() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime),
		scheduler.WithRand(basicwork.LowerBound{}),
		scheduler.WithTransitionListener(func(e basicwork.TransitionEvent) {
			if e.Name() == "unreliable" {
				fmt.Printf("%-5v attempt %d: %v -> %v\n", e.At, e.Attempt(), e.From, e.To)
			}
		}))
	w := &unreliable{failures: 3}
	w.Init(app, "unreliable", basicwork.RetryAFew, w)
	_ = app.WorkScheduler().ExecuteWork(context.Background(), w)
	fmt.Println(w.Status(), "after", w.Retries(), "retries of", w.MaxRetries())
	// Output:
	// 0s    attempt 1: WORK_PENDING -> WORK_RUNNING
	// 0s    attempt 1: WORK_RUNNING -> WORK_RETRYING
	// 0s    attempt 1: WORK_RETRYING -> WORK_WAITING
	// 1s    attempt 2: WORK_WAITING -> WORK_RUNNING
	// 1s    attempt 2: WORK_RUNNING -> WORK_RETRYING
	// 1s    attempt 2: WORK_RETRYING -> WORK_WAITING
	// 3s    attempt 3: WORK_WAITING -> WORK_RUNNING
	// 3s    attempt 3: WORK_RUNNING -> WORK_RETRYING
	// 3s    attempt 3: WORK_RETRYING -> WORK_WAITING
	// 6s    attempt 4: WORK_WAITING -> WORK_RUNNING
	// 6s    attempt 4: WORK_RUNNING -> WORK_SUCCESS
	// Succeeded: unreliable after 3 retries of 5
}

// The delay before retry n+1 is drawn from BackoffBounds(n), in whole
// seconds, capped at 512 s.
func ExampleExponentialBackoff() {
	for _, n := range []uint64{0, 1, 2, 3, 4, 9, 40} {
		lo, hi := basicwork.BackoffBounds(n)
		fmt.Printf("n=%-2d [%d, %d] s: lower %v, upper %v\n", n, lo, hi,
			basicwork.ExponentialBackoff(n, basicwork.LowerBound{}),
			basicwork.ExponentialBackoff(n, basicwork.UpperBound{}))
	}
	// Output:
	// n=0  [1, 1] s: lower 1s, upper 1s
	// n=1  [2, 2] s: lower 2s, upper 2s
	// n=2  [3, 4] s: lower 3s, upper 4s
	// n=3  [5, 8] s: lower 5s, upper 8s
	// n=4  [9, 16] s: lower 9s, upper 16s
	// n=9  [257, 512] s: lower 4m17s, upper 8m32s
	// n=40 [257, 512] s: lower 4m17s, upper 8m32s
}

// The same seed gives the same jitter.
func ExampleNewRand() {
	a, b := basicwork.NewRand(7), basicwork.NewRand(7)
	same := true
	for n := range uint64(20) {
		same = same && basicwork.ExponentialBackoff(n, a) == basicwork.ExponentialBackoff(n, b)
	}
	fmt.Println(same)
	// Output:
	// true
}

func ExampleIsAllowed() {
	fmt.Println(basicwork.IsAllowed(basicwork.InternalRunning, basicwork.InternalRetrying))
	fmt.Println(basicwork.IsAllowed(basicwork.InternalWaiting, basicwork.InternalSuccess))
	fmt.Println(len(basicwork.Transitions()), "transitions")
	// Output:
	// true
	// false
	// 16 transitions
}

// The transition table as a Mermaid diagram, for Markdown; TransitionsDOT
// gives it for Graphviz.
func ExampleTransitionsMermaid() {
	fmt.Print(basicwork.TransitionsMermaid())
	// Output:
	// stateDiagram-v2
	//     [*] --> WORK_PENDING: Init
	//     WORK_PENDING --> WORK_RUNNING: StartWork
	//     WORK_PENDING --> WORK_ABORTING: Shutdown
	//     WORK_RUNNING --> WORK_RUNNING: OnRun returns Running
	//     WORK_RUNNING --> WORK_WAITING: OnRun returns Waiting
	//     WORK_RUNNING --> WORK_SUCCESS: OnRun returns Success
	//     WORK_RUNNING --> WORK_FAILURE: OnRun returns Failure, no retry left
	//     WORK_RUNNING --> WORK_RETRYING: OnRun returns Failure, a retry left
	//     WORK_RUNNING --> WORK_ABORTING: Shutdown
	//     WORK_WAITING --> WORK_RUNNING: WakeUp
	//     WORK_WAITING --> WORK_ABORTING: Shutdown
	//     WORK_RETRYING --> WORK_WAITING: retry timer armed
	//     WORK_SUCCESS --> WORK_PENDING: StartWork again
	//     WORK_FAILURE --> WORK_PENDING: StartWork again
	//     WORK_ABORTING --> WORK_ABORTING: OnAbort returns false
	//     WORK_ABORTING --> WORK_ABORTED: OnAbort returns true
	//     WORK_ABORTED --> WORK_PENDING: StartWork again
}

func ExampleTransitionsDOT() {
	dot := basicwork.TransitionsDOT()
	lines := strings.Split(dot, "\n")
	fmt.Println(lines[0])
	fmt.Println(strings.Count(dot, " -> "), "edges")
	// Output:
	// digraph BasicWork {
	// 17 edges
}

// A WorkWithCallback runs a function once; an error from it fails the work.
func ExampleNewWorkWithCallback() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	w, err := basicwork.NewWorkWithCallback(app, "hello", func(app basicwork.Application) (bool, error) {
		fmt.Println("hello at", app.Clock().Elapsed())
		return true, nil
	})
	if err != nil {
		panic(err)
	}
	_ = app.WorkScheduler().ExecuteWork(context.Background(), w)
	fmt.Println(w.Status())
	// Output:
	// hello at 0s
	// Succeeded: hello
}

// Since tells when a work entered its state, on its clock.
func ExampleBasicWork_Since() {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	w := newCountdown(app, "sleeper", 1)
	clock.SleepFor(time.Minute)
	_ = app.WorkScheduler().ExecuteWork(context.Background(), w)
	fmt.Println(w.State(), "since", w.Since())
	// Output:
	// WORK_SUCCESS since 1m0s
}
