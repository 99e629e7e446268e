package scheduler_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// neverAborts runs until shut down, and then never finishes its abort.
type neverAborts struct {
	basicwork.BasicWork
	aborts atomic.Int64
}

func (w *neverAborts) OnRun() basicwork.State { return basicwork.Running }
func (w *neverAborts) OnAbort() bool          { w.aborts.Add(1); return false }

// TestAttackShutdownFromAnotherGoroutineEndsExecuteWork follows the
// ExecuteWork doc: a work whose OnAbort never returns true keeps
// ExecuteWork cranking after ctx is done, and another goroutine stops the
// clock. A Shutdown called there directly ran while the busy crank used
// the clock's timer queue and action scheduler (a data race under -race);
// the doc now says to post it, and the crank runs it. Run with -race.
func TestAttackShutdownFromAnotherGoroutineEndsExecuteWork(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	w := &neverAborts{}
	w.Init(app, "stuck", basicwork.RetryNever, w)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for w.aborts.Load() < 100 {
		}
		clock.PostAction(clock.Shutdown, "shutdown", vclock.NormalAction)
	}()
	cancel()
	err := app.WorkScheduler().ExecuteWork(ctx, w)
	<-done
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
	require.True(t, clock.IsStopped())
	require.Equal(t, basicwork.Running, w.State(), "never finished its abort: stopped mid-abort")
}
