package basicwork_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// hookPanicker is a work that records every hook call and panics once in the
// hook named by panicIn.
type hookPanicker struct {
	basicwork.BasicWork
	result  basicwork.State // what OnRun returns
	panicIn string
	fired   bool
	calls   []string
}

func (w *hookPanicker) call(name string) {
	w.calls = append(w.calls, name)
	if name == w.panicIn && !w.fired {
		w.fired = true
		panic("hook panic in " + name)
	}
}

func (w *hookPanicker) OnRun() basicwork.State {
	w.calls = append(w.calls, "OnRun")
	return w.result
}
func (w *hookPanicker) OnAbort() bool   { w.call("OnAbort"); return true }
func (w *hookPanicker) OnReset()        { w.call("OnReset") }
func (w *hookPanicker) OnSuccess()      { w.call("OnSuccess") }
func (w *hookPanicker) OnFailureRaise() { w.call("OnFailureRaise") }
func (w *hookPanicker) OnFailureRetry() { w.call("OnFailureRetry") }

// TestHookPanicCompletesTheTransition: a hook that panics on the way to a
// done (or retrying) state does not undo the step OnRun finished. Before
// the fix the work stayed Running and the next crank ran OnRun again: a
// Success step ran twice, a failure was retried at once with no reset,
// backoff or retry counted.
func TestHookPanicCompletesTheTransition(t *testing.T) {
	cases := []struct {
		name    string
		result  basicwork.State
		retries int
		panicIn string
		want    basicwork.InternalState
		// The C++ order of setState's hooks (OnReset on Pending -> Running
		// first, then the hooks of the move): every hook still runs.
		calls []string
		line  string // the C++ debug line of the move
	}{
		{"OnSuccess", basicwork.Success, 0, "OnSuccess", basicwork.InternalSuccess,
			[]string{"OnReset", "OnRun", "OnSuccess"}, "work w : WORK_RUNNING -> WORK_SUCCESS"},
		{"OnFailureRaise", basicwork.Failure, 0, "OnFailureRaise", basicwork.InternalFailure,
			[]string{"OnReset", "OnRun", "OnFailureRaise", "OnReset"}, "work w : WORK_RUNNING -> WORK_FAILURE"},
		{"OnReset to Failure", basicwork.Failure, 0, "OnReset", basicwork.InternalFailure,
			[]string{"OnReset", "OnRun", "OnFailureRaise", "OnReset"}, "work w : WORK_RUNNING -> WORK_FAILURE"},
		// With a retry left, the move is Running -> Retrying -> Waiting,
		// with the retry timer armed.
		{"OnFailureRetry", basicwork.Failure, 1, "OnFailureRetry", basicwork.InternalWaiting,
			[]string{"OnReset", "OnRun", "OnFailureRetry", "OnReset"}, "work w : WORK_RETRYING -> WORK_WAITING"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app, logs := newTestApp(t, nil)
			w := &hookPanicker{result: c.result}
			w.Init(app, "w", c.retries, w)
			w.StartWork(nil)
			// Armed after the start, whose OnReset is not in question
			// here: the OnReset that panics is the one of the move.
			w.panicIn = c.panicIn
			v := recovered(w.CrankWork)
			require.Equal(t, "hook panic in "+w.panicIn, v)
			require.Equal(t, c.want, w.InternalState())
			require.Equal(t, c.calls, w.calls)
			require.Equal(t, 1, logs.FilterMessage(c.line).Len(), "the move's line is logged once")
			if c.want == basicwork.InternalWaiting {
				require.Contains(t, w.Status(), "Retrying in ")
				// The retry comes after its backoff: 1 s after the
				// first failure (the C++ backoff's first step, bounds
				// [1, 1]), then fails for good: one retry counted.
				app.clock.Crank(false)
				require.Equal(t, time.Second, app.clock.Elapsed())
				require.Equal(t, basicwork.InternalRunning, w.InternalState())
				require.Equal(t, 1, w.Retries())
				w.CrankWork()
				require.Equal(t, basicwork.InternalFailure, w.InternalState())
				require.Equal(t, append(c.calls, "OnRun", "OnFailureRaise", "OnReset"), w.calls)
				return
			}
			// The work is done: cranking it again is the misuse it always
			// was, not a second run of OnRun.
			require.NotNil(t, recovered(w.CrankWork))
			require.Equal(t, c.calls, w.calls)
		})
	}
}

// TestOnResetPanicOnTheWayToAborted: OnReset panicking on the move to
// Aborted still ends the abort.
func TestOnResetPanicOnTheWayToAborted(t *testing.T) {
	app, _ := newTestApp(t, nil)
	w := &hookPanicker{result: basicwork.Running}
	w.Init(app, "w", 0, w)
	w.StartWork(nil)
	w.Shutdown()
	w.panicIn = "OnReset"
	require.Equal(t, "hook panic in OnReset", recovered(w.CrankWork))
	require.Equal(t, basicwork.InternalAborted, w.InternalState())
	require.Equal(t, []string{"OnReset", "OnAbort", "OnReset"}, w.calls)
}
