package batchwork_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// The batchwork rows of docs/ROBUSTNESS.md.

// TestBadInputDuplicateChild: a child named as one in the batch panics
// with ErrDuplicate (the C++ text) before it is added or started; the
// scheduler has posted itself again, and a caller that recovers cranks the
// batch on to success with the children it has.
func TestBadInputDuplicateChild(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	x := testworks.NewDefaultBasicWork(app, "x")
	dup := testworks.NewDefaultBasicWork(app, "x")
	b := newListBatch(app, "batch", x, dup)
	app.WorkScheduler().ScheduleWork(b)
	var v any
	for n := 0; v == nil; n++ {
		require.Less(t, n, 100, "no panic")
		v = recoverPanic(func() { app.Clock().Crank(false) })
	}
	require.Equal(t, batchwork.ErrDuplicate, v)
	require.Equal(t, 1, b.NumWorksInBatch())
	require.Equal(t, basicwork.InternalPending, baseOf(dup).InternalState())
	for n := 0; !b.IsDone(); n++ {
		require.Less(t, n, 1000)
		require.NotZero(t, app.Clock().Crank(false))
	}
	require.Equal(t, basicwork.Success, b.State())
	require.Equal(t, 3, x.RunningCount)
	require.Zero(t, dup.RunningCount)
}

// TestBadInputNilChild: an iterator that yields nil panics with an
// *InvariantError naming the batch.
func TestBadInputNilChild(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	b := newListBatch(app, "batch", nil)
	b.StartWork(nil)
	v := recoverPanic(b.CrankWork)
	err, _ := v.(error)
	require.ErrorIs(t, err, basicwork.ErrInvariant)
	require.EqualError(t, err, "BatchWork error: batch yielded a nil work")
	require.Zero(t, b.NumWorksInBatch())
}

// TestBadInputBandwidth: a batch bandwidth (MaxConcurrentSubprocesses)
// below 1 is refused when the application is built.
func TestBadInputBandwidth(t *testing.T) {
	for _, n := range []int{0, -1} {
		v := recoverPanic(func() {
			scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithConfig(basicwork.Config{MaxConcurrentSubprocesses: n}))
		})
		require.Contains(t, v, "MaxConcurrentSubprocesses must be at least 1")
	}
}
