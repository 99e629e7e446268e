package scenario_test

import (
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/parity"
	"github.com/stellarwork/stellarwork/worktest"
	"github.com/stellarwork/stellarwork/worktest/scenario"
)

// scenarioSrc joins directives into a scenario file, each with an empty
// expected output.
func scenarioSrc(directives ...string) string {
	var b strings.Builder
	for _, d := range directives {
		b.WriteString(d + "\n----\n\n")
	}
	return b.String()
}

// run runs a scenario of the parity language (the library's test works).
func run(t *testing.T, directives ...string) (string, *scenario.Env) {
	t.Helper()
	trace, env, err := parity.Language().Run(t.Name(), strings.NewReader(scenarioSrc(directives...)))
	require.NoError(t, err, trace)
	return trace, env
}

// lines returns the lines of trace that start with prefix.
func lines(trace, prefix string) []string {
	var out []string
	for _, l := range strings.Split(trace, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

func TestScenarioErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, err string
	}{
		{"no new-app", scenarioSrc("crank"), "a scenario starts with new-app"},
		{"new-app twice", scenarioSrc("new-app", "new-app"), "new-app comes once"},
		{"unknown command", scenarioSrc("new-app", "frobnicate"), `unknown command "frobnicate"`},
		{"unknown kind", scenarioSrc("new-app", "schedule gadget g"), `unknown kind of work "gadget"`},
		{"unknown option", scenarioSrc("new-app", "schedule basic b colour=red"), "basic does not take colour"},
		{"duplicate name", scenarioSrc("new-app", "standalone basic b", "standalone work b"), `a work named "b" already exists`},
		{"unknown work", scenarioSrc("new-app", "check nobody isDone"), `no work named "nobody"`},
		{"type mismatch", scenarioSrc("new-app", "schedule basic b", "check\nb.runningCount == WORK_SUCCESS"), "cannot compare an integer with a state"},
		{"prefix of an integer", scenarioSrc("new-app", "schedule basic b", "check\nb.runningCount has-prefix \"1\""), "cannot compare an integer with a string"},
		{"acting method", scenarioSrc("new-app", "schedule basic b", "check b.onAbort()"), "acts on the work"},
		{"bad expression", scenarioSrc("new-app", "check\nwm state =="), "unexpected end of expression"},
		{"unknown function", scenarioSrc("new-app", "check\nfrob(wm)"), "unknown function frob"},
		{"unterminated string", scenarioSrc("new-app", "check\nwm status == \"Running"), "unterminated string"},
		{"label without expression", scenarioSrc("new-app", "check\n\"just a label\""), "empty expression"},
		{"note without text", scenarioSrc("new-app", "note"), "needs a text"},
		{"note with an open brace", scenarioSrc("new-app", "note\nat {now"), "{ has no }"},
		{"note with a bad expression", scenarioSrc("new-app", "note\nat {nobody status}"), `no work named "nobody"`},
		{"no finish", scenarioSrc("new-app"), "has no finish"},
		{"would block", scenarioSrc("new-app", "crank"), worktest.ErrWouldBlock.Error()},
		{"all statements indented", scenarioSrc("new-app", "crank-while wm isAborting\n  crank\n  crank"), "unexpected indentation"},
		{"unexpected indentation", scenarioSrc("new-app", "crank-while wm isAborting\ncrank\n  crank"), "unexpected indentation"},
		{"else without if", scenarioSrc("new-app", "crank-while wm isAborting\nelse\n  crank"), "else without an if"},
		{"empty block", scenarioSrc("new-app", "crank-while wm isAborting\nif true"), "has no indented statements"},
		{"after finish", scenarioSrc("new-app", "finish", "crank"), "the scenario is finished"},
		{"ambiguous batch", scenarioSrc("new-app", "standalone\nbatch b1\nbatch b2", "check numWorksInBatch is 0"), "several batch works (b1, b2)"},
		{"method argument", scenarioSrc("new-app", "schedule always-fail af", "check\naf.attemptTime(true) == 0"), "argument 1 must be an integer"},
		{"condition note", scenarioSrc("new-app", "standalone basic a", "schedule conditional c work=a when=true note=(at {nobody status})", "crank 3"), `no work named "nobody"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parity.Language().Run(tc.name, strings.NewReader(tc.src))
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestExpressions(t *testing.T) {
	trace, env := run(t,
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
	require.Equal(t, []string{"b.successCount", "a.runningCount > 2"}, env.Failed())
	require.Contains(t, trace, "check a state == WORK_SUCCESS || nobody isDone: ok\n", "|| does not evaluate its right side once the left holds")
	_, err := env.Work("c")
	require.Error(t, err, "a work scheduled by scheduleWork() is not tracked")
}

// TestOutputPerDirective: each directive outputs what it wrote into the
// trace, and the outputs joined are the whole trace.
func TestOutputPerDirective(t *testing.T) {
	env := parity.Language().NewEnv()
	var outs []string
	src := scenarioSrc("new-app", "schedule basic w steps=1", "crank", "check w.runningCount is 1", "finish")
	ds, err := scenario.ReadDirectives("f", strings.NewReader(src))
	require.NoError(t, err)
	for _, d := range ds {
		out, err := env.Handle(d)
		require.NoError(t, err)
		outs = append(outs, out)
	}
	require.Equal(t, env.Trace(), strings.Join(outs, ""))
	require.True(t, strings.HasPrefix(outs[0], "log TRACE Starting work-scheduler\n"))
	require.True(t, strings.HasPrefix(outs[1], "log TRACE Starting w\nlog TRACE resetting w\n"), outs[1])
	require.Equal(t, "crank 1 progress=2 t=0\nstatus work-scheduler: Running: work-scheduler : 0/1 children completed\nstatus w: Running: w\n", outs[2])
	require.Equal(t, "check w.runningCount is 1: FAILED\n", outs[3])
	require.Equal(t, "state work-scheduler: WORK_RUNNING\nstate w: WORK_RUNNING\n", outs[4])
}

// TestNotes: a note writes its text with each {expression} replaced by its
// value, a work's status text among them.
func TestNotes(t *testing.T) {
	trace, _ := run(t,
		"new-app",
		"schedule basic w steps=2",
		"note\nbefore: {w status} at t={now}, {w.runningCount} runs, done={w isDone}, {w state}, {{braces}}",
		"crank-while !w isDone\nnote after crank: {w status}",
		"finish",
	)
	require.Equal(t, []string{
		"note before: Running: w at t=0, 0 runs, done=false, WORK_RUNNING, {braces}",
		"note after crank: Running: w",
		"note after crank: Running: w",
		"note after crank: Running: w",
		"note after crank: Succeeded: w",
	}, lines(trace, "note "))
}

// TestLabelledChecks: a check with its own label writes that label, and
// still evaluates its expression.
func TestLabelledChecks(t *testing.T) {
	trace, env := run(t,
		"new-app",
		"schedule basic w",
		"crank-until wm.allChildrenSuccessful()",
		"check\n\"w ran its three steps\" w.runningCount == 3\n\"w ran four\" w.runningCount == 4",
		`check "w is done" w isDone`,
		"finish",
	)
	require.Equal(t, []string{"check w ran its three steps: ok", "check w ran four: FAILED", "check w is done: ok"}, lines(trace, "check "))
	require.Equal(t, []string{"w ran four"}, env.Failed())
}

// TestStatusExpressions: a work's status text compares as a string, whole
// or by prefix.
func TestStatusExpressions(t *testing.T) {
	trace, env := run(t,
		"new-app",
		"schedule basic w fail steps=1",
		"crank-until w.retryCount is 1",
		"check\n"+strings.Join([]string{
			`w status has-prefix "Retrying in 1 sec: "`,
			`w status has-prefix "Running"`,
			`w status == "Retrying in 1 sec: w"`,
			`w status != "Running: w"`,
			`"the same by its label" w status has-prefix "Retrying"`,
		}, "\n"),
		"finish",
	)
	require.Equal(t, []string{`w status has-prefix "Running"`}, env.Failed())
	require.Contains(t, trace, "status w: Retrying in 1 sec: w\n")
}

// TestAttemptTimes: the virtual time of each attempt of a failing test
// work, as a note the work writes and as an expression. With the backoff at
// its lower bound, three retries wait 1 s, 2 s and 3 s: the attempts run at
// 0, 1000, 3000 and 6000 ms.
func TestAttemptTimes(t *testing.T) {
	trace, env := run(t,
		"new-app",
		"schedule always-fail af retries=3",
		"crank-while !wm.allChildrenDone()",
		"check\n"+strings.Join([]string{
			"af.attemptTime(1) == 0",
			"af.attemptTime(2) == 1000",
			"af.attemptTime(3) == 3000",
			"af.attemptTime(af.attempts) == 6000",
			"af.attemptTime(5) == -1",
		}, "\n"),
		"finish",
	)
	require.Empty(t, env.Failed())
	require.Equal(t, []string{
		"note attempt 1 of af at t=0",
		"note attempt 2 of af at t=1000",
		"note attempt 3 of af at t=3000",
		"note attempt 4 of af at t=6000",
	}, lines(trace, "note "))
}

// TestConditionNotes: a conditional work with note=(TEXT) writes a note at
// each evaluation of its condition, with the condition's value. It sleeps
// 100 ms between evaluations, so a condition on t >= 250 is false at 0,
// 100 and 200 ms and true at 300 ms. Until then the work it holds back
// has not started: its status is that of a pending work, "Ready to run".
func TestConditionNotes(t *testing.T) {
	trace, env := run(t,
		"new-app",
		"standalone basic a steps=1",
		"execute conditional c work=a when=(now >= 250) note=(c at t={now}, a is {a status})",
		"check a state is WORK_SUCCESS",
		"finish",
	)
	require.Empty(t, env.Failed())
	require.Equal(t, []string{
		"note c at t=0, a is Ready to run: a: false",
		"note c at t=100, a is Ready to run: a: false",
		"note c at t=200, a is Ready to run: a: false",
		"note c at t=300, a is Ready to run: a: true",
	}, lines(trace, "note "))
}

// TestRegisteredCommandsAndFuncs: commands and functions registered on a
// Language, with their own state in the Env.
func TestRegisteredCommandsAndFuncs(t *testing.T) {
	l := scenario.New()
	type counter struct{}
	l.Command("bump", func(e *scenario.Env, args []datadriven.CmdArg) error {
		n, _ := e.Value(counter{}).(int)
		e.SetValue(counter{}, n+len(args))
		return nil
	})
	l.Func("bumps", func(e *scenario.Env, args []string) (any, error) {
		n, _ := e.Value(counter{}).(int)
		return n, nil
	})
	l.Func("shout", func(e *scenario.Env, args []string) (any, error) { return strings.ToUpper(args[0]), nil })
	trace, env, err := l.Run("reg", strings.NewReader(scenarioSrc(
		"new-app", "bump a b", "crank-while bumps() < 4\nbump c",
		"check\nbumps() == 4\nshout(x) == \"X\"", "note {shout(hello)}", "finish")))
	// bumps() < 4 holds and nothing is scheduled: the crank would block.
	require.ErrorIs(t, err, worktest.ErrWouldBlock, trace)
	_ = env
	trace, env, err = l.Run("reg", strings.NewReader(scenarioSrc(
		"new-app", "bump a b", "bump c d", "check\nbumps() == 4\nshout(x) == \"X\"", "note {shout(hello)}", "finish")))
	require.NoError(t, err)
	require.Empty(t, env.Failed())
	require.Equal(t, []string{"note HELLO"}, lines(trace, "note "))
	v, err := env.Eval("bumps() + 1")
	require.NoError(t, err)
	require.Equal(t, int64(5), v)
	ok, err := env.Holds("wm state == WORK_WAITING")
	require.NoError(t, err)
	require.True(t, ok)
	_, err = env.Holds("wm state ==")
	require.Error(t, err)
}

func TestRegistrationPanics(t *testing.T) {
	l := scenario.New()
	build := func(*scenario.Spec) (basicwork.Work, error) { return nil, nil }
	require.PanicsWithValue(t, `scenario: kind "sequence" is already registered`, func() { l.Kind("sequence", build) })
	require.PanicsWithValue(t, `scenario: command "crank" is already registered`, func() { l.Command("crank", nil) })
	require.PanicsWithValue(t, `scenario: function "exists" is already registered`, func() { l.Func("exists", nil) })
	require.PanicsWithValue(t, "scenario: a kind needs a name", func() { l.Kind("", build) })
	require.PanicsWithValue(t, `scenario: command name "a b" has a character that ends a word`, func() { l.Command("a b", nil) })
	l.Kind("nothing", build)
	_, _, err := l.Run("nil work", strings.NewReader(scenarioSrc("new-app", "schedule nothing n")))
	require.ErrorContains(t, err, "the kind built no work")
}
