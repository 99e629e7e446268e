package conditionalwork_test

import (
	"context"
	"fmt"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// applyLedgers is the gated work: it succeeds on its first run.
type applyLedgers struct{ basicwork.BasicWork }

func (w *applyLedgers) OnRun() basicwork.State {
	fmt.Println("applying at", w.App().Clock().Elapsed())
	return basicwork.Success
}

func (w *applyLedgers) OnAbort() bool { return true }

// A ConditionalWork holds its work back until the condition holds, checking
// it again after each sleep delay. The condition must be monotonic: once
// true, it stays true.
func ExampleNew() {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	inner := &applyLedgers{}
	inner.Init(app, "apply", basicwork.RetryNever, inner)
	checks := 0
	ready := func(basicwork.Application) bool {
		checks++
		return clock.Elapsed() >= 2*time.Second // say, the download is there
	}
	gated, err := conditionalwork.New(app, "gated-apply", ready, inner, conditionalwork.WithSleepDelay(500*time.Millisecond))
	if err != nil {
		panic(err)
	}
	fmt.Println(gated.Status())
	_ = app.WorkScheduler().ExecuteWork(context.Background(), gated)
	fmt.Println(gated.Status(), "after", checks, "checks")
	// Output:
	// Waiting before starting Ready to run: apply
	// applying at 2s
	// Succeeded: apply after 5 checks
}
