package batchwork_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

func appWithBandwidth(n int) *scheduler.App {
	cfg := basicwork.DefaultConfig()
	cfg.MaxConcurrentSubprocesses = n
	return scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithConfig(cfg))
}

func TestSeqYieldsLazilyWithinTheBandwidth(t *testing.T) {
	app := appWithBandwidth(2)
	var made []*testworks.BasicWork
	most := 0
	seq := func(yield func(basicwork.Work) bool) {
		for i := range 5 {
			w := testworks.NewBasicWork(app, fmt.Sprintf("child-%d", i), false, 2, basicwork.RetryNever)
			made = append(made, w)
			unfinished := 0
			for _, m := range made {
				if m.State() != basicwork.Success {
					unfinished++
				}
			}
			most = max(most, unfinished)
			if !yield(w) {
				return
			}
		}
	}
	b := batchwork.NewSeq(app, "batch", basicwork.RetryNever, seq)
	ex := app.WorkScheduler()
	ex.ScheduleWork(b)
	for !b.IsDone() {
		app.Clock().Crank(false)
	}
	require.Equal(t, basicwork.Success, b.State())
	require.Len(t, made, 5)
	for _, w := range made {
		require.Equal(t, 1, w.SuccessCount, w.Name())
	}
	// The batch drops its finished children before it tops up, and pulls
	// a child only when it has room for it: with room for two, no more
	// than two children were ever made and unfinished at once. An eager
	// iterator would have made all five before the first one finished.
	require.Equal(t, 2, most)
}

func TestSliceRetryYieldsTheSameWorksAgain(t *testing.T) {
	app := appWithBandwidth(4)
	ok := testworks.NewBasicWork(app, "ok", false, 1, basicwork.RetryNever)
	bad := testworks.NewBasicWork(app, "bad", true, 1, basicwork.RetryNever)
	b := batchwork.NewSlice(app, "batch", basicwork.RetryOnce, []basicwork.Work{ok, bad})
	_ = app.WorkScheduler().ExecuteWork(context.Background(), b)
	require.Equal(t, basicwork.Failure, b.State())
	// Two attempts of the batch, each yielding both works from the start.
	require.Equal(t, 2, bad.FailureCount)
	require.Equal(t, 2, bad.RunningCount)
}

func TestSeqShutdownReleasesTheIterator(t *testing.T) {
	defer goleak.VerifyNone(t)
	app := appWithBandwidth(1)
	seq := func(yield func(basicwork.Work) bool) {
		for i := 0; ; i++ {
			if !yield(testworks.NewBasicWork(app, fmt.Sprintf("child-%d", i), false, 1000, basicwork.RetryNever)) {
				return
			}
		}
	}
	b := batchwork.NewSeq(app, "endless", basicwork.RetryNever, seq)
	app.WorkScheduler().ScheduleWork(b)
	for range 50 {
		app.Clock().Crank(false)
	}
	require.Equal(t, 1, b.NumWorksInBatch(), "the batch is mid-way, its iterator suspended")
	b.Shutdown()
	for !b.IsDone() {
		app.Clock().Crank(false)
	}
	require.Equal(t, basicwork.InternalAborted, b.InternalState())
	// goleak.VerifyNone, deferred above, fails if iter.Pull's goroutine
	// is still parked in the endless iterator.
}

// TestSliceLeftUnfinishedHoldsNoGoroutine: a NewSlice batch abandoned
// half-way (never shut down, as a test that stops early leaves it) holds
// no goroutine: a slice is walked by index, not through a pulled iterator.
func TestSliceLeftUnfinishedHoldsNoGoroutine(t *testing.T) {
	app := appWithBandwidth(1)
	works := []basicwork.Work{
		testworks.NewBasicWork(app, "a", false, 1000, basicwork.RetryNever),
		testworks.NewBasicWork(app, "b", false, 1000, basicwork.RetryNever),
	}
	b := batchwork.NewSlice(app, "batch", basicwork.RetryNever, works)
	app.WorkScheduler().ScheduleWork(b)
	for range 10 {
		app.Clock().Crank(false)
	}
	// Room for one: a runs, b is still to come.
	require.Equal(t, 1, b.NumWorksInBatch())
	require.True(t, b.HasNext())
	goleak.VerifyNone(t)
}
