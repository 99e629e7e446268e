package scheduler_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// attack6CrankDigest is the SHA-256 of the logs of a6Run's seeds 0 to 99,
// one after the other, as the tree at fbc294f writes them: before the crank
// machinery's commits of issue 15 (a virtual clock's Crank without a
// deferred function, the bookkeeping that hands a panic to unwind, RunOne's
// Moved, the ready state after the Self's move). Nothing observable was to
// change, so the tree must still write them byte for byte. (4,000 seeds
// were compared one by one against fbc294f; these 100 keep the run short.)
const attack6CrankDigest = "5bc3775ecc7043d1df5d095cacc10b6c4ba82c2997235cc8a9580a9a23e0042f"

// TestAttack6CrankMachineryAsBefore plays random runs of the crank
// machinery (a6Run: two WorkSchedulers on one virtual clock, their trees
// panicking in hooks, actions that panic, post, arm timers, sleep, shut
// the clock down, in the schedulers' own queue and others) and requires
// that a Crank after a recovered panic is never refused as a second crank
// (the clock was given back), and that the logs, with each crank's
// progress and the order of every action and transition, are those of the
// tree before the crank commits (attack6CrankDigest).
func TestAttack6CrankMachineryAsBefore(t *testing.T) {
	h := sha256.New()
	for seed := range uint64(100) {
		log := a6Run(seed)
		if i := strings.Index(log, "CRANK MISUSE"); i >= 0 {
			t.Fatalf("seed %d: a crank refused after a recovered panic: %s", seed, log[i:i+strings.IndexByte(log[i:], '\n')])
		}
		h.Write([]byte(log))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != attack6CrankDigest {
		t.Fatalf("the logs of seeds 0-99 hash to %s, want %s (fbc294f's)", got, attack6CrankDigest)
	}
}
