package scenario_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/worktest/scenario"
)

// recordingTB is a testing.TB that records its failures instead of
// failing the test, so that a test can check that Language.Test fails.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.TB.Fatalf("unexpected Fatalf: "+format, args...)
}

func (r *recordingTB) Fatal(args ...any) { r.TB.Fatal(append([]any{"unexpected Fatal: "}, args...)...) }

// TestFailedCheckFailsTest: a check that prints FAILED fails Language.Test,
// with the directive's position and the check's label, also under
// -rewrite (the output matches the file, so the failure can only come from
// the check). Before, the test passed, and -rewrite recorded the FAILED
// line for good. Declared with TestExpectingFailures, the same file
// passes, and a declared check that holds, or a missing declaration, fails.
func TestFailedCheckFailsTest(t *testing.T) {
	const path = "testdata/false-check.txt"
	l := scenario.New()

	r := &recordingTB{TB: t}
	e := l.Test(r, path)
	require.Equal(t, []string{"wm state == WORK_FAILURE"}, e.Failed())
	require.Len(t, r.errors, 1)
	require.Contains(t, r.errors[0], path+":")
	require.Contains(t, r.errors[0], "check wm state == WORK_FAILURE: FAILED")

	r = &recordingTB{TB: t}
	l.TestExpectingFailures(r, path, "wm state == WORK_FAILURE")
	require.Empty(t, r.errors)

	r = &recordingTB{TB: t}
	l.TestExpectingFailures(r, path, "wm state == WORK_WAITING", "wm state == WORK_FAILURE")
	require.Len(t, r.errors, 1, "a declared failure that did not happen fails")
	require.Contains(t, r.errors[0], "want exactly")
}
