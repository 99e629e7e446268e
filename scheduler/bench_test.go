package scheduler_test

import (
	"testing"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// stepWork is the benchmark leaf of shared/perf (a): Running until its steps
// are used up, then Success; no sleep, no log, never retried.
type stepWork struct {
	basicwork.BasicWork
	left int
}

func newStepWork(app basicwork.Application, name string, steps int) *stepWork {
	w := &stepWork{left: steps}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *stepWork) OnRun() basicwork.State {
	if w.left--; w.left > 0 {
		return basicwork.Running
	}
	return basicwork.Success
}

func (w *stepWork) OnAbort() bool { return true }

// BenchmarkLeafStep is workload (a): one leaf stepped through the
// WorkScheduler; ns/op is per leaf step, ns/crank per clock crank.
func BenchmarkLeafStep(b *testing.B) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	w := newStepWork(app, "leaf", b.N+1)
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
