package work_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
	"github.com/stellarwork/stellarwork/work"
)

// TestReleaseAndRenumberInPlaceMatchTheTree: the walk and the compaction
// read and write a child's registered parent and slot in place, at the
// offsets basicwork gives (tree.Access.ParentAt, SlotAt), instead of
// calling tree.Release and tree.Renumber. For every registration (none,
// either of two parents, three slots) and every call (either parent, three
// slots, and for renumber a slot past an int32, which must panic as
// tree.Renumber does), a twin child handled by the tree's functions must
// end registered where the child handled in place is. A wrong offset, or a
// test of the parent or of the slot left out, makes them differ.
func TestReleaseAndRenumberInPlaceMatchTheTree(t *testing.T) {
	tree := itree.Get[basicwork.Work, *basicwork.BasicWork]()
	app := newApp()
	parents := []*basicwork.BasicWork{nil, baseOf(newWaitForever(app, "p1")), baseOf(newWaitForever(app, "p2"))}
	slots := []int{0, 1, 7}
	type op struct {
		name            string
		inPlace, byTree func(b, parent *basicwork.BasicWork, slot int)
		slots           []int
	}
	ops := []op{
		{"release", work.ReleaseInPlace, tree.Release, slots},
		{"renumber", work.RenumberInPlace, tree.Renumber, append(slots[:len(slots):len(slots)], math.MaxInt32, math.MaxInt32+1)},
	}
	// try returns the registration after f, or what f panicked with.
	try := func(f func(), w basicwork.Work) (res string) {
		defer func() {
			if r := recover(); r != nil {
				res = fmt.Sprint("panic: ", r)
			}
		}()
		f()
		p, s := tree.Parent(w)
		return fmt.Sprintf("%p %d", p, s)
	}
	for _, o := range ops {
		for rp, reg := range parents {
			for _, rs := range slots {
				if reg == nil && rs != 0 {
					continue
				}
				for q := 1; q < len(parents); q++ {
					for _, i := range o.slots {
						a, b := newWaitForever(app, "a"), newWaitForever(app, "b")
						if reg != nil {
							tree.SetParent(a, reg, rs)
							tree.SetParent(b, reg, rs)
						}
						got := try(func() { o.inPlace(baseOf(a), parents[q], i) }, a)
						want := try(func() { o.byTree(baseOf(b), parents[q], i) }, b)
						// The panic message names the child; they differ only in name.
						if got != want && fmt.Sprint(got) != replaceName(want) {
							t.Errorf("%s(parent %d, slot %d) of a child registered at parent %d, slot %d: in place %q, tree %q",
								o.name, q, i, rp, rs, got, want)
						}
					}
				}
			}
		}
	}
}

// replaceName turns the twin's name in a panic message into the child's.
func replaceName(s string) string {
	out := []byte(s)
	for i := 0; i+2 < len(out); i++ {
		if out[i] == '"' && out[i+1] == 'b' && out[i+2] == '"' {
			out[i+1] = 'a'
		}
	}
	return string(out)
}
