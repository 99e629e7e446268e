package basicwork_test

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// The basicwork rows of docs/ROBUSTNESS.md.

// typedPanic runs f and returns the error it panicked with (nil if it did
// not panic; the test fails if it panicked with something else).
func typedPanic(t *testing.T, f func()) error {
	t.Helper()
	v := recovered(f)
	if v == nil {
		return nil
	}
	err, ok := v.(error)
	require.True(t, ok, "panicked with %T %v, not an error", v, v)
	return err
}

// TestBadInputStartWorkTwice: starting a work that runs, waits or aborts is
// the illegal transition to WORK_PENDING; it panics with a
// *TransitionError before changing anything. A done work restarts.
func TestBadInputStartWorkTwice(t *testing.T) {
	cases := []struct {
		name  string
		setup func(p *probe)
		from  string
	}{
		{"running", func(p *probe) { p.StartWork(nil) }, "WORK_RUNNING"},
		{"waiting", func(p *probe) { p.StartWork(nil); p.crankAs(basicwork.Waiting) }, "WORK_WAITING"},
		{"waiting for a retry", func(p *probe) { p.StartWork(nil); p.crankAs(basicwork.Failure) }, "WORK_WAITING"},
		{"aborting", func(p *probe) { p.StartWork(nil); p.Shutdown() }, "WORK_ABORTING"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app, _ := newTestApp(t, nil)
			p := newProbe(app, "w", basicwork.RetryOnce)
			c.setup(p)
			before := p.InternalState()
			notified := false
			err := typedPanic(t, func() { p.StartWork(func() { notified = true }) })
			require.ErrorIs(t, err, basicwork.ErrIllegalTransition)
			require.EqualError(t, err, "BasicWork error: illegal state transition "+c.from+" -> WORK_PENDING")
			require.Equal(t, before, p.InternalState())
			require.False(t, notified)
		})
	}
	t.Run("done restarts", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		p := newProbe(app, "w", basicwork.RetryNever)
		p.StartWork(nil)
		p.crankAs(basicwork.Success)
		p.StartWork(nil)
		require.Equal(t, basicwork.InternalRunning, p.InternalState())
	})
}

// TestBadInputCrankDoneWaitingOrNeverStarted: cranking a done or WAITING
// work panics with an *InvariantError naming it and its state, without
// calling OnRun. Cranking a work never started runs OnRun, as in C++ (the
// C++ only asserts done and waiting); the move from WORK_PENDING to
// anything but WORK_RUNNING is then illegal and panics.
func TestBadInputCrankDoneWaitingOrNeverStarted(t *testing.T) {
	app, _ := newTestApp(t, nil)
	done := newProbe(app, "done", basicwork.RetryNever)
	done.StartWork(nil)
	done.crankAs(basicwork.Success)
	err := typedPanic(t, done.CrankWork)
	require.ErrorIs(t, err, basicwork.ErrInvariant)
	require.EqualError(t, err, "BasicWork error: cannot crank done in state WORK_SUCCESS")
	var inv *basicwork.InvariantError
	require.True(t, errors.As(err, &inv))
	require.Equal(t, "done", inv.Name)

	waiting := newProbe(app, "waiting", basicwork.RetryNever)
	waiting.StartWork(nil)
	waiting.crankAs(basicwork.Waiting)
	runs := waiting.runs
	err = typedPanic(t, waiting.CrankWork)
	require.EqualError(t, err, "BasicWork error: cannot crank waiting in state WORK_WAITING")
	require.Equal(t, runs, waiting.runs)

	fresh := newProbe(app, "fresh", basicwork.RetryNever)
	fresh.then(returns(basicwork.Running))
	fresh.CrankWork()
	require.Equal(t, basicwork.InternalRunning, fresh.InternalState())
	fresh2 := newProbe(app, "fresh2", basicwork.RetryNever)
	fresh2.then(returns(basicwork.Success))
	err = typedPanic(t, fresh2.CrankWork)
	require.ErrorIs(t, err, basicwork.ErrIllegalTransition)
	require.EqualError(t, err, "BasicWork error: illegal state transition WORK_PENDING -> WORK_SUCCESS")
	require.Equal(t, basicwork.InternalPending, fresh2.InternalState())
}

