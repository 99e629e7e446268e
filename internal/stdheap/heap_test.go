package stdheap

import (
	"bytes"
	"container/heap"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"pgregory.net/rapid"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// goldenTrace is the output of testdata/gen/golden.cpp compiled with g++ and
// run against libstdc++ (see testdata/gen/README.md).
const goldenTrace = "testdata/libstdcxx_trace.golden"

// item mirrors the C++ Item: only key takes part in comparisons, id is there
// to tell tied elements apart.
type item struct {
	key, id int
}

func keyLess(a, b item) bool { return a.key < b.key }

// xorshift is the Go twin of Rng in golden.cpp; both must produce the same
// stream for the scripts to line up.
type xorshift struct{ s uint64 }

func (r *xorshift) next() uint64 {
	r.s ^= r.s << 13
	r.s ^= r.s >> 7
	r.s ^= r.s << 17
	return r.s
}

func (r *xorshift) below(n int) int { return int(r.next() % uint64(n)) }

// queue abstracts the heap under test so the same scripts can also drive a
// container/heap based queue (see TestGoldenRejectsContainerHeap).
type queue interface {
	Len() int
	Push(item)
	Pop() item
	Init([]item)
	Items() []item
}

// recorder runs one script against a queue and writes the same text the C++
// program prints.
type recorder struct {
	out    *bytes.Buffer
	q      queue
	nextID int
}

func newRecorder(out *bytes.Buffer, q queue, name string) *recorder {
	fmt.Fprintf(out, "script %s\n", name)
	return &recorder{out: out, q: q}
}

func writeList(out *bytes.Buffer, v []item) {
	if len(v) == 0 {
		out.WriteString("-")
		return
	}
	for i, it := range v {
		if i > 0 {
			out.WriteByte(' ')
		}
		out.WriteString(strconv.Itoa(it.key))
		out.WriteByte(':')
		out.WriteString(strconv.Itoa(it.id))
	}
}

func (s *recorder) layout() {
	s.out.WriteString("heap ")
	writeList(s.out, s.q.Items())
	s.out.WriteByte('\n')
}

func (s *recorder) push(key int) {
	it := item{key: key, id: s.nextID}
	s.nextID++
	s.q.Push(it)
	fmt.Fprintf(s.out, "push %d:%d\n", it.key, it.id)
	s.layout()
}

func (s *recorder) pop() item {
	it := s.q.Pop()
	fmt.Fprintf(s.out, "pop %d:%d\n", it.key, it.id)
	s.layout()
	return it
}

func (s *recorder) build(v []item) {
	// The C++ range constructor copies its input; hand Init a copy too so
	// that v is still the input when it is printed.
	s.q.Init(slices.Clone(v))
	s.out.WriteString("build ")
	writeList(s.out, v)
	s.out.WriteByte('\n')
	s.layout()
}

func (s *recorder) fresh(r *xorshift, n, keys int) []item {
	v := make([]item, 0, n)
	for range n {
		v = append(v, item{key: r.below(keys), id: s.nextID})
		s.nextID++
	}
	return v
}

// The four scripts below follow their namesakes in golden.cpp step by step,
// including the order in which random numbers are drawn.

func scriptBulk(out *bytes.Buffer, q queue) {
	r := &xorshift{0x9E3779B97F4A7C15}
	s := newRecorder(out, q, "bulk")
	for range 120 {
		s.push(r.below(4))
	}
	for s.q.Len() > 0 {
		s.pop()
	}
}

func scriptInterleaved(out *bytes.Buffer, q queue) {
	r := &xorshift{0xD1B54A32D192ED03}
	s := newRecorder(out, q, "interleaved")
	for range 400 {
		if s.q.Len() == 0 || r.below(100) < 58 {
			s.push(r.below(5))
		} else {
			s.pop()
		}
	}
	for s.q.Len() > 0 {
		s.pop()
	}
}

func scriptRanges(out *bytes.Buffer, q queue) {
	r := &xorshift{0x2545F4914F6CDD1D}
	s := newRecorder(out, q, "ranges")
	for n := 0; n <= 40; n++ {
		s.build(s.fresh(r, n, 3))
		for s.q.Len() > 0 {
			s.pop()
		}
	}
}

func scriptRebuild(out *bytes.Buffer, q queue) {
	r := &xorshift{0x0123456789ABCDEF}
	s := newRecorder(out, q, "rebuild")
	for range 60 {
		s.push(r.below(4))
	}
	for range 6 {
		var kept []item
		for s.q.Len() > 0 {
			it := s.pop()
			if r.below(3) != 0 {
				kept = append(kept, it)
			}
		}
		s.build(kept)
		extra := 5 + r.below(20)
		for range extra {
			if r.below(100) < 70 {
				s.push(r.below(4))
			} else if s.q.Len() > 0 {
				s.pop()
			}
		}
	}
	for s.q.Len() > 0 {
		s.pop()
	}
}

// runScripts produces the whole trace, one fresh queue per script.
func runScripts(newQueue func() queue) []byte {
	var out bytes.Buffer
	for _, script := range []func(*bytes.Buffer, queue){
		scriptBulk, scriptInterleaved, scriptRanges, scriptRebuild,
	} {
		script(&out, newQueue())
	}
	return out.Bytes()
}

func newStdheap() queue { return New(keyLess) }

// popLines keeps the script headers and pop results: the order in which
// elements leave the heap, without the layouts.
func popLines(trace []byte) []string {
	var keep []string
	for line := range strings.Lines(string(trace)) {
		if strings.HasPrefix(line, "script ") || strings.HasPrefix(line, "pop ") {
			keep = append(keep, strings.TrimSuffix(line, "\n"))
		}
	}
	return keep
}

// firstDiff reports the first line where got and want differ, with the name
// of the script it belongs to.
func firstDiff(got, want []string) string {
	script := "?"
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("script %s, line %d:\n got: %.300q\nwant: %.300q", script, i+1, g, w)
		}
		if name, ok := strings.CutPrefix(w, "script "); ok {
			script = name
		}
	}
	return ""
}

