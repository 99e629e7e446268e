package vclock_test

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stellarwork/stellarwork/vclock"
)

// BenchmarkRealTimePost is workload (f), throughput: another goroutine posts
// b.N actions with PostAction, each adding one to a counter, while the
// benchmark goroutine cranks a RealTime clock on the real wall clock with
// block set until all have run. ns/op is per posted action. Run it with
// both cores (GOMAXPROCS=2), as the C++ figure was taken.
func BenchmarkRealTimePost(b *testing.B) {
	b.ReportAllocs()
	c := vclock.New(vclock.RealTime)
	ran := 0
	action := func() { ran++ }
	var wg sync.WaitGroup
	b.ResetTimer()
	wg.Go(func() {
		for range b.N {
			c.PostAction(action, "post", vclock.NormalAction)
		}
	})
	cranks := 0
	for ran < b.N {
		c.Crank(true)
		cranks++
	}
	b.StopTimer()
	wg.Wait()
	b.ReportMetric(float64(cranks)/float64(b.N), "cranks/op")
}

// BenchmarkRealTimePingPong is workload (f), latency: the benchmark
// goroutine posts one action, waits until it has run, and posts the next,
// b.N times, while another goroutine cranks a RealTime clock with block set.
// It reports the median and 99th percentile of the time from just before
// PostAction to the start of the action, as p50-ns and p99-ns. The poster
// waits by yielding (runtime.Gosched); in the spin variant it busy-spins,
// as the C++ harness's spinning poster does.
func BenchmarkRealTimePingPong(b *testing.B) {
	for _, spin := range []bool{false, true} {
		name := "yield"
		if spin {
			name = "spin"
		}
		b.Run(name, func(b *testing.B) { pingPong(b, spin) })
	}
}

func pingPong(b *testing.B, spin bool) {
	b.ReportAllocs()
	c := vclock.New(vclock.RealTime)
	var stop atomic.Bool
	var ranAt atomic.Int64 // nanoseconds since start, when the action began
	start := time.Now()
	action := func() { ranAt.Store(int64(time.Since(start))) }
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			c.Crank(true)
		}
	})
	lat := make([]int64, b.N)
	b.ResetTimer()
	for i := range b.N {
		ranAt.Store(-1)
		posted := int64(time.Since(start))
		c.PostAction(action, "ping", vclock.NormalAction)
		for ranAt.Load() < 0 {
			if !spin {
				runtime.Gosched()
			}
		}
		lat[i] = ranAt.Load() - posted
	}
	b.StopTimer()
	stop.Store(true)
	c.PostAction(func() {}, "stop", vclock.NormalAction) // wakes the crank
	wg.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2]), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100]), "p99-ns")
}