// TestBadInputOnRunReturnsBadState: OnRun returning WORK_ABORTED is an
// illegal transition; a value that is no State at all panics naming the
// value. Either way the state is unchanged.
func TestBadInputOnRunReturnsBadState(t *testing.T) {
	app, _ := newTestApp(t, nil)
	p := newProbe(app, "w", basicwork.RetryNever)
	p.StartWork(nil)
	p.then(returns(basicwork.Aborted))
	err := typedPanic(t, p.CrankWork)
	require.EqualError(t, err, "BasicWork error: illegal state transition WORK_RUNNING -> WORK_ABORTED")
	require.Equal(t, basicwork.InternalRunning, p.InternalState())
	p.then(returns(basicwork.State(42)))
	err = typedPanic(t, p.CrankWork)
	require.ErrorIs(t, err, basicwork.ErrInvariant)
	require.EqualError(t, err, "basicwork: OnRun returned an unknown state 42")
	require.Equal(t, basicwork.InternalRunning, p.InternalState())
}

// TestBadInputWakeUpNotWaiting: WakeUp of a work that is not WAITING (never
// started, running, aborting, done) does nothing: no transition, no inner
// callback, no notification.
func TestBadInputWakeUpNotWaiting(t *testing.T) {
	app, _ := newTestApp(t, nil)
	var moves int
	app.listen = func(basicwork.TransitionEvent) { moves++ }
	setups := map[string]func(p *probe, notify func()){
		"never started": func(*probe, func()) {},
		"running":       func(p *probe, n func()) { p.StartWork(n) },
		"aborting":      func(p *probe, n func()) { p.StartWork(n); p.Shutdown() },
		"succeeded":     func(p *probe, n func()) { p.StartWork(n); p.crankAs(basicwork.Success) },
		"failed":        func(p *probe, n func()) { p.StartWork(n); p.crankAs(basicwork.Failure) },
		"aborted":       func(p *probe, n func()) { p.StartWork(n); p.Shutdown(); p.CrankWork() },
	}
	for name, setup := range setups {
		t.Run(name, func(t *testing.T) {
			notified, inner := false, false
			p := newProbe(app, "w", basicwork.RetryNever)
			setup(p, func() { notified = true })
			before, n := p.InternalState(), moves
			p.WakeUp(func() { inner = true })
			p.WakeSelfUpCallback(func() { inner = true })()
			require.Equal(t, before, p.InternalState())
			require.Equal(t, n, moves)
			require.False(t, inner)
			require.False(t, notified)
		})
	}
}

// TestBadInputZeroAndNegativeWaits: SetupWaitingCallback with a zero or
// negative duration wakes the work on the next idle crank, without moving
// time; a second one while the first is armed only warns. It panics unless
// the work is running.
func TestBadInputZeroAndNegativeWaits(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Millisecond, -time.Hour} {
		app, _ := newTestApp(t, nil)
		app.clock.SleepFor(time.Second)
		p := newProbe(app, "w", basicwork.RetryNever)
		p.then(func(p *probe) basicwork.State {
			p.SetupWaitingCallback(d)
			return basicwork.Waiting
		})
		p.StartWork(nil)
		p.CrankWork()
		require.Equal(t, basicwork.Waiting, p.State())
		require.Equal(t, 1, app.clock.PendingTimers())
		require.Equal(t, 1, app.clock.Crank(false))
		require.Equal(t, basicwork.Running, p.State(), "d=%v", d)
		require.Equal(t, time.Second, app.clock.Elapsed())
		require.Zero(t, app.clock.PendingTimers())
	}
	app, _ := newTestApp(t, nil)
	p := newProbe(app, "w", basicwork.RetryNever)
	err := typedPanic(t, func() { p.SetupWaitingCallback(0) })
	require.ErrorIs(t, err, basicwork.ErrInvariant)
	require.EqualError(t, err, "BasicWork error: w sets up a waiting callback in state WORK_PENDING")
}

