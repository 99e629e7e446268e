package work

// ForceFullScan makes w walk all its children at each step, as the C++
// does, instead of jumping between the active ones. Tests compare the two.
func ForceFullScan(w *Work) { w.kids.scanAll = true }

// FullScan reports whether w walks all its children.
func FullScan(w *Work) bool { return w.kids.scanAll }

// Slots returns how many slots w's children occupy.
func Slots(w *Work) int { return len(w.kids.slots) }

// ReleaseInPlace and RenumberInPlace are what the walk and the compaction
// use instead of tree.Release and tree.Renumber (children.go).
var (
	ReleaseInPlace  = release
	RenumberInPlace = renumber
)

// SetShiftCompaction turns the compaction that moves a run of children
// without renumbering them on or off, and returns a function that puts it
// back.
func SetShiftCompaction(on bool) (restore func()) {
	old := shiftCompaction
	shiftCompaction = on
	return func() { shiftCompaction = old }
}

// SetMaxSlot lowers the slot number past which AddWork renumbers the
// children, and returns a function that puts it back.
func SetMaxSlot(n int) (restore func()) {
	old := maxSlot
	maxSlot = n
	return func() { maxSlot = old }
}

// CheckSlots returns an error if w's record of its children disagrees with
// its slots (see checkSlots).
func CheckSlots(w *Work) error { return w.kids.checkSlots(&w.BasicWork) }

// SlotNumbers returns the slot numbers under which the children w holds
// are registered at w.
func SlotNumbers(w *Work) []int {
	var out []int
	for _, b := range w.kids.slots {
		if b == nil {
			continue
		}
		if p, s := tree.Parent(tree.Self(b)); p == &w.BasicWork {
			out = append(out, s)
		}
	}
	return out
}

// Base returns the slot number of w's first slot (children.base).
func Base(w *Work) int { return w.kids.base }