func readGolden(t *testing.T) []byte {
	t.Helper()
	want, err := os.ReadFile(filepath.FromSlash(goldenTrace))
	if err != nil {
		t.Fatalf("reading golden trace: %v", err)
	}
	if len(want) == 0 {
		t.Fatal("golden trace is empty")
	}
	return want
}

// TestMatchesLibstdcxx replays the golden scripts and requires the same pop
// order and the same array layout after every single operation.
func TestMatchesLibstdcxx(t *testing.T) {
	want := readGolden(t)
	got := runScripts(newStdheap)

	if d := firstDiff(popLines(got), popLines(want)); d != "" {
		t.Errorf("pop order differs from libstdc++:\n%s", d)
	}
	if !bytes.Equal(got, want) {
		d := firstDiff(strings.Split(string(got), "\n"), strings.Split(string(want), "\n"))
		t.Errorf("trace differs from libstdc++ (%d vs %d bytes):\n%s", len(got), len(want), d)
	}
}

// refQueue is a max-heap built on container/heap, which breaks ties
// differently from libstdc++.
type refQueue struct{ data []item }

func (q *refQueue) Len() int           { return len(q.data) }
func (q *refQueue) Less(i, j int) bool { return keyLess(q.data[j], q.data[i]) }
func (q *refQueue) Swap(i, j int)      { q.data[i], q.data[j] = q.data[j], q.data[i] }

func (q *refQueue) Items() []item { return q.data }

type refAdapter struct{ h *refQueue }

func (a refAdapter) Len() int      { return a.h.Len() }
func (a refAdapter) Push(x item)   { heap.Push(heapIface{a.h}, x) }
func (a refAdapter) Pop() item     { return heap.Pop(heapIface{a.h}).(item) }
func (a refAdapter) Init(v []item) { a.h.data = v; heap.Init(heapIface{a.h}) }
func (a refAdapter) Items() []item { return a.h.Items() }

type heapIface struct{ *refQueue }

func (h heapIface) Push(x any) { h.data = append(h.data, x.(item)) }
func (h heapIface) Pop() any {
	n := len(h.data) - 1
	x := h.data[n]
	h.data = h.data[:n]
	return x
}

// TestGoldenRejectsContainerHeap makes sure the golden data has teeth: a
// correct heap with another tie-breaking rule must not pass.
func TestGoldenRejectsContainerHeap(t *testing.T) {
	want := readGolden(t)
	got := runScripts(func() queue { return refAdapter{&refQueue{}} })
	if slices.Equal(popLines(got), popLines(want)) {
		t.Fatal("container/heap reproduces the golden pop order; the scripts do not exercise ties")
	}
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want %q", want)
		}
		if got := fmt.Sprint(r); got != want {
			t.Fatalf("panic %q, want %q", got, want)
		}
	}()
	f()
}

func TestEmptyHeapPanics(t *testing.T) {
	h := New(keyLess)
	mustPanic(t, "stdheap: Top of an empty heap", func() { h.Top() })
	mustPanic(t, "stdheap: Pop of an empty heap", func() { h.Pop() })

	h.Push(item{1, 1})
	h.Pop()
	mustPanic(t, "stdheap: Top of an empty heap", func() { h.Top() })
	mustPanic(t, "stdheap: Pop of an empty heap", func() { h.Pop() })

	h.Init(nil)
	mustPanic(t, "stdheap: Pop of an empty heap", func() { h.Pop() })

	mustPanic(t, "stdheap: nil less function", func() { New[int](nil) })
}

