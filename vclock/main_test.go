package vclock_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// long reports whether the heavier versions of the slow tests run: set
// STELLARWORK_LONG=1 (make test-long).
func long() bool { return os.Getenv("STELLARWORK_LONG") != "" }
