package basicwork

import (
	"iter"
	"math"
	"unsafe"

	"github.com/stellarwork/stellarwork/internal/tree"
)

// The library's other packages reach a work's place in its tree, and the
// checks they make on the works they are handed, through package tree: they
// are not part of this package's API.
func init() {
	tree.Register(&tree.Access[Work, *BasicWork]{
		Base:          func(w Work) *BasicWork { return w.basicWork() },
		Declare:       func(b *BasicWork, c tree.Composite[Work]) { b.more().kids = c },
		DeclareCounts: func(b *BasicWork, n *tree.Counts) { b.more().counts = n },
		Children:      childrenOf,
		Cranks: func(w Work) bool {
			_, ok := w.basicWork().kids().(tree.Cranked[Work])
			return ok
		},
		SetParent: func(child Work, parent *BasicWork, slot int) *BasicWork {
			b := child.basicWork()
			prev := b.parent
			b.setParent(parent, slot)
			return prev
		},
		Adopt: func(child Work, op string, parent *BasicWork, slot int) (*BasicWork, *BasicWork) {
			b := child.basicWork()
			if b.self == nil {
				checkInitOf(child, op) // panics
			}
			b.checkStartable()
			if b.mayLoop(parent) {
				b.walkForCycle(parent, op) // checkNoCycle, its test inlined
			}
			prev := b.parent
			if prev == nil && uint(slot) <= math.MaxInt32 {
				b.parent, b.slot = parent, int32(slot) // setParent, inlined
			} else {
				b.setParent(parent, slot)
			}
			return b, prev
		},
		Release: func(b, parent *BasicWork, slot int) {
			if b.parent == parent && int(b.slot) == slot {
				b.keepNotify()
				b.parent, b.slot = nil, 0
			}
		},
		Renumber: func(b, parent *BasicWork, slot int) {
			if b.parent == parent {
				if uint(slot) <= math.MaxInt32 {
					b.slot = int32(slot) // setParent with the same parent, inlined
				} else {
					b.setParent(parent, slot) // panics
				}
			}
		},
		ParentAt: unsafe.Offsetof(BasicWork{}.parent),
		SlotAt:   unsafe.Offsetof(BasicWork{}.slot),
		Self:     func(b *BasicWork) Work { return b.self },
		Parent: func(child Work) (*BasicWork, int) {
			b := child.basicWork()
			return b.parent, int(b.slot)
		},
		StartChild:     startChild,
		StartAdded:     startAdded,
		Shutdown:       shutdownChild,
		CheckStartable: checkStartable,
		CheckInit:      checkInitOf,
		CheckFinal:     checkFinal,
		Invariant:      func(name, format string, args ...any) error { return invariant(name, format, args...) },
	})
}

// noChildren is the children of a leaf.
func noChildren(func(Work) bool) {}

// childrenOf yields the children that w's composite declared, or nothing.
func childrenOf(w Work) iter.Seq[Work] {
	if k := w.basicWork().kids(); k != nil {
		return k.Children()
	}
	return noChildren
}

// PathOf returns the names from the root of w's tree down to w, joined by
// "/". The parents are the composites that registered themselves as w's
// parent when they started it: the Works, sequences and conditional works
// that hold w.
//
// The cost is linear in the depth: one walk up the tree measures the path,
// a second writes the names into it from the end (putting each name in
// front of the path so far made it quadratic: 46 s at depth 100,000).
func PathOf(w Work) string {
	first := w.basicWork().parent
	if first == nil {
		return w.Name()
	}
	n := len(w.Name())
	for p := first; p != nil; p = p.parent {
		n += 1 + len(p.self.Name())
	}
	b := make([]byte, n)
	put := func(name string) {
		n -= len(name)
		copy(b[n:], name)
	}
	put(w.Name())
	for p := first; p != nil; p = p.parent {
		n--
		b[n] = '/'
		put(p.self.Name())
	}
	return string(b)
}
