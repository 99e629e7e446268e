package basicwork_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worktest"
)

// hooked overrides every overridable method of BasicWork on the outer type
// and records each call, so a test can see which ones the library reaches
// through the outer value. The overrides of WakeUp, Shutdown and Status call
// the base version, as C++ overrides call the base class.
type hooked struct {
	basicwork.BasicWork
	calls []string
	run   func(h *hooked) basicwork.State
}

func newHooked(app basicwork.Application, name string, retries int, run func(h *hooked) basicwork.State) *hooked {
	h := &hooked{run: run}
	h.Init(app, name, retries, h)
	return h
}

func (h *hooked) record(name string) { h.calls = append(h.calls, name) }

func (h *hooked) count(name string) int {
	n := 0
	for _, c := range h.calls {
		if c == name {
			n++
		}
	}
	return n
}

func (h *hooked) OnRun() basicwork.State { h.record("OnRun"); return h.run(h) }
func (h *hooked) OnAbort() bool          { h.record("OnAbort"); return true }
func (h *hooked) OnReset()               { h.record("OnReset") }
func (h *hooked) OnSuccess()             { h.record("OnSuccess") }
func (h *hooked) OnFailureRetry()        { h.record("OnFailureRetry") }
func (h *hooked) OnFailureRaise()        { h.record("OnFailureRaise") }
func (h *hooked) WakeUp(inner func())    { h.record("WakeUp"); h.BasicWork.WakeUp(inner) }
func (h *hooked) Shutdown()              { h.record("Shutdown"); h.BasicWork.Shutdown() }
func (h *hooked) Status() string         { return "custom " + h.BasicWork.Status() }

func always(s basicwork.State) func(*hooked) basicwork.State {
	return func(*hooked) basicwork.State { return s }
}

// TestOverridesAreCalledByTheLibrary shows, for each overridable method,
// that the library's own calls reach the override on the outer type.
func TestOverridesAreCalledByTheLibrary(t *testing.T) {
	t.Run("OnRun", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		h := newHooked(app, "h", basicwork.RetryNever, always(basicwork.Running))
		h.StartWork(nil)
		h.CrankWork()
		h.CrankWork()
		require.Equal(t, 2, h.count("OnRun"))
	})

	t.Run("OnAbort", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		h := newHooked(app, "h", basicwork.RetryNever, always(basicwork.Running))
		h.StartWork(nil)
		h.Shutdown()
		h.CrankWork()
		require.Equal(t, 1, h.count("OnAbort"))
		require.Zero(t, h.count("OnRun"), "an aborting work is not run")
		require.Equal(t, basicwork.Aborted, h.State())
	})

	t.Run("OnReset", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		h := newHooked(app, "h", basicwork.RetryNever, always(basicwork.Failure))
		// Starting resets the work; so does the final failure.
		h.StartWork(nil)
		require.Equal(t, 1, h.count("OnReset"))
		h.CrankWork()
		require.Equal(t, 2, h.count("OnReset"))
	})

	t.Run("OnSuccess", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		h := newHooked(app, "h", basicwork.RetryNever, always(basicwork.Success))
		h.StartWork(nil)
		h.CrankWork()
		require.Equal(t, []string{"OnReset", "OnRun", "OnSuccess"}, h.calls)
	})

	t.Run("OnFailureRetry", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		h := newHooked(app, "h", basicwork.RetryOnce, always(basicwork.Failure))
		h.StartWork(nil)
		h.CrankWork()
		require.Equal(t, 1, h.count("OnFailureRetry"))
		require.Zero(t, h.count("OnFailureRaise"))
	})

	t.Run("OnFailureRaise", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		h := newHooked(app, "h", basicwork.RetryNever, always(basicwork.Failure))
		h.StartWork(nil)
		h.CrankWork()
		require.Equal(t, 1, h.count("OnFailureRaise"))
		require.Zero(t, h.count("OnFailureRetry"))
	})

	t.Run("WakeUp from the waiting timer", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		h := newHooked(app, "h", basicwork.RetryNever, func(h *hooked) basicwork.State {
			h.SetupWaitingCallback(5 * time.Millisecond)
			return basicwork.Waiting
		})
		notified := 0
		h.StartWork(func() { notified++ })
		h.CrankWork()
		require.Zero(t, h.count("WakeUp"))
		// The idle clock jumps 5 ms and fires the waiting timer.
		require.Equal(t, 1, app.clock.Crank(false))
		require.Equal(t, 1, h.count("WakeUp"))
		require.Equal(t, basicwork.Running, h.State())
		require.Equal(t, 1, notified)
	})

	t.Run("WakeUp from the retry timer", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		h := newHooked(app, "h", basicwork.RetryOnce, always(basicwork.Failure))
		h.StartWork(nil)
		h.CrankWork()
		require.Equal(t, basicwork.Waiting, h.State())
		require.Equal(t, 1, app.clock.Crank(false))
		require.Equal(t, 1, h.count("WakeUp"))
		require.Equal(t, basicwork.Running, h.State())
		require.Equal(t, time.Second, app.clock.Elapsed())
	})

	t.Run("WakeUp from WakeSelfUpCallback", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		h := newHooked(app, "h", basicwork.RetryNever, always(basicwork.Waiting))
		h.StartWork(nil)
		h.CrankWork()
		ran := false
		h.WakeSelfUpCallback(func() { ran = true })()
		require.Equal(t, 1, h.count("WakeUp"))
		require.True(t, ran)
	})

	t.Run("Shutdown", func(t *testing.T) {
		// BasicWork never shuts itself down: a parent does, through the
		// child's outer value.
		app, _ := newTestApp(t, nil)
		parent := testworks.NewWork(app, "parent")
		parent.StartWork(nil)
		h := newHooked(app, "h", basicwork.RetryNever, always(basicwork.Running))
		require.NoError(t, parent.AddTestWork(h))
		parent.Shutdown()
		require.Equal(t, 1, h.count("Shutdown"))
		require.True(t, h.IsAborting())
	})

	t.Run("Status", func(t *testing.T) {
		// The recorder writes each tracked work's Status through the
		// basicwork.Work interface.
		r := worktest.NewRecorder(worktest.Options{})
		h := newHooked(r.App(), "h", basicwork.RetryNever, always(basicwork.Running))
		r.Track("h", h)
		r.App().PostOnMainThread(func() {}, "nothing", vclock.NormalAction)
		r.Crank()
		require.Contains(t, r.String(), "status h: custom Ready to run: h\n")
		var w basicwork.Work = h
		require.True(t, strings.HasPrefix(w.Status(), "custom "))
	})
}
