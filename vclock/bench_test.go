package vclock_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stellarwork/stellarwork/vclock"
)

// BenchmarkTimers is workload (d): b.N timers with distinct expiries, each
// armed once, then the clock cranked until every one has fired. ns/op is
// arm plus fire per timer.
func BenchmarkTimers(b *testing.B) {
	clock := vclock.New(vclock.VirtualTime)
	fired := 0
	cb := func(err error) {
		if err == nil {
			fired++
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		t := vclock.NewTimer(clock)
		t.ExpiresFromNow(time.Duration(i+1) * time.Millisecond)
		t.AsyncWait(cb)
	}
	for fired < b.N {
		clock.Crank(false)
	}
}

// BenchmarkTimersScaling is workload (d) at sizes from 1,000 to 1,000,000
// timers: each op arms n timers with distinct expiries and cranks until all
// have fired; ns/timer is the cost per timer.
func BenchmarkTimersScaling(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000, 1000000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				clock := vclock.New(vclock.VirtualTime)
				fired := 0
				cb := func(err error) {
					if err == nil {
						fired++
					}
				}
				for i := range n {
					t := vclock.NewTimer(clock)
					t.ExpiresFromNow(time.Duration(i+1) * time.Millisecond)
					t.AsyncWait(cb)
				}
				for fired < n {
					clock.Crank(false)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/timer")
		})
	}
}
