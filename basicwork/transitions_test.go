package basicwork_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
)

// The eight internal states under their C++ names, written out here rather
// than taken from String, so that the expected messages do not depend on the
// code under test.
var stateNames = map[basicwork.InternalState]string{
	basicwork.InternalPending:  "WORK_PENDING",
	basicwork.InternalRunning:  "WORK_RUNNING",
	basicwork.InternalWaiting:  "WORK_WAITING",
	basicwork.InternalAborting: "WORK_ABORTING",
	basicwork.InternalAborted:  "WORK_ABORTED",
	basicwork.InternalRetrying: "WORK_RETRYING",
	basicwork.InternalSuccess:  "WORK_SUCCESS",
	basicwork.InternalFailure:  "WORK_FAILURE",
}

func allStates() []basicwork.InternalState {
	out := make([]basicwork.InternalState, 0, basicwork.NumInternalStates)
	for s := basicwork.InternalState(0); int(s) < basicwork.NumInternalStates; s++ {
		out = append(out, s)
	}
	return out
}

type tr = basicwork.Transition

// legal is the table of the C++ ALLOWED_TRANSITIONS, written out again.
var legal = []tr{
	{From: basicwork.InternalPending, To: basicwork.InternalRunning},
	{From: basicwork.InternalPending, To: basicwork.InternalAborting},
	{From: basicwork.InternalRunning, To: basicwork.InternalRunning},
	{From: basicwork.InternalRunning, To: basicwork.InternalWaiting},
	{From: basicwork.InternalRunning, To: basicwork.InternalSuccess},
	{From: basicwork.InternalRunning, To: basicwork.InternalFailure},
	{From: basicwork.InternalRunning, To: basicwork.InternalRetrying},
	{From: basicwork.InternalRunning, To: basicwork.InternalAborting},
	{From: basicwork.InternalWaiting, To: basicwork.InternalRunning},
	{From: basicwork.InternalWaiting, To: basicwork.InternalAborting},
	{From: basicwork.InternalRetrying, To: basicwork.InternalWaiting},
	{From: basicwork.InternalSuccess, To: basicwork.InternalPending},
	{From: basicwork.InternalFailure, To: basicwork.InternalPending},
	{From: basicwork.InternalAborting, To: basicwork.InternalAborting},
	{From: basicwork.InternalAborting, To: basicwork.InternalAborted},
	{From: basicwork.InternalAborted, To: basicwork.InternalPending},
}

// undriven lists the pairs that no sequence of calls on a work can make the
// machine attempt, so they are checked through IsAllowed only. All six are
// illegal.
//   - PENDING -> PENDING: StartWork moves to PENDING only from another state.
//   - SUCCESS, FAILURE, ABORTED -> ABORTING: Shutdown does nothing on a done
//     work, and nothing else asks for ABORTING.
//   - FAILURE -> RETRYING: FAILURE is reached only once no retry is left,
//     and only a failure with a retry left asks for RETRYING.
//   - RETRYING -> FAILURE: the other way round: RETRYING is reached only
//     while a retry is left, so a failure then asks for RETRYING.
var undriven = []tr{
	{From: basicwork.InternalPending, To: basicwork.InternalPending},
	{From: basicwork.InternalSuccess, To: basicwork.InternalAborting},
	{From: basicwork.InternalFailure, To: basicwork.InternalAborting},
	{From: basicwork.InternalAborted, To: basicwork.InternalAborting},
	{From: basicwork.InternalFailure, To: basicwork.InternalRetrying},
	{From: basicwork.InternalRetrying, To: basicwork.InternalFailure},
}

func TestTransitionsTable(t *testing.T) {
	got := basicwork.Transitions()
	require.Len(t, got, 16)
	require.ElementsMatch(t, legal, got)
	// Transitions returns a copy: changing it changes nothing.
	got[0] = tr{From: basicwork.InternalFailure, To: basicwork.InternalSuccess}
	require.False(t, basicwork.IsAllowed(basicwork.InternalFailure, basicwork.InternalSuccess))
	require.Equal(t, legal[0], basicwork.Transitions()[0])

	for _, from := range allStates() {
		for _, to := range allStates() {
			want := slices.Contains(legal, tr{From: from, To: to})
			require.Equal(t, want, basicwork.IsAllowed(from, to), "%s -> %s", stateNames[from], stateNames[to])
		}
	}
	// Out-of-range states are never allowed.
	require.False(t, basicwork.IsAllowed(-1, basicwork.InternalRunning))
	require.False(t, basicwork.IsAllowed(basicwork.InternalRunning, basicwork.InternalState(basicwork.NumInternalStates)))
}

