package batchwork_test

// Go-only tests of BatchWork: a duplicate child, adding while aborting, a
// batch narrower than the default, and the status string.

import (
	"errors"
	"fmt"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// newListBatch returns a BatchWork, never retried, that yields items in
// order.
func newListBatch(app basicwork.Application, name string, items ...basicwork.Work) *batchwork.Seq {
	return batchwork.NewSlice(app, name, basicwork.RetryNever, items)
}

// recoverPanic runs f and returns what it panicked with, or nil.
func recoverPanic(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestDuplicateChildPanicsAndLeavesTreeUnchanged(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	x := testworks.NewDefaultBasicWork(e.App, "x")
	y := testworks.NewDefaultBasicWork(e.App, "y")
	dup := testworks.NewDefaultBasicWork(e.App, "x") // another work, same name
	b := newListBatch(e.App, "batch", x, y, dup)

	b.StartWork(nil)
	// The batch has no child yet, so its first crank calls DoWork, which
	// fills the batch from the iterator.
	v := recoverPanic(b.CrankWork)
	require.NotNil(t, v, "a duplicate name must panic")
	err, ok := v.(error)
	require.True(t, ok, "the panic value is an error, not %T", v)
	require.ErrorIs(t, err, batchwork.ErrDuplicate)
	require.EqualError(t, err, "BatchWork error: inserting duplicate work!")

	// The two works before it are in, started.
	require.Equal(t, 2, b.NumWorksInBatch())
	require.Equal(t, 2, b.TotalChildren())
	require.Len(t, b.Children(), 2)
	require.Equal(t, basicwork.InternalRunning, baseOf(x).InternalState())
	require.Equal(t, basicwork.InternalRunning, baseOf(y).InternalState())
	// The duplicate was neither added nor started.
	require.Equal(t, basicwork.InternalPending, baseOf(dup).InternalState())
	for _, c := range b.Children() {
		require.NotSame(t, baseOf(dup), baseOf(c))
	}
	require.Zero(t, dup.RunningCount)
}

func TestAddWhileAborting(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	b := newListBatch(e.App, "batch", testworks.NewDefaultBasicWork(e.App, "x"))
	b.StartWork(nil)
	b.Shutdown()
	require.True(t, b.IsAborting())

	late := testworks.NewDefaultBasicWork(e.App, "late")
	err := b.AddWork(late)
	require.EqualError(t, err, "batch is being aborted!")
	require.ErrorIs(t, err, work.ErrAborting)
	require.Equal(t, basicwork.InternalPending, baseOf(late).InternalState())

	// Topping the batch up while aborting is refused the same way (the C++
	// throws from addMoreWorkIfNeeded); nothing is taken from the iterator.
	v := recoverPanic(func() { b.DoWork() })
	perr, ok := v.(error)
	require.True(t, ok, "the panic value is an error, not %T", v)
	require.EqualError(t, perr, "batch is being aborted!")
	require.True(t, errors.Is(perr, work.ErrAborting))
	require.Zero(t, b.NumWorksInBatch())
	require.Zero(t, b.TotalChildren())
}

func TestBatchBandwidthOfTwo(t *testing.T) {
	const bandwidth = 2
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithConfig(basicwork.Config{MaxConcurrentSubprocesses: bandwidth}))
	wm := app.WorkScheduler()

	var items []basicwork.Work
	var works []*testworks.BasicWork
	for i := range 7 {
		w := testworks.NewDefaultBasicWork(app, fmt.Sprintf("w-%d", i))
		items = append(items, w)
		works = append(works, w)
	}
	b := newListBatch(app, "batch", items...)
	require.NotNil(t, wm.ScheduleWork(b))

	// Works taken from the iterator and not finished: at most the
	// bandwidth, after every crank.
	inFlight := func() int {
		n := 0
		for _, w := range works {
			if st := baseOf(w).InternalState(); st != basicwork.InternalPending && !st.IsDone() {
				n++
			}
		}
		return n
	}
	widest := 0
	for n := 0; !b.IsDone(); n++ {
		require.Less(t, n, upstreamtest.MaxCranks)
		clock.Crank(true)
		require.LessOrEqual(t, b.NumWorksInBatch(), bandwidth, "crank %d", n+1)
		require.LessOrEqual(t, inFlight(), bandwidth, "crank %d", n+1)
		widest = max(widest, b.NumWorksInBatch())
	}
	require.Equal(t, bandwidth, widest, "the batch was used at its full width")
	require.Equal(t, basicwork.Success, b.State())
	for _, w := range works {
		require.Equal(t, basicwork.Success, w.State(), w.Name())
		require.Equal(t, w.Steps, w.RunningCount, w.Name())
	}
	require.Equal(t, len(works), b.TotalChildren())
}

func TestBatchStatus(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	b := newListBatch(e.App, "batch",
		testworks.NewDefaultBasicWork(e.App, "a"),
		testworks.NewDefaultBasicWork(e.App, "b"),
		testworks.NewDefaultBasicWork(e.App, "c"))

	// No children yet: the BasicWork status alone.
	require.Equal(t, "Ready to run: batch", b.Status())
	require.NotNil(t, e.WM.ScheduleWork(b))
	require.Equal(t, "Running: batch", b.Status())

	// Then Work's children count is appended.
	suffix := regexp.MustCompile(`^Running: batch : [0-3]/3 children completed$`)
	for n := 0; !b.IsDone(); n++ {
		require.Less(t, n, upstreamtest.MaxCranks)
		e.Clock.Crank(true)
		if !b.IsDone() && b.TotalChildren() > 0 {
			require.Regexp(t, suffix, b.Status())
		}
	}
	require.Equal(t, "Succeeded: batch : 3/3 children completed", b.Status())
}
