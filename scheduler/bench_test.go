package scheduler_test

import (
	"fmt"
	"testing"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// BenchmarkLeafStep is workload (a): one leaf stepped through the
// WorkScheduler; ns/op is per leaf step, ns/crank per clock crank.
func BenchmarkLeafStep(b *testing.B) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	w := testworks.NewStepWork(app, "leaf", b.N+1)
	b.ReportAllocs()
	b.ResetTimer()
	app.WorkScheduler().ScheduleWork(w)
	cranks := 0
	for !w.IsDone() {
		clock.Crank(true)
		cranks++
	}
	b.StopTimer()
	if cranks > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(cranks), "ns/crank")
		b.ReportMetric(float64(cranks)/float64(b.N), "cranks/step")
	}
}

// idle waits for ever: Waiting, with no timer, until shut down.
type idle struct{ basicwork.BasicWork }

func (w *idle) OnRun() basicwork.State { return basicwork.Waiting }
func (w *idle) OnAbort() bool          { return true }

// BenchmarkSchedulerStep is issue 15's case of the WorkScheduler's own step:
// one running work among N works that wait, all scheduled directly on the
// WorkScheduler; ns/op is per step of the running work. The C++ scans every
// scheduled work at each step (its doWork asks whether any child runs);
// here the step must not depend on N.
func BenchmarkSchedulerStep(b *testing.B) {
	for _, n := range []int{0, 10000} {
		b.Run(fmt.Sprintf("waiting=%d", n), func(b *testing.B) {
			clock := vclock.New(vclock.VirtualTime)
			app := scheduler.NewApp(clock)
			ws := app.WorkScheduler()
			for i := range n {
				w := &idle{}
				w.Init(app, fmt.Sprintf("idle-%d", i), basicwork.RetryNever, w)
				ws.ScheduleWork(w)
			}
			for ws.State() != basicwork.Waiting {
				clock.Crank(false)
			}
			w := testworks.NewStepWork(app, "leaf", b.N+1)
			b.ReportAllocs()
			b.ResetTimer()
			ws.ScheduleWork(w)
			for !w.IsDone() {
				clock.Crank(true)
			}
			b.StopTimer()
			ws.Shutdown()
			for ws.State() != basicwork.Aborted {
				clock.Crank(true)
			}
		})
	}
}
