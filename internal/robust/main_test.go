package robust

import (
	"flag"
	"os"
	"strconv"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// long reports whether the heavier runs are asked for (make test-long sets
// STELLARWORK_LONG=1).
func long() bool { return os.Getenv("STELLARWORK_LONG") != "" }

// userChecks reports whether -rapid.checks or RAPID_CHECKS was given;
// it is read before rapidChecks first sets the flag.
var userChecks = sync.OnceValue(func() bool {
	_, explicit := os.LookupEnv("RAPID_CHECKS")
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "rapid.checks" {
			explicit = true
		}
	})
	return explicit
})

// rapidChecks sets rapid's number of cases for the next rapid.Check to
// normal, or heavy in a long run, unless -rapid.checks or RAPID_CHECKS says
// otherwise, and returns the number in force.
func rapidChecks(normal, heavy int) int {
	if !userChecks() {
		n := normal
		if long() {
			n = heavy
		}
		if err := flag.Set("rapid.checks", strconv.Itoa(n)); err != nil {
			panic(err)
		}
	}
	v, _ := strconv.Atoi(flag.Lookup("rapid.checks").Value.String())
	return v
}

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
