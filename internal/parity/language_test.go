package parity

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/worktest"
)

// scenario joins directives into a scenario file, each with an empty
// expected output.
func scenario(directives ...string) string {
	var b strings.Builder
	for _, d := range directives {
		b.WriteString(d + "\n----\n\n")
	}
	return b.String()
}

func TestScenarioErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, err string
	}{
		{"no new-app", scenario("crank"), "a scenario starts with new-app"},
		{"new-app twice", scenario("new-app", "new-app"), "new-app comes once"},
		{"unknown command", scenario("new-app", "frobnicate"), `unknown command "frobnicate"`},
		{"unknown kind", scenario("new-app", "schedule gadget g"), `unknown kind of work "gadget"`},
		{"unknown option", scenario("new-app", "schedule basic b colour=red"), "basic does not take colour"},
		{"duplicate name", scenario("new-app", "standalone basic b", "standalone work b"), `a work named "b" already exists`},
		{"unknown work", scenario("new-app", "check nobody isDone"), `no work named "nobody"`},
		{"type mismatch", scenario("new-app", "schedule basic b", "check\nb.runningCount == WORK_SUCCESS"), "cannot compare an integer with a state"},
		{"acting method", scenario("new-app", "schedule basic b", "check b.onAbort()"), "acts on the work"},
		{"bad expression", scenario("new-app", "check\nwm state =="), "unexpected end of expression"},
		{"no finish", scenario("new-app"), "has no finish"},
		{"would block", scenario("new-app", "crank"), worktest.ErrWouldBlock.Error()},
		{"all statements indented", scenario("new-app", "crank-while wm isAborting\n  crank\n  crank"), "unexpected indentation"},
		{"unexpected indentation", scenario("new-app", "crank-while wm isAborting\ncrank\n  crank"), "unexpected indentation"},
		{"else without if", scenario("new-app", "crank-while wm isAborting\nelse\n  crank"), "else without an if"},
		{"empty block", scenario("new-app", "crank-while wm isAborting\nif true"), "has no indented statements"},
		{"after finish", scenario("new-app", "finish", "crank"), "the scenario is finished"},
		{"ambiguous batch", scenario("new-app", "standalone\nbatch b1\nbatch b2", "check numWorksInBatch is 0"), "several batch works (b1, b2)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Run(tc.name, strings.NewReader(tc.src))
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestExpressions(t *testing.T) {
	src := scenario(
		"new-app",
		"standalone\nbasic a steps=2\nbasic b fail\nbatch bw",
		"schedule a",
		"crank-until a is WORK_SUCCESS",
		"check\n"+strings.Join([]string{
			"a.runningCount + 1 == 3",
			"a.steps >= 2 && a.count < 1",
			"!(a is-not WORK_SUCCESS)",
			"a state == WORK_SUCCESS || nobody isDone",
			"b is WORK_RUNNING && !b isAborting",
			"b.successCount",
			"exists(a) && !exists(c)",
			"numWorksInBatch == 0",
			"bw.numWorksInBatch() == 0",
			"wm.allChildrenSuccessful() && work-scheduler.totalChildren == 1",
			"now == 2",
			"scheduleWork(c) != nullptr",
			"a.runningCount > 2",
		}, "\n"),
		"finish",
	)
	trace, env, err := Run("expressions", strings.NewReader(src))
	require.NoError(t, err)
	require.Equal(t, []string{"b.successCount", "a.runningCount > 2"}, env.Failed())
	require.Contains(t, trace, "check a state == WORK_SUCCESS || nobody isDone: ok\n", "|| does not evaluate its right side once the left holds")
	_, ok := env.lookup("c")
	require.False(t, ok, "a work scheduled by scheduleWork() is not tracked")
}

func TestReadDirectivesSkipsExpectedOutput(t *testing.T) {
	src := "# comment\nnew-app \\\n  jitter=high\n----\n----\nline\n\nstill expected\n----\n----\n\ncheck\nwm isAborting\n----\nexpected\n\nfinish\n----\n"
	ds, err := ReadDirectives("f", strings.NewReader(src))
	require.NoError(t, err)
	require.Len(t, ds, 3)
	require.Equal(t, "new-app", ds[0].Cmd)
	require.Equal(t, "jitter=high", ds[0].CmdArgs[0].String())
	require.Equal(t, "f:2", ds[0].Pos)
	require.Equal(t, "check", ds[1].Cmd)
	require.Equal(t, "wm isAborting", ds[1].Input)
	require.Equal(t, "finish", ds[2].Cmd)
}
