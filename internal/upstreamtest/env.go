// Package upstreamtest runs ported upstream test sections twice: once on a
// plain application, with every C++ REQUIRE as a testify require, and once
// under a worktest.Recorder whose trace must equal, byte for byte, the one
// recorded from the C++ (kept in the calling package's testdata/traces).
package upstreamtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worktest"
)

// MaxCranks stops a Crank loop that would never end. The longest Section of
// these packages needs about 1,300 cranks.
const MaxCranks = 100000

// Env is what a Section body sees: the application, its clock and its
// scheduler, plus the recorder in the recorded run.
type Env struct {
	T     *testing.T
	App   *scheduler.App
	Clock *vclock.Clock
	WM    *scheduler.WorkScheduler
	R     *worktest.Recorder // nil in the plain run
}

func NewPlainEnv(t *testing.T) *Env {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.LowerBound{}))
	return &Env{T: t, App: app, Clock: clock, WM: app.WorkScheduler()}
}

func NewRecordedEnv(t *testing.T) *Env {
	r := worktest.NewRecorder(worktest.Options{})
	return &Env{T: t, App: r.App(), Clock: r.Clock(), WM: r.Scheduler(), R: r}
}

// Crank is one blocking Crank of the clock, traced in the recorded run.
func (e *Env) Crank() {
	if e.R != nil {
		e.R.Crank()
		return
	}
	e.Clock.Crank(true)
}

// CrankWhile cranks as long as cond holds.
func (e *Env) CrankWhile(cond func() bool) {
	e.T.Helper()
	for n := 0; cond(); n++ {
		require.Less(e.T, n, MaxCranks, "the Crank loop does not end")
		e.Crank()
	}
}

// AllDone is the upstream loop condition
// `!wm.allChildrenDone() || wm.getState() == WORK_RUNNING`.
func (e *Env) AllDone() func() bool {
	return func() bool { return !e.WM.AllChildrenDone() || e.WM.State() == basicwork.Running }
}

// AllSuccess is the same loop condition with allChildrenSuccessful.
func (e *Env) AllSuccess() func() bool {
	return func() bool { return !e.WM.AllChildrenSuccessful() || e.WM.State() == basicwork.Running }
}

// Track makes w part of the trace's status and state lines.
func (e *Env) Track(w basicwork.Work) {
	if e.R != nil {
		e.R.Track(w.Name(), w)
	}
}

// Schedule is wm.scheduleWork: the scheduler must accept w. w is tracked.
func (e *Env) Schedule(w basicwork.Work) {
	e.T.Helper()
	require.NotNil(e.T, e.WM.ScheduleWork(w), "scheduleWork(%s)", w.Name())
	e.Track(w)
}

// Execute is wm.executeWork. The plain run calls ExecuteWork itself; the
// recorded run does what it does, but Crank by Crank so that the cranks are
// traced: Schedule and Track w, then Crank while the clock is not stopped
// and w is not done.
func (e *Env) Execute(w basicwork.Work) {
	e.T.Helper()
	if e.R == nil {
		require.NoError(e.T, e.WM.ExecuteWork(context.Background(), w))
		require.True(e.T, w.IsDone(), "%s is done after executeWork", w.Name())
		return
	}
	e.Schedule(w)
	e.CrankWhile(func() bool { return !e.Clock.IsStopped() && !w.IsDone() })
}

// Check evaluates one upstream assertion. It writes the Check line in the
// recorded run, with FAILED if ok is false; then, for a REQUIRE, a false ok
// stops the test, and for a CHECK it marks the test failed and goes on.
func (e *Env) Check(label string, ok bool, isRequire bool) {
	e.T.Helper()
	if e.R != nil {
		e.R.Check(label, ok)
	}
	if isRequire {
		require.True(e.T, ok, label)
	} else {
		assert.True(e.T, ok, label)
	}
}

// RequireTrue is an upstream REQUIRE(ok).
func (e *Env) RequireTrue(label string, ok bool) {
	e.T.Helper()
	e.Check(label, ok, true)
}

// RequireEqual is REQUIRE(got == want), with testify's report on failure.
func (e *Env) RequireEqual(label string, want, got any) {
	e.T.Helper()
	ok := assert.ObjectsAreEqual(want, got)
	if e.R != nil {
		e.R.Check(label, ok)
	}
	require.Equal(e.T, want, got, label)
}

// RequireState is REQUIRE(w->getState() == want), labelled as the traces
// label it.
func (e *Env) RequireState(w basicwork.Work, want basicwork.State) {
	e.T.Helper()
	e.RequireEqual(StateLabel(w, want), want, w.State())
}

// CheckState is the CHECK form of RequireState.
func (e *Env) CheckState(w basicwork.Work, want basicwork.State) {
	e.T.Helper()
	e.Check(StateLabel(w, want), w.State() == want, false)
}

func StateLabel(w basicwork.Work, want basicwork.State) string {
	return w.Name() + " state == " + want.String()
}

// Section is one upstream SECTION, with the trace file (under
// testdata/traces) that its recorded run must reproduce.
type Section struct {
	Name  string
	Trace string
	Body  func(e *Env)
}

func RunSections(t *testing.T, sections []Section) {
	t.Helper()
	for _, s := range sections {
		t.Run(s.Name, func(t *testing.T) {
			t.Run("plain", func(t *testing.T) { s.Body(NewPlainEnv(t)) })
			t.Run("trace", func(t *testing.T) {
				e := NewRecordedEnv(t)
				t.Cleanup(func() {
					if t.Failed() {
						t.Logf("recorded trace:\n%s", e.R.String())
					}
				})
				s.Body(e)
				e.R.Finish()
				require.Empty(t, e.R.Failed(), "checks that failed")
				file := filepath.Join("testdata", "traces", s.Trace)
				want, err := os.ReadFile(file)
				require.NoError(t, err)
				RequireSameTrace(t, file, string(want), e.R.String())
			})
		})
	}
}

// RequireSameTrace compares two traces byte for byte and, when they
// differ, shows both around the first line that does.
func RequireSameTrace(t *testing.T, file, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	wl, gl := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	first := 0
	for first < len(wl) && first < len(gl) && wl[first] == gl[first] {
		first++
	}
	window := func(lines []string) string {
		lo, hi := max(0, first-3), min(len(lines), first+4)
		var b strings.Builder
		for i := lo; i < hi; i++ {
			mark := "  "
			if i == first {
				mark = "> "
			}
			fmt.Fprintf(&b, "%s%4d %q\n", mark, i+1, lines[i])
		}
		return b.String()
	}
	t.Fatalf("the trace differs from %s, first at line %d\nwant:\n%sgot:\n%s",
		file, first+1, window(wl), window(gl))
}
