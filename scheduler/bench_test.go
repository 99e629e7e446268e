package scheduler_test

import (
	"github.com/stellarwork/stellarwork/internal/testworks"
	"testing"

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