// TestBadInputInitMisuse: Init panics on a nil application, a self that
// does not embed the BasicWork, a negative retry budget and a second call;
// math.MaxInt is a valid budget.
func TestBadInputInitMisuse(t *testing.T) {
	app, _ := newTestApp(t, nil)
	p := &probe{}
	require.Equal(t, `basicwork: Init of "w" with a nil Application`, recovered(func() { p.Init(nil, "w", 0, p) }))
	require.Equal(t, `basicwork: Init of "w": self must be the value that embeds this BasicWork`,
		recovered(func() { p.Init(app, "w", 0, nil) }))
	other := &probe{}
	require.Equal(t, `basicwork: Init of "w": self must be the value that embeds this BasicWork`,
		recovered(func() { p.Init(app, "w", 0, other) }))
	require.Equal(t, `basicwork: Init of "w" with negative maxRetries -1`, recovered(func() { p.Init(app, "w", -1, p) }))
	p.Init(app, "w", math.MaxInt, p)
	require.Equal(t, math.MaxInt, p.MaxRetries())
	require.Equal(t, `basicwork: Init called twice on "w"`, recovered(func() { p.Init(app, "w", 0, p) }))
}

// TestBadInputSetParentSlotRange: a slot is stored in 32 bits; one outside
// [0, MaxInt32] panics and leaves the registration as it was.
func TestBadInputSetParentSlotRange(t *testing.T) {
	app, _ := newTestApp(t, nil)
	p := &probe{}
	p.Init(app, "w", 0, p)
	for _, slot := range []int{-1, math.MaxInt32 + 1} {
		require.Equal(t, fmt.Sprintf(`basicwork: SetParent of "w" with slot %d, outside [0, 2147483647]`, slot),
			recovered(func() { p.SetParentForTest(nil, slot) }))
	}
	parent, slot := p.ParentForTest()
	require.Nil(t, parent)
	require.Zero(t, slot)
	p.SetParentForTest(nil, math.MaxInt32)
	_, slot = p.ParentForTest()
	require.Equal(t, math.MaxInt32, slot)
}

// TestBadInputBackoffBounds: the backoff stays in [257, 512] s for every n
// from 9 up to math.MaxUint64, without overflow; a Rand asked for bounds
// the wrong way round panics.
func TestBadInputBackoffBounds(t *testing.T) {
	for _, n := range []uint64{9, 10, 31, 32, 63, 64, 1 << 40, math.MaxInt64, math.MaxUint64} {
		lo, hi := basicwork.BackoffBounds(n)
		require.Equal(t, [2]uint64{257, 512}, [2]uint64{lo, hi}, "n=%d", n)
		require.Equal(t, 512*time.Second, basicwork.ExponentialBackoff(n, basicwork.UpperBound{}))
		require.Equal(t, 257*time.Second, basicwork.ExponentialBackoff(n, basicwork.LowerBound{}))
		d := basicwork.ExponentialBackoff(n, basicwork.NewRand(n))
		require.True(t, d >= 257*time.Second && d <= 512*time.Second, "n=%d: %v", n, d)
	}
	require.Equal(t, "basicwork: Uniform with lower bound 2 above upper bound 1",
		recovered(func() { basicwork.UpperBound{}.Uniform(2, 1) }))
	require.NotNil(t, recovered(func() { basicwork.NewRand(1).Uniform(2, 1) }))
	require.Equal(t, uint64(7), basicwork.NewRand(1).Uniform(7, 7))
	basicwork.NewRand(1).Uniform(0, math.MaxUint64) // the full range does not overflow
}

// TestBadInputNilCallback: a WorkWithCallback needs a callback.
func TestBadInputNilCallback(t *testing.T) {
	app, _ := newTestApp(t, nil)
	w, err := basicwork.NewWorkWithCallback(app, "cb", nil)
	require.Nil(t, w)
	require.ErrorIs(t, err, basicwork.ErrNilCallback)
	require.EqualError(t, err, "Must provide a valid function. Use BasicWork if a callback is not needed.")
}
