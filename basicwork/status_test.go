package basicwork_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

func TestStatusStrings(t *testing.T) {
	t.Run("ready, running, waiting, succeeded", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		p := newProbe(app, "st", basicwork.RetryNever)
		require.Equal(t, "Ready to run: st", p.Status())
		p.StartWork(nil)
		require.Equal(t, "Running: st", p.Status())
		p.crankAs(basicwork.Waiting)
		require.Equal(t, "Waiting: st", p.Status())
		p.WakeUp(nil)
		require.Equal(t, "Running: st", p.Status())
		p.crankAs(basicwork.Success)
		require.Equal(t, "Succeeded: st", p.Status())
	})

	t.Run("failed", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		p := newProbe(app, "st", basicwork.RetryNever)
		p.StartWork(nil)
		p.crankAs(basicwork.Failure)
		require.Equal(t, "Failed: st", p.Status())
	})

	t.Run("aborting, aborted", func(t *testing.T) {
		app, _ := newTestApp(t, nil)
		p := newProbe(app, "st", basicwork.RetryNever)
		p.StartWork(nil)
		p.Shutdown()
		require.Equal(t, "Aborting: st", p.Status())
		p.CrankWork()
		require.Equal(t, "Aborted: st", p.Status())
	})

	t.Run("retrying", func(t *testing.T) {
		// With the delay at its upper bound, retry k (k = 0, 1, 2) waits
		// 2^k seconds.
		app, _ := newTestApp(t, basicwork.UpperBound{})
		p := newProbe(app, "st", basicwork.RetryAFew)
		p.StartWork(nil)
		for k, secs := range []int{1, 2, 4} {
			p.crankAs(basicwork.Failure)
			require.Equal(t, basicwork.Waiting, p.State())
			require.Equal(t, "Retrying in "+strconv.Itoa(secs)+" sec: st", p.Status(), "retry %d", k)
			// Half a second later, the whole seconds left round down.
			app.clock.SleepFor(500 * time.Millisecond)
			require.Equal(t, "Retrying in "+strconv.Itoa(secs-1)+" sec: st", p.Status(), "retry %d", k)
			// The idle clock jumps to the retry, which wakes the work up.
			require.Equal(t, 1, app.clock.Crank(false))
			require.Equal(t, "Running: st", p.Status())
			require.Equal(t, k+1, p.Retries())
		}
	})
}

func TestStatePublicMapping(t *testing.T) {
	// Pending and Aborting read as Running, Retrying as Waiting.
	want := map[basicwork.InternalState]basicwork.State{
		basicwork.InternalPending:  basicwork.Running,
		basicwork.InternalRunning:  basicwork.Running,
		basicwork.InternalAborting: basicwork.Running,
		basicwork.InternalWaiting:  basicwork.Waiting,
		basicwork.InternalRetrying: basicwork.Waiting,
		basicwork.InternalSuccess:  basicwork.Success,
		basicwork.InternalFailure:  basicwork.Failure,
		basicwork.InternalAborted:  basicwork.Aborted,
	}
	for s, p := range want {
		require.Equal(t, p, s.Public(), s.String())
		require.Equal(t, p.IsDone(), s.IsDone(), s.String())
	}
	names := map[basicwork.State]string{
		basicwork.Running: "WORK_RUNNING",
		basicwork.Waiting: "WORK_WAITING",
		basicwork.Aborted: "WORK_ABORTED",
		basicwork.Success: "WORK_SUCCESS",
		basicwork.Failure: "WORK_FAILURE",
	}
	for s, name := range names {
		require.Equal(t, name, s.String())
	}
}
