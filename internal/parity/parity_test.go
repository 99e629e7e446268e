package parity

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/worktest/scenario"
)

// cppSums holds the SHA-256 of each trace recorded from stellar-core's C++
// work code, as sha256sum writes them, by <group>/<name>.txt. The traces
// themselves are the expected outputs of the scenario files: the sums make
// sure that no -rewrite ever changes them.
const cppSums = "testdata/cpp-traces.sha256"

// readSums reads cppSums.
func readSums(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(cppSums)
	require.NoError(t, err)
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		require.True(t, ok, "bad line %q", sc.Text())
		sums[name] = sum
	}
	require.NoError(t, sc.Err())
	return sums
}

// TestParityTraces runs the 28 scenarios that reproduce the C++ traces.
// Each directive's output must equal the expected output under it
// (datadriven; -rewrite rewrites them), every check must hold, and the
// expected outputs of each file, joined, must be the C++ trace: their
// SHA-256 is the one recorded for it, which -rewrite never touches.
func TestParityTraces(t *testing.T) {
	sums := readSums(t)
	require.Len(t, sums, 28)
	lang := Language()
	for name, sum := range sums {
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			path := filepath.Join("testdata", name)
			env := lang.Test(t, path)
			require.Empty(t, env.Failed(), "checks that failed")
			got := sha256.Sum256([]byte(expectedTrace(t, path)))
			require.Equal(t, sum, hex.EncodeToString(got[:]),
				"the expected outputs of %s, joined, are no longer the C++ trace", path)
		})
	}
}

// expectedTrace joins the expected outputs recorded in a scenario file.
func expectedTrace(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	ds, err := scenario.ReadDirectives(path, f)
	require.NoError(t, err)
	return scenario.Expected(ds)
}

// TestEveryScenarioHasATrace keeps the scenario folders and the sums in
// step: every scenario outside extra/ reproduces a C++ trace.
func TestEveryScenarioHasATrace(t *testing.T) {
	sums := readSums(t)
	files, err := filepath.Glob("testdata/*/*.txt")
	require.NoError(t, err)
	for _, p := range files {
		rel := strings.TrimPrefix(filepath.ToSlash(p), "testdata/")
		if strings.HasPrefix(rel, "extra/") {
			continue
		}
		if _, ok := sums[rel]; !ok {
			t.Errorf("scenario %s has no C++ trace", p)
		}
	}
}

// TestExtraScenarios runs the scenarios of testdata/extra, which have no
// C++ trace: datadriven compares their output. Every check in them holds,
// but those that a false-*.txt file declares in expectedFailures.
func TestExtraScenarios(t *testing.T) {
	expectedFailures := map[string][]string{
		"false-check.txt": {"test-work.runningCount == 4", "test-work state == WORK_FAILURE"},
	}
	lang := Language()
	datadriven.Walk(t, "testdata/extra", func(t *testing.T, path string) {
		if labels, ok := expectedFailures[filepath.Base(path)]; ok {
			lang.TestExpectingFailures(t, path, labels...)
			return
		}
		require.Empty(t, lang.Test(t, path).Failed())
	})
}

// TestFalseCheckPrintsFAILED proves that checks are evaluated: a scenario
// whose check does not hold writes FAILED for it, and ok for the others.
func TestFalseCheckPrintsFAILED(t *testing.T) {
	trace, env, err := RunFile("testdata/extra/false-check.txt")
	require.NoError(t, err)
	require.Contains(t, trace, "check test-work.runningCount == 4: FAILED\n")
	require.Contains(t, trace, "check test-work.runningCount == 3: ok\n")
	require.Equal(t, []string{"test-work.runningCount == 4", "test-work state == WORK_FAILURE"}, env.Failed())
	require.Equal(t, 2, strings.Count(trace, ": FAILED\n"))
}
