package work_test

import (
	"fmt"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"runtime"
	"testing"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// waitForever is a child that waits on its first run and is never woken.
type waitForever struct{ basicwork.BasicWork }

func newWaitForever(app basicwork.Application, name string) *waitForever {
	w := &waitForever{}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *waitForever) OnRun() basicwork.State { return basicwork.Waiting }
func (w *waitForever) OnAbort() bool          { return true }

// benchParent runs until its runner is done.
type benchParent struct {
	work.Work
	runner *testworks.StepWork
}

func newBenchParent(app basicwork.Application) *benchParent {
	p := &benchParent{}
	p.Init(app, "parent", basicwork.RetryNever, p)
	return p
}

func (p *benchParent) DoWork() basicwork.State {
	if p.runner != nil && p.runner.IsDone() {
		return basicwork.Success
	}
	return basicwork.Running
}

// BenchmarkRoundRobin is workload (b): one running child after many
// siblings that wait forever. ns/op is per step of the running child; the
// C++ scans every sibling at each step.
func BenchmarkRoundRobin(b *testing.B) {
	for _, waiting := range []int{0, 10000} {
		b.Run(fmt.Sprintf("waiting=%d", waiting), func(b *testing.B) {
			benchRoundRobin(b, waiting)
		})
	}
}

func benchRoundRobin(b *testing.B, waiting int) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	p := newBenchParent(app)
	app.WorkScheduler().ScheduleWork(p)
	for i := range waiting {
		if err := p.AddWork(newWaitForever(app, fmt.Sprintf("idle-%d", i))); err != nil {
			b.Fatal(err)
		}
	}
	const warm = 1000
	p.runner = testworks.NewStepWork(app, "runner", warm+b.N+1)
	if err := p.AddWork(p.runner); err != nil {
		b.Fatal(err)
	}
	// Warm up until every sibling has run once and waits, and the runner
	// has b.N+1 steps left.
	for p.runner.Left > b.N+1 {
		clock.Crank(true)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cranks := 0
	for !p.runner.IsDone() {
		clock.Crank(true)
		cranks++
	}
	b.StopTimer()
	b.ReportMetric(float64(cranks)/float64(b.N), "cranks/step")
}

// BenchmarkIdleChildMemory is workload (e): heap bytes per idle child of
// one parent, added and never cranked, reported as B/work.
func BenchmarkIdleChildMemory(b *testing.B) {
	const n = 100000
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("idle-%d", i)
	}
	b.ReportAllocs()
	var perWork float64
	for range b.N {
		clock := vclock.New(vclock.VirtualTime)
		app := scheduler.NewApp(clock)
		p := newBenchParent(app)
		app.WorkScheduler().ScheduleWork(p)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, name := range names {
			if err := p.AddWork(newWaitForever(app, name)); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perWork = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(p)
	}
	b.ReportMetric(perWork, "B/work")
}

// BenchmarkRoundRobinScaling is workload (b) for 10 to 100,000 waiting
// siblings: the cost per step of the running child should stay flat.
func BenchmarkRoundRobinScaling(b *testing.B) {
	for _, waiting := range []int{10, 100, 1000, 10000, 100000} {
		b.Run(fmt.Sprintf("waiting=%d", waiting), func(b *testing.B) {
			benchRoundRobin(b, waiting)
		})
	}
}
