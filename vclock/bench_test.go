package vclock_test

import (
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
