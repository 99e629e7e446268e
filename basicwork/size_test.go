package basicwork

import (
	"testing"
	"unsafe"
)

// TestBasicWorkSize: an idle leaf is one allocation of its outer type, and
// BasicWork is most of it (issue 15, workload e: at most 136 B per idle
// child, of which about 19 B are the parent's slot for it). On a 64-bit
// platform the fields are two two-word values (self, name: 32 B), four
// words (env, parent, since, ext: 32 B) and two 32-bit words (state,
// slot: 8 B), 72 B in all, in the 80-byte size class: a leaf with
// nothing of its own costs 80 B, and one with up to 8 B of its own too.
// (The notify callback was a field, 80 B in all, until notifyParent.)
// A field added to BasicWork rather than to extra (or to appEnv, for what
// the works of an application share) fails this test.
func TestBasicWorkSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are those of a 64-bit platform")
	}
	if got := unsafe.Sizeof(BasicWork{}); got != 72 {
		t.Fatalf("BasicWork is %d bytes, want 72", got)
	}
}
