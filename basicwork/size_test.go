package basicwork

import (
	"testing"
	"unsafe"
)

// TestBasicWorkSize: an idle leaf is one allocation of its outer type, and
// BasicWork is most of it (issue 15, workload e: at most 136 B per idle
// child, of which about 19 B are the parent's slot for it). On a 64-bit
// platform the fields are four two-word values (self, app, name, logCore:
// 64 B), four words (notify, parent, since, ext: 32 B) and two 32-bit
// words (state, slot: 8 B), 104 B in all, so that a leaf with nothing of
// its own fits the 112-byte size class. A field added to BasicWork rather
// than to extra fails this test.
func TestBasicWorkSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are those of a 64-bit platform")
	}
	if got := unsafe.Sizeof(BasicWork{}); got != 104 {
		t.Fatalf("BasicWork is %d bytes, want 104", got)
	}
}
