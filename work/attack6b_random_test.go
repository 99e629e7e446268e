package work_test

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"testing"
)

// a6bRefusal is the line a run logs when a re-add is refused because the
// tree would loop, or, before the cycle check (9c8ab7a), when the same
// re-add restarted a Work whose children were not all done: the restart's
// reset panicked and the add was undone.
var a6bRefusal = regexp.MustCompile(`(?m)^panic in (readd|add): (basicwork: AddWork of a child: .* so the tree would loop|Work error: .* drops its children while some are not done)$`)

// attack6bRandomDigest is the SHA-256 of a5RunMode's logs (fast paths)
// of seeds 0 to 499, one after the other, each refusal line above made
// "refused <op>", as the tree before the cycle check (9c8ab7a~1) writes
// them. In those seeds the old tree never hung (its one hang in 20,000
// seeds is 13146), and the cycle check changes only which message the
// refused re-add panics with (compared seed by seed on 20,000 seeds; 6
// of these 500 seeds have such a refusal).
const attack6bRandomDigest = "4ecd8b8d286e51cd866aa71cd9eff775342d77dba063e60ca21e6114b499cb67"

// TestAttack6bRandomTreesAsBeforeTheCycleCheck: the cycle check refuses
// only what the tree before it refused too, and the runs go on the same.
func TestAttack6bRandomTreesAsBeforeTheCycleCheck(t *testing.T) {
	h := sha256.New()
	for seed := range uint64(500) {
		h.Write(a6bRefusal.ReplaceAll([]byte(a5RunMode(seed, false, false)), []byte("refused $1")))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != attack6bRandomDigest {
		t.Fatalf("the logs of seeds 0-499 hash to %s, want %s (9c8ab7a~1's)", got, attack6bRandomDigest)
	}
}
