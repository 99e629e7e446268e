package main

import (
	"bytes"
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

// TestPrintsTheTrace runs one scenario as the command does: it prints the
// whole trace, which is the file's expected output, joined, as -expected
// prints it. (internal/parity checks every trace against the C++; this
// only checks the command.)
func TestPrintsTheTrace(t *testing.T) {
	file := filepath.Join(testdata, "basicwork", "one-work.txt")
	var out, expected, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{file}, &out, &errOut), errOut.String())
	require.Equal(t, 0, run([]string{"-expected", file}, &expected, &errOut), errOut.String())
	require.Equal(t, expected.String(), out.String())
	require.True(t, strings.HasPrefix(out.String(), "log TRACE Starting work-scheduler\n"), out.String())
	require.True(t, strings.HasSuffix(out.String(), "state work-scheduler: WORK_RUNNING\nstate test-work: WORK_SUCCESS\n"), out.String())
	require.Equal(t, 6, strings.Count(out.String(), "\ncrank "))
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
	require.Equal(t, 2, run([]string{"-frobnicate", "x"}, &out, &errOut))
	require.Equal(t, 1, run([]string{"no/such/file.txt"}, &out, &errOut))
	require.Equal(t, 1, run([]string{"-expected", "no/such/file.txt"}, &out, &errOut))
}
