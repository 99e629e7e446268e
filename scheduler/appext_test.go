package scheduler_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// ledgerManager is a port's own manager, what a C++ mApp.getLedgerManager()
// would return: it records the ledgers closed, and is shut down with the
// application.
type ledgerManager struct {
	closed   []uint32
	shutdown bool
}

func (m *ledgerManager) closeLedger(seq uint32) { m.closed = append(m.closed, seq) }

// ledgerConfig is the port's own configuration.
type ledgerConfig struct {
	CheckpointFrequency uint32
}

// ledgerApp is a user-defined application: the library's application with
// processes, plus a manager and a config of its own, each behind one typed
// getter.
type ledgerApp struct {
	*process.App
	ledgers *ledgerManager
	cfg     ledgerConfig
}

// The port's works take a *ledgerApp; it is also what the library's works
// take, checked by the compiler, with no type assertion anywhere.
var (
	_ basicwork.Application = (*ledgerApp)(nil)
	_ process.Application   = (*ledgerApp)(nil)
)

func newLedgerApp(t *testing.T) *ledgerApp {
	clock := vclock.New(vclock.VirtualTime)
	base := scheduler.NewApp(clock, scheduler.WithTmpDir(t.TempDir()))
	a := &ledgerApp{App: process.NewApp(base), ledgers: &ledgerManager{}, cfg: ledgerConfig{CheckpointFrequency: 8}}
	base.AtShutdown(func() { a.ledgers.shutdown = true })
	t.Cleanup(func() {
		a.Shutdown()
		clock.Shutdown()
	})
	return a
}

func (a *ledgerApp) LedgerManager() *ledgerManager { return a.ledgers }
func (a *ledgerApp) LedgerConfig() *ledgerConfig   { return &a.cfg }

// closeCheckpointWork closes the ledgers of one checkpoint through its
// application's ledger manager.
type closeCheckpointWork struct {
	basicwork.BasicWork
	app        *ledgerApp
	checkpoint uint32
}

func newCloseCheckpointWork(app *ledgerApp, checkpoint uint32) *closeCheckpointWork {
	w := &closeCheckpointWork{app: app, checkpoint: checkpoint}
	w.Init(app, "close-checkpoint", basicwork.RetryNever, w)
	return w
}

func (w *closeCheckpointWork) OnRun() basicwork.State {
	// C++: mApp.getConfig() and mApp.getLedgerManager(), one typed call each.
	freq := w.app.LedgerConfig().CheckpointFrequency
	for seq := w.checkpoint + 1 - freq; seq <= w.checkpoint; seq++ {
		w.app.LedgerManager().closeLedger(seq)
	}
	return basicwork.Success
}

func (w *closeCheckpointWork) OnAbort() bool { return true }

// echoWork is a library RunCommandWork built from the same application.
type echoWork struct {
	process.RunCommandWork
	out string
}

func (w *echoWork) GetCommand() process.CommandInfo {
	return process.CommandInfo{Command: "echo closed", OutFile: w.out}
}

// TestApplicationExtension: a user-defined application reaches its own
// manager and config field from its works, the library's works run on it,
// and its manager is shut down with it, after the work scheduler.
func TestApplicationExtension(t *testing.T) {
	app := newLedgerApp(t)
	ws := app.WorkScheduler()

	w := newCloseCheckpointWork(app, 15)
	require.NoError(t, ws.ExecuteWork(context.Background(), w))
	require.Equal(t, basicwork.Success, w.State())
	// Checkpoint 15 at frequency 8 is ledgers 8 to 15.
	require.Equal(t, []uint32{8, 9, 10, 11, 12, 13, 14, 15}, app.LedgerManager().closed)
	require.Same(t, app, w.App(), "the work's App is the user's application")

	out := filepath.Join(t.TempDir(), "echo.out")
	e := &echoWork{out: out}
	e.Init(app, "echo", basicwork.RetryNever, e)
	require.NoError(t, ws.ExecuteWork(context.Background(), e))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "closed\n", string(got))
	require.Same(t, app.ProcessManager(), e.Manager())

	require.False(t, app.LedgerManager().shutdown)
	app.Shutdown()
	require.True(t, app.LedgerManager().shutdown, "the port's manager is shut down with the application")
	require.True(t, app.ProcessManager().IsShutdown())
	require.True(t, ws.IsAborting() || ws.IsDone())
}

// TestAtShutdown: the hooks run once, in order, when the work scheduler is
// shut down (here by the end of Run); one registered later runs at once.
func TestAtShutdown(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	defer clock.Shutdown()
	app := scheduler.NewApp(clock)
	var calls []string
	app.AtShutdown(func() { calls = append(calls, "first") })
	app.AtShutdown(func() { calls = append(calls, "second") })
	require.Panics(t, func() { app.AtShutdown(nil) })
	require.Empty(t, calls)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, app.WorkScheduler().Run(ctx), context.Canceled)
	require.Equal(t, []string{"first", "second"}, calls)
	app.Shutdown()
	app.WorkScheduler().Shutdown()
	require.Equal(t, []string{"first", "second"}, calls, "hooks run once")
	app.AtShutdown(func() { calls = append(calls, "late") })
	require.Equal(t, []string{"first", "second", "late"}, calls)
}
