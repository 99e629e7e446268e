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
		ref := stdheap.New(func(a, b eventEntry) bool {
			return a.when > b.when || (a.when == b.when && a.seq > b.seq)
		})
		// Each entry's ref is unique: it names the entry.
		id := uint32(0)
		ops := rapid.IntRange(1, 200).Draw(t, "ops")
		for range ops {
			switch op := rapid.IntRange(0, 9).Draw(t, "op"); {
			case op < 6 || fast.Len() == 0:
				e := eventEntry{
					when: time.Duration(rapid.IntRange(0, 3).Draw(t, "when")),
					seq:  uint32(rapid.IntRange(0, 2).Draw(t, "seq")),
					ref:  id,
				}
				id++
				fast.push(e)
				ref.Push(e)
			case op < 9:
				a, b := fast.pop(), ref.Pop()
				if a != b {
					t.Fatalf("pop: got entry %d, libstdc++ order gives %d", a.ref, b.ref)
				}
			default:
				// Drain in order, drop every other entry, rebuild: the
				// throttled flush does this.
				var keepB []eventEntry
				i := 0
				fast.rebuild(func(eventEntry) bool { i++; return i%2 == 1 })
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
				if e := fast.at(i); e != want[i] {
					t.Fatalf("slot %d holds entry %d, libstdc++ layout holds %d", i, e.ref, want[i].ref)
				}
			}
		}
	})
}

// TestTimerSize guards the 40-byte Timer and the chunk that holds 64 of
// them: a million timers are live in workload (d), and a chunk is one
// allocation; 64 timers and the chunk's own fields fit the 2,688-byte size
// class with 4% to spare (the noCopy field takes no room).
func TestTimerSize(t *testing.T) {
	if got := unsafe.Sizeof(Timer{}); got > 40 {
		t.Fatalf("Timer is %d bytes, more than 40", got)
	}
	if got := unsafe.Sizeof(timerChunk{}); got > 2688 {
		t.Fatalf("timerChunk is %d bytes, more than 2688", got)
	}
}

// BenchmarkEventHeap is the timer queue alone, without clock or timers:
// push n events with increasing expiries, then pop them all, as workload
// (d) does; ns/event is one push and one pop.
func BenchmarkEventHeap(b *testing.B) {
	for _, n := range []int{1000, 1000000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			evs := make([]eventEntry, n)
			for i := range evs {
				evs[i] = eventEntry{when: time.Duration(i + 1), ref: uint32(i)}
			}
			var h eventHeap
			b.ResetTimer()
			for range b.N {
				for i := range evs {
					h.push(evs[i])
				}
				for h.Len() > 0 {
					h.pop()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
	}
}
