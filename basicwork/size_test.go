package basicwork

import (
	"testing"
	"unsafe"
)

// TestBasicWorkSize: an idle leaf is one allocation of its outer type, and
// BasicWork is most of it (issue 15, workload e: at most 136 B per idle
// child, of which about 19 B are the parent's slot for it). On a 64-bit
// platform the fields are two two-word values (self, name: 32 B), six
// words (env, notify, parent, since, ext: 40 B) and two 32-bit words
// (state, slot: 8 B), 80 B in all, the 80-byte size class: a leaf with
// nothing of its own costs 80 B, and one with up to 16 B of its own 96 B.
// A field added to BasicWork rather than to extra (or to appEnv, for what
// the works of an application share) fails this test.
func TestBasicWorkSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are those of a 64-bit platform")
	}
	if got := unsafe.Sizeof(BasicWork{}); got != 80 {
		t.Fatalf("BasicWork is %d bytes, want 80", got)
	}
}
