package basicwork_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
)

func TestCrankDoneOrWaitingPanics(t *testing.T) {
	cases := []struct {
		name  string
		setup func(p *probe)
		want  string
	}{
		{"waiting", func(p *probe) { p.StartWork(nil); p.crankAs(basicwork.Waiting) },
			"BasicWork error: cannot crank w in state WORK_WAITING"},
		{"waiting for a retry", func(p *probe) { p.StartWork(nil); p.crankAs(basicwork.Failure) },
			"BasicWork error: cannot crank w in state WORK_WAITING"},
		{"succeeded", func(p *probe) { p.StartWork(nil); p.crankAs(basicwork.Success) },
			"BasicWork error: cannot crank w in state WORK_SUCCESS"},
		{"failed", func(p *probe) {
			// The first failure is retried; the retry fails for good.
			p.StartWork(nil)
			p.crankAs(basicwork.Failure)
			p.App().Clock().Crank(false)
			p.crankAs(basicwork.Failure)
		}, "BasicWork error: cannot crank w in state WORK_FAILURE"},
		{"aborted", func(p *probe) { p.StartWork(nil); p.Shutdown(); p.CrankWork() },
			"BasicWork error: cannot crank w in state WORK_ABORTED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app, _ := newTestApp(t, nil)
			p := newProbe(app, "w", basicwork.RetryOnce)
			c.setup(p)
			runs := p.runs
			require.PanicsWithError(t, c.want, p.CrankWork)
			require.Equal(t, runs, p.runs, "OnRun must not be called")
		})
	}
}

func TestSetupWaitingCallbackTwiceWarns(t *testing.T) {
	app, logs := newTestApp(t, nil)
	p := newProbe(app, "twice", basicwork.RetryNever)
	p.then(func(p *probe) basicwork.State {
		p.SetupWaitingCallback(10 * time.Millisecond)
		p.SetupWaitingCallback(50 * time.Millisecond)
		return basicwork.Waiting
	}, returns(basicwork.Success))
	p.StartWork(nil)
	p.CrankWork()

	warn := logs.FilterMessage("twice: waiting timer is already set (no-op)")
	require.Equal(t, 1, warn.Len())
	require.Equal(t, zapcore.WarnLevel, warn.All()[0].Level)
	require.Equal(t, "WARNING", basicwork.LevelName(warn.All()[0].Level))

	// Only the first timer was armed: the work wakes up at 10 ms, and
	// nothing is left to fire at 50 ms.
	require.Equal(t, 1, app.clock.Crank(false))
	require.Equal(t, 10*time.Millisecond, app.clock.Elapsed())
	require.Equal(t, basicwork.Running, p.State())
	p.CrankWork()
	require.Equal(t, basicwork.Success, p.State())
	require.Equal(t, 0, app.clock.Crank(false))
	require.Equal(t, 10*time.Millisecond, app.clock.Elapsed())
}

func TestSetupWaitingCallbackNeedsRunning(t *testing.T) {
	app, _ := newTestApp(t, nil)
	p := newProbe(app, "w", basicwork.RetryNever)
	require.PanicsWithError(t, "BasicWork error: w sets up a waiting callback in state WORK_PENDING",
		func() { p.SetupWaitingCallback(time.Millisecond) })
}

func TestLevelNames(t *testing.T) {
	require.Equal(t, "TRACE", basicwork.LevelName(basicwork.TraceLevel))
	require.Equal(t, "DEBUG", basicwork.LevelName(zapcore.DebugLevel))
	require.Equal(t, "INFO", basicwork.LevelName(zapcore.InfoLevel))
	require.Equal(t, "WARNING", basicwork.LevelName(zapcore.WarnLevel))
	require.Equal(t, "ERROR", basicwork.LevelName(zapcore.ErrorLevel))
}
