package vclock

import (
	"testing"
	"time"

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
		ref := stdheap.New(func(a, b eventEntry) bool { return entryLess(&a, &b) })
		id := 0
		ops := rapid.IntRange(1, 200).Draw(t, "ops")
		for range ops {
			switch op := rapid.IntRange(0, 9).Draw(t, "op"); {
			case op < 6 || fast.Len() == 0:
				e := eventEntry{
					when: time.Duration(rapid.IntRange(0, 3).Draw(t, "when")),
					seq:  uint64(rapid.IntRange(0, 2).Draw(t, "seq")),
					ev:   &event{seq: uint64(id)},
				}
				id++
				fast.push(e)
				ref.Push(e)
			case op < 9:
				a, b := fast.pop(), ref.Pop()
				if a.ev != b.ev {
					t.Fatalf("pop: got event %d, libstdc++ order gives %d", a.ev.seq, b.ev.seq)
				}
			default:
				// Drain in order, drop every other entry, rebuild: the
				// throttled flush does this.
				var keepA, keepB []eventEntry
				for i := 0; fast.Len() > 0; i++ {
					a, b := fast.pop(), ref.Pop()
					if a.ev != b.ev {
						t.Fatalf("drain: layouts diverged")
					}
					if i%2 == 0 {
						keepA = append(keepA, a)
						keepB = append(keepB, b)
					}
				}
				fast.init(keepA)
				ref.Init(keepB)
			}
			got, want := fast.data, ref.Items()
			if len(got) != len(want) {
				t.Fatalf("length %d, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i].ev != want[i].ev {
					t.Fatalf("slot %d holds event %d, libstdc++ layout holds %d", i, got[i].ev.seq, want[i].ev.seq)
				}
			}
		}
	})
}
