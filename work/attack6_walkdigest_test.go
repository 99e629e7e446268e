package work_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// attack6WalkDigest is the SHA-256 of the logs of a6WalkRun's seeds 0 to
// 39, one after the other, as the tree at fbc294f writes them: before the
// walk's commits of issue 15 (the done children dropped in locals, the
// compaction that moves a run of children without renumbering them, the
// bitmap's words kept in a local, OnRun's early return). Nothing
// observable was to change, so the tree must still write them byte for
// byte. (600 seeds were compared one by one against fbc294f.)
const attack6WalkDigest = "2272b627de31384a5a79fc6120a26d787e90df1f4c2787ab1a0ec80fd410e7fc"

// TestAttack6WalkAsBefore plays random runs of Works with hundreds of
// children (a6WalkRun), half of them with children that end in the order
// they were added (so that the compaction moves runs of them), and
// requires the round robin's order, each Work's counts and children after
// every step to be those of the tree before the walk's commits.
func TestAttack6WalkAsBefore(t *testing.T) {
	h := sha256.New()
	for seed := range uint64(40) {
		h.Write([]byte(a6WalkRun(seed)))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != attack6WalkDigest {
		t.Fatalf("the logs of seeds 0-39 hash to %s, want %s (fbc294f's)", got, attack6WalkDigest)
	}
}
