package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const testdata = "../../internal/parity/testdata"

// TestPrintsTheCppTraces runs every parity scenario as the command does and
// compares its output with the C++ trace.
func TestPrintsTheCppTraces(t *testing.T) {
	traces, err := filepath.Glob(filepath.Join(testdata, "traces", "*", "*.txt"))
	require.NoError(t, err)
	require.Len(t, traces, 28)
	for _, tr := range traces {
		rel, err := filepath.Rel(filepath.Join(testdata, "traces"), tr)
		require.NoError(t, err)
		t.Run(rel, func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.Equal(t, 0, run([]string{filepath.Join(testdata, rel)}, &out, &errOut), errOut.String())
			want, err := os.ReadFile(tr)
			require.NoError(t, err)
			require.Equal(t, string(want), out.String())
		})
	}
}

func TestFailedCheckExitsOne(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 1, run([]string{filepath.Join(testdata, "extra", "false-check.txt")}, &out, &errOut))
	require.Contains(t, out.String(), ": FAILED\n")
	require.Contains(t, errOut.String(), "2 check(s) FAILED")
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 2, run(nil, &out, &errOut))
	require.True(t, strings.HasPrefix(errOut.String(), "usage:"))
	require.Equal(t, 1, run([]string{"no/such/file.txt"}, &out, &errOut))
}
