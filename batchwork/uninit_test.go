package batchwork_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// rawLeaf is a work whose Init is never called.
type rawLeaf struct{ basicwork.BasicWork }

func (*rawLeaf) OnRun() basicwork.State { return basicwork.Success }
func (*rawLeaf) OnAbort() bool          { return true }

// TestSeqUninitChildDroppedAfterOnePanic: a NewSeq batch whose iterator
// yields a work whose Init was not called panics once, with a
// *basicwork.NotInitialisedError naming the batch, and drops it, as it
// drops a nil or duplicate child: a caller that recovers and cranks on sees
// the batch finish with the other children. Before, the child was held and
// offered again on every top-up: a panic every few cranks, for ever, with
// b never started.
func TestSeqUninitChildDroppedAfterOnePanic(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	a := testworks.NewDefaultBasicWork(app, "a")
	b := testworks.NewDefaultBasicWork(app, "b")
	s := batchwork.NewSeq(app, "s", basicwork.RetryNever, slices.Values([]basicwork.Work{a, &rawLeaf{}, b}))
	app.WorkScheduler().ScheduleWork(s)
	var panics []any
	for n := 0; !s.IsDone(); n++ {
		require.Less(t, n, 10_000, "the batch never finishes")
		if v := recoverPanic(func() { app.Clock().Crank(false) }); v != nil {
			panics = append(panics, v)
		}
	}
	require.Len(t, panics, 1, "one panic, then the child is dropped")
	err, _ := panics[0].(error)
	require.ErrorIs(t, err, basicwork.ErrNotInitialised)
	require.ErrorContains(t, err, "batchwork.Seq s: a yielded child")
	require.ErrorContains(t, err, "*batchwork_test.rawLeaf")
	require.Equal(t, basicwork.Success, s.State())
	require.Equal(t, basicwork.Success, a.State())
	require.Equal(t, basicwork.Success, b.State())
}

// TestNewSliceUninitWorkPanics: NewSlice refuses a work whose Init was not
// called, naming the batch and the position, before building anything.
func TestNewSliceUninitWorkPanics(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	a := testworks.NewDefaultBasicWork(app, "a")
	v := recoverPanic(func() { batchwork.NewSlice(app, "s", 0, []basicwork.Work{a, &rawLeaf{}}) })
	err, _ := v.(error)
	require.ErrorIs(t, err, basicwork.ErrNotInitialised)
	require.EqualError(t, err, "basicwork: batchwork.NewSlice s, position 1 on a *batchwork_test.rawLeaf whose Init was not called: call Init(app, name, maxRetries, self) before using the work")
}
