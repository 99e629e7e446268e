// Package stdheap is a binary max-heap whose element layout follows, move for
// move, the heap algorithms of GCC's C++ standard library (libstdc++):
// std::push_heap, std::pop_heap and std::make_heap, as std::priority_queue
// uses them.
//
// Why not container/heap: elements that compare equal leave the heap in an
// order fixed only by where they sit in the array, and that placement depends
// on the exact sift algorithm. stellar-core's clock fires timers that are due
// at the same instant in whatever order its std::priority_queue yields them,
// and that order is visible in the parity traces. container/heap uses a
// different sift-down (it stops early and prefers the left child on ties), so
// it yields ties in another order. This package reproduces libstdc++:
//
//   - Push appends and sifts the new element up while its parent compares
//     lower;
//   - Pop moves the last element out, walks the hole from the root down to a
//     leaf always taking the higher child (the right one unless it compares
//     lower than the left one), then sifts the moved element up from there;
//   - Init runs that same hole-down-then-up adjustment for every parent, from
//     the last parent to the root.
//
// "Higher" means "not lower" under less; Top is an element that no other
// element compares higher than, as std::priority_queue::top.
package stdheap

// Heap is a max-heap under less. The zero value is not usable: build it with
// New. It is not safe for concurrent use.
type Heap[T any] struct {
	data []T
	less func(a, b T) bool
}

// New returns an empty heap ordered by less: Top is the element that compares
// highest.
func New[T any](less func(a, b T) bool) *Heap[T] {
	if less == nil {
		panic("stdheap: nil less function")
	}
	return &Heap[T]{less: less}
}

// Len returns the number of elements.
func (h *Heap[T]) Len() int { return len(h.data) }

// Top returns the highest element. It panics on an empty heap.
func (h *Heap[T]) Top() T {
	if len(h.data) == 0 {
		panic("stdheap: Top of an empty heap")
	}
	return h.data[0]
}

// Push adds x, as std::push_heap after a push_back.
func (h *Heap[T]) Push(x T) {
	h.data = append(h.data, x)
	if n := len(h.data); n > 1 { // one element is a heap as it stands
		h.siftUp(n-1, 0, x)
	}
}

// Pop removes and returns the highest element, as std::pop_heap followed by
// pop_back. It panics on an empty heap.
func (h *Heap[T]) Pop() T {
	if len(h.data) == 1 {
		// The common case of a heap of one, without pop's call.
		top := h.data[0]
		var zero T
		h.data[0] = zero
		h.data = h.data[:0]
		return top
	}
	return h.pop()
}

// pop is Pop of a heap that does not hold exactly one element.
func (h *Heap[T]) pop() T {
	n := len(h.data)
	if n == 0 {
		panic("stdheap: Pop of an empty heap")
	}
	top := h.data[0]
	last := n - 1
	if last > 0 {
		moved := h.data[last]
		h.data[last] = h.data[0]
		h.adjust(0, last, moved)
	}
	var zero T
	h.data[last] = zero // drop the reference so the GC can reclaim it
	h.data = h.data[:last]
	return top
}

// Init replaces the contents with items and arranges them as std::make_heap
// does. The heap takes ownership of the slice.
func (h *Heap[T]) Init(items []T) {
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

// Clear removes every element, keeping the allocated storage.
func (h *Heap[T]) Clear() {
	clear(h.data)
	h.data = h.data[:0]
}

// Items returns the elements in heap-array order. The slice is the heap's
// own storage: read it, do not keep or change it.
func (h *Heap[T]) Items() []T { return h.data }

// adjust is libstdc++'s __adjust_heap over data[:n]: the hole at hole moves
// down to a leaf along the higher children, then value sifts up from there
// (no higher than top).
func (h *Heap[T]) adjust(hole, n int, value T) {
	d := h.data
	top := hole
	child := hole
	for child < (n-1)/2 {
		child = 2 * (child + 1)
		if h.less(d[child], d[child-1]) {
			child--
		}
		d[hole] = d[child]
		hole = child
	}
	if n&1 == 0 && child == (n-2)/2 {
		child = 2 * (child + 1)
		d[hole] = d[child-1]
		hole = child - 1
	}
	h.siftUp(hole, top, value)
}

// siftUp is libstdc++'s __push_heap: value moves up from hole while its parent
// compares lower than it, never above top.
func (h *Heap[T]) siftUp(hole, top int, value T) {
	d := h.data
	parent := (hole - 1) / 2
	for hole > top && h.less(d[parent], value) {
		d[hole] = d[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	d[hole] = value
}
