package basicwork_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// farCacheApp holds its EnvCache past the first 4 KiB of the value, where
// a read through a nil pointer is not a nil dereference that the runtime
// turns into a panic but a fault that ends the process.
type farCacheApp struct {
	_ [8192]byte
	basicwork.EnvCache
	*testApp
}

// nearCacheApp holds its EnvCache in the first 4 KiB, but not at 0: with
// checkptr on (as under -race), even computing its address from a nil
// pointer ends the process.
type nearCacheApp struct {
	_ [64]byte
	basicwork.EnvCache
	*testApp
}

// offsetProbe holds its BasicWork at a non-zero offset.
type offsetProbe struct {
	_ [3]int
	probe
}

// TestAttack5InitWithTypedNilsPanics: Init with a nil pointer of an
// application type whose EnvCache Init knows the offset of (a work was
// Init'ed with another value of the type), or with a nil pointer as self
// of the work type Init'ed last, must panic, as any other misuse does, so
// that a caller can recover. Reading the EnvCache at its offset from the
// nil pointer, or computing the address of a field from it, killed the
// process instead ("fatal error: fault", or checkptr's "pointer arithmetic
// computed bad pointer value" under -race). The runs that may end the
// process are child processes of the test binary.
func TestAttack5InitWithTypedNilsPanics(t *testing.T) {
	if os.Getenv("ATTACK5_TYPED_NILS") == "1" {
		base, _ := newTestApp(t, nil)
		for _, retries := range []int{basicwork.RetryNever, 1} { // Init's inline case, and init's
			newProbe(&farCacheApp{testApp: base}, "first", basicwork.RetryNever)
			var far *farCacheApp
			require.NotNil(t, recovered(func() { newProbe(far, "far", retries) }))
			newProbe(&nearCacheApp{testApp: base}, "first", basicwork.RetryNever)
			var near *nearCacheApp
			require.NotNil(t, recovered(func() { newProbe(near, "near", retries) }))

			first := &offsetProbe{}
			first.Init(base, "first", basicwork.RetryNever, first)
			var self *offsetProbe
			other := &offsetProbe{}
			require.NotNil(t, recovered(func() { other.Init(base, "nil self", retries, self) }))
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAttack5InitWithTypedNilsPanics$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ATTACK5_TYPED_NILS=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}
