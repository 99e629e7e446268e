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
