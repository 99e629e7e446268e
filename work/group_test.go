package work_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

func TestGroupRunsEveryChild(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	a := testworks.NewBasicWork(app, "a", false, 1, basicwork.RetryNever)
	b := testworks.NewBasicWork(app, "b", false, 3, basicwork.RetryNever)
	c := testworks.NewBasicWork(app, "c", false, 2, basicwork.RetryNever)
	g := work.NewGroup(app, "group", basicwork.RetryNever, a, b, c)

	require.NoError(t, app.WorkScheduler().ExecuteWork(context.Background(), g))
	require.Equal(t, basicwork.Success, g.State())
	// Each child ran its own number of steps, once.
	require.Equal(t, []int{1, 3, 2}, []int{a.RunningCount, b.RunningCount, c.RunningCount})
	require.Equal(t, "Succeeded: group : 3/3 children completed", g.Status())
}

func TestGroupRetryStartsTheChildrenAgain(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	ok := testworks.NewBasicWork(app, "ok", false, 1, basicwork.RetryNever)
	bad := testworks.NewBasicWork(app, "bad", true, 2, basicwork.RetryNever)
	g := work.NewGroup(app, "group", basicwork.RetryOnce, ok, bad)

	_ = app.WorkScheduler().ExecuteWork(context.Background(), g)
	require.Equal(t, basicwork.Failure, g.State())
	// RetryOnce: two attempts of the group, each starting both children
	// afresh, so each child ran its steps twice and bad failed twice.
	require.Equal(t, 2, ok.SuccessCount)
	require.Equal(t, 2*2, bad.RunningCount)
	require.Equal(t, 2, bad.FailureCount)
}

func TestGroupNilChildPanicsWithErrNilWork(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	g := work.NewGroup(app, "group", basicwork.RetryNever, nil)
	require.PanicsWithValue(t, basicwork.ErrNilWork, func() {
		_ = app.WorkScheduler().ExecuteWork(context.Background(), g)
	})
}
