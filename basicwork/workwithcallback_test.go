package basicwork_test

// Tests of WorkWithCallback: the rejection of a nil callback, the three
// outcomes of the callback and their log lines, no retry, and an abort that
// completes at once.

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// wwcApp returns an application whose Work log, at every level, goes to the
// returned observer.
func wwcApp(t *testing.T) (*scheduler.App, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(basicwork.TraceLevel)
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime),
		scheduler.WithLogger(zap.New(core)), scheduler.WithRand(basicwork.LowerBound{}))
	return app, logs
}

// wwcExecute runs w on app's scheduler until it is done and returns
// ExecuteWork's error.
func wwcExecute(t *testing.T, app *scheduler.App, w basicwork.Work) error {
	t.Helper()
	err := app.WorkScheduler().ExecuteWork(t.Context(), w)
	require.True(t, w.IsDone())
	return err
}

// wwcMessages returns the messages logged at exactly level l.
func wwcMessages(logs *observer.ObservedLogs, l zapcore.Level) []string {
	var out []string
	for _, e := range logs.FilterLevelExact(l).All() {
		out = append(out, e.Message)
	}
	return out
}

func TestWorkWithCallbackRejectsNilCallback(t *testing.T) {
	app, _ := wwcApp(t)
	w, err := basicwork.NewWorkWithCallback(app, "cb", nil)
	require.Nil(t, w)
	require.ErrorIs(t, err, basicwork.ErrNilCallback)
	require.EqualError(t, err, "Must provide a valid function. Use BasicWork if a callback is not needed.")
}

// errDiskOnFire is the error a callback returns in the tests.
var errDiskOnFire = errors.New("disk on fire")

func TestWorkWithCallbackOutcomes(t *testing.T) {
	tests := []struct {
		name   string
		ok     bool
		err    error
		want   basicwork.State
		errors []string
		cause  error // the FailureCause, and the Cause ExecuteWork returns
	}{
		{"true succeeds", true, nil, basicwork.Success, nil, nil},
		{"false fails", false, nil, basicwork.Failure,
			[]string{"WorkWithCallback cb error: callback failed"}, basicwork.ErrCallbackFailed},
		{"error fails", false, errDiskOnFire, basicwork.Failure,
			[]string{"WorkWithCallback cb error: cannot execute callback, disk on fire"}, errDiskOnFire},
		// An error wins over the boolean, as a C++ throw leaves no result.
		{"error with true fails", true, errDiskOnFire, basicwork.Failure,
			[]string{"WorkWithCallback cb error: cannot execute callback, disk on fire"}, errDiskOnFire},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, logs := wwcApp(t)
			calls := 0
			var gotApp basicwork.Application
			w, err := basicwork.NewWorkWithCallback(app, "cb", func(a basicwork.Application) (bool, error) {
				calls++
				gotApp = a
				return tc.ok, tc.err
			})
			require.NoError(t, err)
			require.Equal(t, basicwork.RetryNever, w.MaxRetries())

			err = wwcExecute(t, app, w)
			require.Equal(t, tc.want, w.State())
			require.Equal(t, tc.cause, w.FailureCause())
			if tc.cause == nil {
				require.NoError(t, err)
			} else {
				// The log line is the C++ one; the cause also reaches the
				// caller, through the error.
				require.ErrorIs(t, err, basicwork.ErrWorkFailed)
				require.ErrorIs(t, err, tc.cause)
				var we *basicwork.WorkError
				require.ErrorAs(t, err, &we)
				require.Equal(t, basicwork.WorkError{Name: "cb", State: basicwork.InternalFailure, Status: "Failed: cb", Cause: tc.cause}, *we)
			}
			require.Equal(t, 1, calls, "the callback runs once, never retried")
			require.Same(t, app, gotApp, "the callback gets the work's application")
			require.Equal(t, tc.errors, wwcMessages(logs, zapcore.ErrorLevel))

			// It went straight to its end: no retry was scheduled.
			final := "work cb : WORK_RUNNING -> " + tc.want.String()
			require.Contains(t, wwcMessages(logs, zapcore.DebugLevel), final)
			require.Empty(t, logs.FilterMessageSnippet("Scheduling retry").All())
			require.Empty(t, logs.FilterMessageSnippet("WORK_RETRYING").All())
			require.Zero(t, w.Retries())
		})
	}
}

func TestWorkWithCallbackAbortsAtOnce(t *testing.T) {
	app, logs := wwcApp(t)
	calls := 0
	w, err := basicwork.NewWorkWithCallback(app, "cb", func(basicwork.Application) (bool, error) {
		calls++
		return true, nil
	})
	require.NoError(t, err)

	w.StartWork(nil)
	w.Shutdown()
	require.True(t, w.IsAborting())
	// One crank ends the abort.
	w.CrankWork()
	require.Equal(t, basicwork.Aborted, w.State())
	require.Zero(t, calls, "an aborted work does not run its callback")
	require.Len(t, logs.FilterMessage("Abort progress for cb: done").All(), 1)
	require.Empty(t, logs.FilterMessage("Abort progress for cb: still aborting").All())
}
