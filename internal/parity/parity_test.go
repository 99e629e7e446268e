package parity

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"
)

// tracesDir holds the traces recorded from the C++ work code, copied from
// the project's shared/parity/traces. They are compared byte for byte and
// are never rewritten.
const tracesDir = "testdata/traces"

// runScenario runs one scenario file with datadriven (which compares, or
// with -rewrite rewrites, each directive's expected output) and returns its
// environment.
func runScenario(t *testing.T, path string) *Env {
	t.Helper()
	env := NewEnv()
	datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
		out, err := env.Handle(d)
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
	require.True(t, env.Finished(), "%s has no finish", path)
	return env
}

// parityNames lists the traces, as <group>/<name>.
func parityNames(t *testing.T) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(tracesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(tracesDir, p)
		names = append(names, strings.TrimSuffix(filepath.ToSlash(rel), ".txt"))
		return err
	})
	require.NoError(t, err)
	return names
}

// TestParityTraces runs the 28 scenarios and requires each whole trace to
// equal, byte for byte, the trace recorded from stellar-core's C++.
func TestParityTraces(t *testing.T) {
	names := parityNames(t)
	require.Len(t, names, 28)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			env := runScenario(t, filepath.Join("testdata", name+".txt"))
			want, err := os.ReadFile(filepath.Join(tracesDir, name+".txt"))
			require.NoError(t, err)
			if got := env.Trace(); got != string(want) {
				t.Fatalf("the trace differs from the C++ trace %s:\n%s", name, firstDifference(got, string(want)))
			}
			require.Empty(t, env.Failed())
		})
	}
}

// TestEveryScenarioHasATrace keeps the scenario folders and the traces in
// step: every scenario outside extra/ reproduces a C++ trace.
func TestEveryScenarioHasATrace(t *testing.T) {
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == tracesDir || p == "testdata/extra" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel("testdata", p)
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(tracesDir, rel)); err != nil {
			t.Errorf("scenario %s has no C++ trace", p)
		}
		return nil
	})
	require.NoError(t, err)
}

// TestExtraScenarios runs the scenarios of testdata/extra, which have no
// C++ trace: datadriven compares their output. Every check in them holds,
// but in those named false-*.txt.
func TestExtraScenarios(t *testing.T) {
	datadriven.Walk(t, "testdata/extra", func(t *testing.T, path string) {
		env := runScenario(t, path)
		if !strings.HasPrefix(filepath.Base(path), "false-") {
			require.Empty(t, env.Failed())
		}
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

// firstDifference describes where two traces part.
func firstDifference(got, want string) string {
	g, w := strings.SplitAfter(got, "\n"), strings.SplitAfter(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  got:  %q\n  want: %q", i+1, gl, wl)
		}
	}
	return "(no difference)"
}