func TestInternalStateNames(t *testing.T) {
	for s, name := range stateNames {
		require.Equal(t, name, s.String())
	}
	require.Len(t, stateNames, basicwork.NumInternalStates)
}

func TestTransitionErrorMessage(t *testing.T) {
	e := &basicwork.TransitionError{Transition: tr{From: basicwork.InternalWaiting, To: basicwork.InternalSuccess}}
	require.EqualError(t, e, "BasicWork error: illegal state transition WORK_WAITING -> WORK_SUCCESS")
}

// TestTransitionsDriven drives every pair it can through a real work: the
// sixteen legal ones happen (and are logged when the state changes), every
// other one panics with a *TransitionError naming exactly that pair.
func TestTransitionsDriven(t *testing.T) {
	var skipped []tr
	for _, from := range allStates() {
		for _, to := range allStates() {
			pair := tr{From: from, To: to}
			name := stateNames[from] + "->" + stateNames[to]
			t.Run(name, func(t *testing.T) {
				if slices.Contains(undriven, pair) {
					require.False(t, basicwork.IsAllowed(from, to))
					skipped = append(skipped, pair)
					t.Log("no call sequence reaches this pair: checked with IsAllowed only")
					return
				}
				d := newDriver(t, from, to)
				got := recovered(d.act)
				if basicwork.IsAllowed(from, to) {
					require.Nil(t, got, "a legal transition panicked")
					if from != to {
						msg := fmt.Sprintf("work probe : %s -> %s", stateNames[from], stateNames[to])
						require.Equal(t, 1, d.countSince(msg), "log of %s", msg)
					} else {
						require.Equal(t, to, d.p.InternalState())
					}
					return
				}
				require.NotNil(t, got, "an illegal transition did not panic")
				te, ok := got.(*basicwork.TransitionError)
				require.True(t, ok, "panic value %T %v is not a *TransitionError", got, got)
				require.Equal(t, pair, te.Transition)
				require.EqualError(t, te, fmt.Sprintf("BasicWork error: illegal state transition %s -> %s",
					stateNames[from], stateNames[to]))
			})
		}
	}
	require.ElementsMatch(t, undriven, skipped)
}

// hookRand answers the lower bound, after running hook once. The retry
// delay is drawn while the work is RETRYING, which makes it the one place a
// test can act while the machine is in that transient state.
type hookRand struct{ hook func() }

func (h *hookRand) Uniform(lo, hi uint64) uint64 {
	if f := h.hook; f != nil {
		h.hook = nil
		f()
	}
	return lo
}

// driver holds a work brought into state from, and act, the call that makes
// the machine attempt to move to to.
type driver struct {
	p    *probe
	logs *observer.ObservedLogs
	mark int
	act  func()
}

// countSince counts the log lines with message msg written since the setup.
func (d *driver) countSince(msg string) int {
	n := 0
	for _, e := range d.logs.All()[d.mark:] {
		if e.Message == msg {
			n++
		}
	}
	return n
}

// publicOf is what OnRun returns to ask for the internal state s.
func publicOf(s basicwork.InternalState) basicwork.State {
	switch s {
	case basicwork.InternalRunning:
		return basicwork.Running
	case basicwork.InternalWaiting:
		return basicwork.Waiting
	case basicwork.InternalSuccess:
		return basicwork.Success
	case basicwork.InternalFailure, basicwork.InternalRetrying:
		// FAILURE or RETRYING, depending on the retries left.
		return basicwork.Failure
	case basicwork.InternalAborted:
		return basicwork.Aborted
	}
	panic("no OnRun result asks for " + s.String())
}