// TestPopClearsSlot checks that a popped element is no longer referenced from
// the spare capacity of the backing array, so the GC can collect it.
func TestPopClearsSlot(t *testing.T) {
	h := New(func(a, b *int) bool { return *a < *b })
	for i := range 5 {
		h.Push(&i)
	}
	for n := 5; n > 0; n-- {
		h.Pop()
		full := h.Items()[:n]
		if full[n-1] != nil {
			t.Fatalf("after pop to len %d, vacated slot still holds %d", n-1, *full[n-1])
		}
	}

	for i := range 3 {
		h.Push(&i)
	}
	h.Clear()
	if h.Len() != 0 {
		t.Fatalf("Len after Clear = %d", h.Len())
	}
	for i, p := range h.Items()[:3] {
		if p != nil {
			t.Fatalf("slot %d still set after Clear", i)
		}
	}
}

func TestInitSmall(t *testing.T) {
	tests := []struct {
		name string
		in   []item
		want []item
	}{
		{"nil", nil, nil},
		{"empty", []item{}, []item{}},
		{"one", []item{{5, 0}}, []item{{5, 0}}},
		{"two ascending", []item{{1, 0}, {2, 1}}, []item{{2, 1}, {1, 0}}},
		{"two descending", []item{{2, 0}, {1, 1}}, []item{{2, 0}, {1, 1}}},
		// libstdc++ moves the child into the root's hole before sifting the
		// old root back, so two equal elements trade places.
		{"two equal", []item{{3, 0}, {3, 1}}, []item{{3, 1}, {3, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := New(keyLess)
			h.Init(tc.in)
			if h.Len() != len(tc.want) {
				t.Fatalf("Len = %d, want %d", h.Len(), len(tc.want))
			}
			if !slices.Equal(h.Items(), tc.want) {
				t.Fatalf("Items = %v, want %v", h.Items(), tc.want)
			}
			if len(tc.want) > 0 && h.Top() != tc.want[0] {
				t.Fatalf("Top = %v, want %v", h.Top(), tc.want[0])
			}
		})
	}
}

// checkHeap fails unless every parent is at least as high as its children.
func checkHeap(t *rapid.T, v []item) {
	for i := 1; i < len(v); i++ {
		if p := (i - 1) / 2; keyLess(v[p], v[i]) {
			t.Fatalf("heap order broken: parent %d %v < child %d %v in %v", p, v[p], i, v[i], v)
		}
	}
}

func TestHeapProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := New(keyLess)
		model := map[int]int{} // id -> key of elements that should be inside
		nextID := 0
		fresh := func(label string) item {
			it := item{key: rapid.IntRange(-3, 3).Draw(t, label), id: nextID}
			nextID++
			return it
		}
		// popCheck removes one element and verifies it is a highest one that
		// is still expected to be inside.
		popCheck := func() item {
			it := h.Pop()
			key, ok := model[it.id]
			if !ok || key != it.key {
				t.Fatalf("popped %v, which is not in the heap", it)
			}
			delete(model, it.id)
			for _, k := range model {
				if k > it.key {
					t.Fatalf("popped key %d while key %d remains", it.key, k)
				}
			}
			return it
		}

		steps := rapid.IntRange(0, 200).Draw(t, "steps")
		for range steps {
			switch op := rapid.IntRange(0, 9).Draw(t, "op"); {
			case op < 6:
				it := fresh("key")
				h.Push(it)
				model[it.id] = it.key
			case op < 9:
				if h.Len() > 0 {
					popCheck()
				}
			default:
				// Replace the contents, as the drain-and-rebuild pattern does.
				n := rapid.IntRange(0, 30).Draw(t, "n")
				v := make([]item, n)
				clear(model)
				for i := range v {
					v[i] = fresh("initKey")
					model[v[i].id] = v[i].key
				}
				h.Init(v)
			}
			if h.Len() != len(model) {
				t.Fatalf("Len = %d, want %d", h.Len(), len(model))
			}
			checkHeap(t, h.Items())
		}

		// Draining yields keys in non-increasing order and every element.
		prev := 0
		for i := 0; h.Len() > 0; i++ {
			it := popCheck()
			if i > 0 && it.key > prev {
				t.Fatalf("drain not non-increasing: %d after %d", it.key, prev)
			}
			prev = it.key
		}
		if len(model) != 0 {
			t.Fatalf("%d elements never came out", len(model))
		}
	})
}

func BenchmarkPushPop(b *testing.B) {
	const size = 1024
	h := New(func(a, b uint64) bool { return a < b })
	r := &xorshift{0x5DEECE66D}
	for range size {
		h.Push(r.next() % 1000)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.Push(r.next() % 1000)
		h.Pop()
	}
}
