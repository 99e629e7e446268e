package vclock_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stellarwork/stellarwork/vclock"
)

// timersPerRound is the size of workload (d): the C++ arms a million
// timers, then cranks until all have fired.
const timersPerRound = 1_000_000

// BenchmarkTimers is workload (d): rounds of up to a million timers with
// distinct expiries, each round on a fresh clock, all armed, then the clock
// cranked until every one has fired; b.N timers in all. ns/op is arm plus
// fire per timer. Rounds keep the queue at the C++ size whatever b.N the
// benchmark settles on (it goes past three million with the default
// -benchtime, where the queue would be three times as big).
func BenchmarkTimers(b *testing.B) {
	b.ReportAllocs()
	for left := b.N; left > 0; left -= timersPerRound {
		runTimers(min(left, timersPerRound))
	}
}

// runTimers arms n timers with distinct expiries on a fresh clock and
// cranks until all have fired.
func runTimers(n int) {
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

// BenchmarkTimersScaling is workload (d) at sizes from 1,000 to 1,000,000
// timers: each op arms n timers with distinct expiries and cranks until all
// have fired; ns/timer is the cost per timer.
func BenchmarkTimersScaling(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000, 1000000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				runTimers(n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/timer")
		})
	}
}
