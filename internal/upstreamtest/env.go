// Package upstreamtest runs ported upstream test sections on a plain
// application, built as a program would build it, with every C++ REQUIRE
// as a testify require and every CHECK as a testify assert. The traces of
// the same sections are checked once, by internal/parity: each Section
// names its parity scenario, and RunSections makes sure that it exists.
package upstreamtest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// MaxCranks stops a Crank loop that would never end. The longest Section of
// these packages needs about 1,300 cranks.
const MaxCranks = 100000

// Env is what a Section body sees: the application, its clock and its
// scheduler.
type Env struct {
	// T is the subtest of the section.
	T *testing.T
	// App is the application, built as a program would build it.
	App *scheduler.App
	// Clock is App's virtual clock.
	Clock *vclock.Clock
	// WM is App's WorkScheduler, the upstream tests' wm.
	WM *scheduler.WorkScheduler
}

// NewPlainEnv builds a virtual clock and an application on it, with the
// backoff at its lower bound as in the parity traces.
func NewPlainEnv(t *testing.T) *Env {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.LowerBound{}))
	return &Env{T: t, App: app, Clock: clock, WM: app.WorkScheduler()}
}

// Crank is one blocking crank of the clock.
func (e *Env) Crank() { e.Clock.Crank(true) }

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

// Schedule is wm.scheduleWork: the scheduler must accept w.
func (e *Env) Schedule(w basicwork.Work) {
	e.T.Helper()
	require.NotNil(e.T, e.WM.ScheduleWork(w), "scheduleWork(%s)", w.Name())
}

// Execute is wm.executeWork: w must be done after it.
func (e *Env) Execute(w basicwork.Work) {
	e.T.Helper()
	// executeWork returns nothing; ExecuteWork's error must agree with the
	// state the work ended in, which the test then checks.
	err := e.WM.ExecuteWork(context.Background(), w)
	require.True(e.T, w.IsDone(), "%s is done after executeWork", w.Name())
	require.Equal(e.T, basicwork.ResultError(w), err)
}

// Check evaluates one upstream assertion: for a REQUIRE, a false ok stops
// the test, and for a CHECK it marks the test failed and goes on. label is
// the label of the same check in the parity trace.
func (e *Env) Check(label string, ok bool, isRequire bool) {
	e.T.Helper()
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

// StateLabel is the label of a state check in the parity traces.
func StateLabel(w basicwork.Work, want basicwork.State) string {
	return w.Name() + " state == " + want.String()
}

// Section is one upstream SECTION, with the parity scenario that records
// its trace (internal/parity/testdata/<Scenario>).
type Section struct {
	// Name is the upstream SECTION's name, the subtest's.
	Name string
	// Scenario is the parity scenario file, relative to
	// internal/parity/testdata.
	Scenario string
	// Body runs the section on a new Env.
	Body func(e *Env)
}

// scenarios is internal/parity/testdata, found from this file.
var scenarios = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "parity", "testdata")
}()

// RunSections runs each section as a subtest, on a new Env. A section whose
// parity scenario does not exist fails.
func RunSections(t *testing.T, sections []Section) {
	t.Helper()
	for _, s := range sections {
		t.Run(s.Name, func(t *testing.T) {
			_, err := os.Stat(filepath.Join(scenarios, s.Scenario))
			require.NoError(t, err, "the parity scenario of section %q", s.Name)
			s.Body(NewPlainEnv(t))
		})
	}
}
