package batchwork_test

import (
	"strconv"
	"testing"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// oneStep succeeds on its first run.
type oneStep struct{ basicwork.BasicWork }

func (w *oneStep) OnRun() basicwork.State { return basicwork.Success }
func (w *oneStep) OnAbort() bool          { return true }

// benchBatch yields n one-step children named child-<i>.
type benchBatch struct {
	batchwork.BatchWork
	n, next int
}

func (b *benchBatch) HasNext() bool { return b.next < b.n }
func (b *benchBatch) ResetIter()    { b.next = 0 }
func (b *benchBatch) YieldMoreWork() basicwork.Work {
	w := &oneStep{}
	// The C++ names children with fmt::format, which formats without
	// reflection; strconv is Go's counterpart (fmt.Sprintf would add about
	// 150 ns and an allocation per child to what is measured).
	var buf [32]byte
	name := string(strconv.AppendInt(append(buf[:0], "child-"...), int64(b.next), 10))
	w.Init(b.App(), name, basicwork.RetryNever, w)
	b.next++
	return w
}

// BenchmarkBatch is workload (c): a BatchWork of b.N one-step children at
// bandwidth 16, scheduled and cranked until done. ns/op is per child, end
// to end.
func BenchmarkBatch(b *testing.B) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	bw := &benchBatch{n: b.N}
	bw.Init(app, "batch", basicwork.RetryNever, bw)
	b.ReportAllocs()
	b.ResetTimer()
	app.WorkScheduler().ScheduleWork(bw)
	cranks := 0
	for !bw.IsDone() {
		clock.Crank(true)
		cranks++
	}
	b.StopTimer()
	if bw.State() != basicwork.Success {
		b.Fatalf("batch ended %s", bw.State())
	}
	b.ReportMetric(float64(cranks)/float64(b.N), "cranks/child")
}