// newDriver builds the work and the act for one pair.
//
// A work at rest can be PENDING, RUNNING, WAITING, ABORTING or done; from
// there StartWork asks for PENDING, Shutdown for ABORTING, WakeUp for
// RUNNING, and a crank for whatever OnRun returns (or, while aborting, for
// ABORTING or ABORTED). For the crank targets from WAITING, SUCCESS, FAILURE,
// ABORTING and ABORTED, OnRun itself first moves its own work into that
// state (through a nested crank, or Shutdown) and then returns the target.
// RETRYING lasts only while the retry delay is drawn, so those pairs act from
// inside the application's Rand.
func newDriver(t *testing.T, from, to basicwork.InternalState) *driver {
	t.Helper()
	rnd := &hookRand{}
	app, logs := newTestApp(t, rnd)
	retries := basicwork.RetryOnce
	if from == basicwork.InternalFailure || to == basicwork.InternalFailure {
		retries = basicwork.RetryNever
	}
	p := newProbe(app, "probe", retries)
	d := &driver{p: p, logs: logs}

	// restAct is the call that asks for to, on a work at rest in from.
	restAct := func() {
		switch {
		case to == basicwork.InternalPending:
			p.StartWork(nil)
		case to == basicwork.InternalAborting:
			p.Shutdown()
		case to == basicwork.InternalRunning && from == basicwork.InternalWaiting:
			p.WakeUp(nil)
		case to == basicwork.InternalRunning && from == basicwork.InternalPending:
			p.StartWork(nil)
		case from == basicwork.InternalAborting:
			// OnAbort completes: ABORTING asks for ABORTED.
			p.CrankWork()
		default:
			p.crankAs(publicOf(to))
		}
	}
	// insideRun cranks the work once; its OnRun runs enter, which moves
	// the work into from, and then asks for to.
	insideRun := func(enter func(p *probe)) func() {
		return func() {
			p.then(func(p *probe) basicwork.State {
				enter(p)
				require.Equal(t, from, p.InternalState(), "OnRun did not reach %s", stateNames[from])
				return publicOf(to)
			})
			p.CrankWork()
		}
	}
	nested := func(s basicwork.State) func(p *probe) {
		return func(p *probe) { p.crankAs(s) }
	}
	restTarget := to == basicwork.InternalPending || to == basicwork.InternalAborting

	switch from {
	case basicwork.InternalPending:
		d.act = restAct
	case basicwork.InternalRunning:
		p.StartWork(nil)
		d.act = restAct
	case basicwork.InternalWaiting:
		p.StartWork(nil)
		if restTarget || to == basicwork.InternalRunning {
			p.crankAs(basicwork.Waiting)
			d.act = restAct
		} else {
			d.act = insideRun(nested(basicwork.Waiting))
		}
	case basicwork.InternalAborting:
		p.StartWork(nil)
		if restTarget || to == basicwork.InternalAborted {
			p.Shutdown()
			d.act = restAct
		} else {
			d.act = insideRun(func(p *probe) { p.Shutdown() })
		}
	case basicwork.InternalAborted:
		p.StartWork(nil)
		if restTarget {
			p.Shutdown()
			p.CrankWork()
			d.act = restAct
		} else {
			d.act = insideRun(func(p *probe) { p.Shutdown(); p.CrankWork() })
		}
	case basicwork.InternalSuccess, basicwork.InternalFailure:
		p.StartWork(nil)
		if restTarget {
			p.crankAs(publicOf(from))
			d.act = restAct
		} else {
			d.act = insideRun(nested(publicOf(from)))
		}
	case basicwork.InternalRetrying:
		p.StartWork(nil)
		if to != basicwork.InternalWaiting {
			// The natural path to WAITING is legal; for every other
			// target, act while the delay is drawn.
			rnd.hook = func() {
				require.Equal(t, basicwork.InternalRetrying, p.InternalState())
				restAct()
			}
		}
		d.act = func() { p.crankAs(basicwork.Failure) }
	}
	if d.atRest(from, to) {
		require.Equal(t, from, p.InternalState(), "the setup did not reach %s", stateNames[from])
	}
	d.mark = logs.Len()
	return d
}

// atRest reports whether the pair starts from a work at rest in from, as
// opposed to a state reached inside OnRun or inside the Rand.
func (d *driver) atRest(from, to basicwork.InternalState) bool {
	switch from {
	case basicwork.InternalPending, basicwork.InternalRunning:
		return true
	case basicwork.InternalWaiting:
		return to == basicwork.InternalPending || to == basicwork.InternalAborting || to == basicwork.InternalRunning
	case basicwork.InternalAborting:
		return to == basicwork.InternalPending || to == basicwork.InternalAborting || to == basicwork.InternalAborted
	case basicwork.InternalAborted, basicwork.InternalSuccess, basicwork.InternalFailure:
		return to == basicwork.InternalPending || to == basicwork.InternalAborting
	}
	return false
}
