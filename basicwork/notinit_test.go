package basicwork_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
)

// raw embeds BasicWork and defines the hooks, but nobody calls its Init.
type raw struct{ basicwork.BasicWork }

func (r *raw) OnRun() basicwork.State { return basicwork.Success }
func (r *raw) OnAbort() bool          { return true }

// TestUseBeforeInitPanicsNamingInit: every entry point of a work whose
// Init was not called panics with a *NotInitialisedError that names the
// call and says Init. Before, most of them died on a nil dereference deep
// in the logger check, and WakeUp and Status went on silently.
func TestUseBeforeInitPanicsNamingInit(t *testing.T) {
	cases := map[string]func(r *raw){
		"CrankWork":            func(r *raw) { r.CrankWork() },
		"StartWork":            func(r *raw) { r.StartWork(nil) },
		"Shutdown":             func(r *raw) { r.Shutdown() },
		"WakeUp":               func(r *raw) { r.WakeUp(nil) },
		"Status":               func(r *raw) { _ = r.Status() },
		"WakeSelfUpCallback":   func(r *raw) { r.WakeSelfUpCallback(nil) },
		"SetupWaitingCallback": func(r *raw) { r.SetupWaitingCallback(time.Second) },
		"Logf":                 func(r *raw) { r.Logf(zapcore.InfoLevel, "x") },
		"LogEnabled":           func(r *raw) { r.LogEnabled(zapcore.InfoLevel) },
	}
	for op, f := range cases {
		t.Run(op, func(t *testing.T) {
			v := recovered(func() { f(&raw{}) })
			err, ok := v.(error)
			require.True(t, ok, "%s must panic with an error, got %v", op, v)
			require.True(t, errors.Is(err, basicwork.ErrNotInitialised), "%v", err)
			require.Equal(t, "basicwork: "+op+" on a basicwork.BasicWork (embedded) whose Init was not called: "+
				"call Init(app, name, maxRetries, self) before using the work", err.Error())
		})
	}
}

// TestCheckInitNamesTheType: where the outer value is at hand, the panic
// names its type; after Init, the check (tree.CheckInit) passes.
func TestCheckInitNamesTheType(t *testing.T) {
	r := &raw{}
	v := recovered(func() { tree.CheckInit(r, "AddWork") })
	var e *basicwork.NotInitialisedError
	require.True(t, errors.As(v.(error), &e))
	require.Equal(t, "*basicwork_test.raw", e.Type)
	require.Contains(t, e.Error(), "AddWork on a *basicwork_test.raw whose Init was not called")
	app, _ := newTestApp(t, nil)
	r.Init(app, "r", basicwork.RetryNever, r)
	require.Nil(t, recovered(func() { tree.CheckInit(r, "AddWork") }))
}
