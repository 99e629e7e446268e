package vclock

import (
	"time"
	"unsafe"
)

// eventEntry is one slot of the event queue: the sort key (the event's
// expiry, then its seq) and ref, which names the event (see Clock.eventAt).
// The entry holds no pointer: the sifts of a queue of a million timers move
// entries about twenty times per push and pop, and a pointer in each move
// would pay the collector's write barrier while it marks, and make it scan
// the whole array; comparing entries never follows a pointer either.
type eventEntry struct {
	when time.Duration
	seq  uint32
	ref  uint32
}

// entryLess orders entries for the max-heap: the earliest expiry, then the
// lowest seq, compares highest.
//
// Expiries differ in the common case, so the seq comparison sits behind a
// well-predicted test and the expiry comparison compiles to a flag, not a
// branch: choosing between two children of a big heap is a coin toss that
// a branch predictor loses half the time.
func entryLess(a, b *eventEntry) bool {
	less := a.when > b.when
	if a.when == b.when {
		less = a.seq > b.seq
	}
	return less
}

// eventHeap is the clock's timer queue. It is internal/stdheap's algorithm,
// move for move (libstdc++'s push_heap, pop_heap and make_heap), written out
// for eventEntry so that the comparison inlines: the generic heap calls its
// comparison through a function value, which made arming and firing a timer
// about twice as slow. eventheap_test.go checks that both heaps lay out
// every sequence of operations identically.
type eventHeap struct {
	data []eventEntry
}

func (h *eventHeap) Len() int { return len(h.data) }

// top returns the earliest entry; the heap must not be empty.
func (h *eventHeap) top() *eventEntry { return &h.data[0] }

// push queues e.
func (h *eventHeap) push(e eventEntry) {
	if len(h.data) == cap(h.data) {
		h.data = grow(h.data)
	}
	// Appending in place writes only the length: storing the whole slice
	// header would pay the collector's write barrier on every push while
	// it marks.
	h.data = append(h.data, e)
	h.siftUp(len(h.data)-1, 0, e)
}

// at returns the entry in slot i of the heap's array.
func (h *eventHeap) at(i int) eventEntry { return h.data[i] }

// rebuild drains the heap in order and makes it anew, as make_heap does,
// from the entries keep accepts.
func (h *eventHeap) rebuild(keep func(eventEntry) bool) {
	kept := make([]eventEntry, 0, len(h.data))
	for len(h.data) > 0 {
		if e := h.pop(); keep(e) {
			kept = append(kept, e)
		}
	}
	h.init(kept)
}

// pop removes the earliest entry and returns it; the heap must not be empty.
func (h *eventHeap) pop() eventEntry {
	n := len(h.data)
	top := h.data[0]
	last := n - 1
	if last > 0 {
		moved := h.data[last]
		h.data[last] = h.data[0]
		h.adjust(0, last, moved)
	}
	h.data = h.data[:last] // entries hold no pointer: nothing to clear
	return top
}

func (h *eventHeap) init(items []eventEntry) {
	h.data = items
	n := len(items)
	if n < 2 {
		return
	}
	for parent := (n - 2) / 2; ; parent-- {
		h.adjust(parent, n, h.data[parent])
		if parent == 0 {
			return
		}
	}
}

// adjust is libstdc++'s __adjust_heap: it walks the hole at hole down to a
// leaf of the first n entries, always to the higher child, then sifts value
// up from there, no higher than hole.
func (h *eventHeap) adjust(hole, n int, value eventEntry) {
	d := h.data[:n]
	top := hole
	child := walkDown(d, hole, (n-1)/2)
	hole = child
	if n&1 == 0 && child == (n-2)/2 {
		child = 2 * (child + 1)
		d[hole] = d[child-1]
		hole = child - 1
	}
	h.siftUp(hole, top, value)
}

// walkDown moves the hole at hole down while it has two children, the
// first half entries, each time filling it with the higher child (the
// right one unless it compares lower than the left), and returns where
// the hole stopped.
//
// It is the hot loop of a pop, about twenty levels at a million timers,
// and a function of its own so that its few variables stay in registers.
// It chooses between the children with a flag, not a branch, and walks
// by byte offsets into d without bounds checks: the one check before the
// loop covers every entry it reads, since a hole above half has both its
// children at or below 2*half, which is below len(d) when half is at
// most (len(d)-1)/2. That saves about a third of the loop's instructions.
func walkDown(d []eventEntry, hole, half int) int {
	const size = unsafe.Sizeof(eventEntry{})
	if hole >= half {
		_ = d[hole]
		return hole
	}
	_ = d[2*half] // the deepest child the loop reads; hole >= 0 below
	base := unsafe.Pointer(unsafe.SliceData(d))
	at := &d[hole]
	off, end := uintptr(hole)*size, uintptr(half)*size
	for off < end {
		off = 2*off + 2*size // the right child
		next := (*eventEntry)(unsafe.Add(base, off))
		left := (*eventEntry)(unsafe.Add(base, off-size))
		lower := entryLess(next, left)
		if lower {
			next = left
		}
		off -= uintptr(b2i(lower)) * size
		*at = *next
		at = next
	}
	return int(off / size)
}

func (h *eventHeap) siftUp(hole, top int, value eventEntry) {
	d := h.data
	parent := (hole - 1) / 2
	for hole > top && entryLess(&d[parent], &value) {
		d[hole] = d[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	d[hole] = value
}

// b2i is 1 for true and 0 for false, without a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// grow returns s with room for one more element, doubling its capacity when
// it is full. append grows big slices by a quarter at a time, which for a
// queue of a million timers means copying it about five times over and
// leaving that much garbage for the collector; doubling, as a C++ vector
// does, copies it at most twice.
func grow[T any](s []T) []T {
	if len(s) < cap(s) {
		return s
	}
	bigger := make([]T, len(s), max(2*cap(s), 64))
	copy(bigger, s)
	return bigger
}
