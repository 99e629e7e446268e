package vclock

import (
	"fmt"
	"testing"
	"time"
	"unsafe"

	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/internal/stdheap"
)

// TestEventHeapMatchesStdheap drives the clock's specialised event heap and
// the generic libstdc++-exact heap through the same random operations, with
// keys drawn from a tiny range so that ties are the rule, and requires the
// same array layout after every operation: the specialisation must not
// change the order of timers due together.
func TestEventHeapMatchesStdheap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var fast eventHeap
		ref := stdheap.New(func(a, b *event) bool {
			return a.when > b.when || (a.when == b.when && a.seq > b.seq)
		})
		id := 0
		names := map[*event]int{}
		ops := rapid.IntRange(1, 200).Draw(t, "ops")
		for range ops {
			switch op := rapid.IntRange(0, 9).Draw(t, "op"); {
			case op < 6 || fast.Len() == 0:
				e := &event{
					when:   time.Duration(rapid.IntRange(0, 3).Draw(t, "when")),
					seq:    uint32(rapid.IntRange(0, 2).Draw(t, "seq")),
					queued: id%2 == 0, // unused by the heap: marks identity
				}
				names[e] = id
				id++
				fast.push(e)
				ref.Push(e)
			case op < 9:
				a, b := fast.pop(), ref.Pop()
				if a != b {
					t.Fatalf("pop: got event %d, libstdc++ order gives %d", names[a], names[b])
				}
			default:
				// Drain in order, drop every other entry, rebuild: the
				// throttled flush does this.
				var keepB []*event
				i := 0
				fast.rebuild(func(*event) bool { i++; return i%2 == 1 })
				for j := 0; ref.Len() > 0; j++ {
					b := ref.Pop()
					if j%2 == 0 {
						keepB = append(keepB, b)
					}
				}
				ref.Init(keepB)
			}
			got, want := fast.data, ref.Items()
			if len(got) != len(want) {
				t.Fatalf("length %d, want %d", len(got), len(want))
			}
			for i := range got {
				if ev := fast.at(i); ev != want[i] {
					t.Fatalf("slot %d holds event %d, libstdc++ layout holds %d", i, names[ev], names[want[i]])
				}
			}
		}
	})
}

// TestTimerFitsItsSizeClass guards the 48-byte Timer: a million of them
// are live in workload (d), and the next size class up (64 bytes) cost 5%
// of BenchmarkTimers in collector and page-fault time.
func TestTimerFitsItsSizeClass(t *testing.T) {
	if got := unsafe.Sizeof(Timer{}); got > 48 {
		t.Fatalf("Timer is %d bytes, more than 48", got)
	}
}

// BenchmarkEventHeap is the timer queue alone, without clock or timers:
// push n events with increasing expiries, then pop them all, as workload
// (d) does; ns/event is one push and one pop.
func BenchmarkEventHeap(b *testing.B) {
	for _, n := range []int{1000, 1000000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			evs := make([]event, n)
			for i := range evs {
				evs[i].when = time.Duration(i + 1)
			}
			var h eventHeap
			b.ResetTimer()
			for range b.N {
				for i := range evs {
					h.push(&evs[i])
				}
				for h.Len() > 0 {
					h.pop()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
	}
}
