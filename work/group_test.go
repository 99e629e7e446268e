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

func TestNewGroupRefusesBadChildren(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	a := testworks.NewBasicWork(app, "a", false, 1, basicwork.RetryNever)

	// nil: an error wrapping ErrNilWork, naming the group and the slot.
	v := recoverValue(func() { work.NewGroup(app, "g", basicwork.RetryNever, a, nil) })
	err, ok := v.(error)
	require.True(t, ok, "panic value %v", v)
	require.ErrorIs(t, err, basicwork.ErrNilWork)
	require.Contains(t, err.Error(), `NewGroup "g": child 1`)

	// Not initialised: a *NotInitialisedError.
	v = recoverValue(func() { work.NewGroup(app, "g", basicwork.RetryNever, &testworks.StepWork{}) })
	err, ok = v.(error)
	require.True(t, ok, "panic value %v", v)
	require.ErrorIs(t, err, basicwork.ErrNotInitialised)

	// The same child twice: it could only be started once, and the
	// second add would panic half-way through the group's first run.
	v = recoverValue(func() { work.NewGroup(app, "g", basicwork.RetryNever, a, a) })
	require.Equal(t, `work: NewGroup "g": child 1 (a) is child 0 again: a work can be added once`, v)
}

func recoverValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// panicOnReset panics in its first OnReset, which runs when its parent
// starts it: the panic comes out of the group's DoWork half-way through
// adding the children.
type panicOnReset struct {
	testworks.BasicWork
	resets int
}

func (w *panicOnReset) OnReset() {
	w.BasicWork.OnReset()
	if w.resets++; w.resets == 1 {
		panic("OnReset fails once")
	}
}

func TestGroupRecoveredPanicWhileAddingLeavesNoChildOut(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	a := testworks.NewBasicWork(app, "a", false, 1, basicwork.RetryNever)
	b := &panicOnReset{}
	b.Fail, b.Steps, b.Count = false, 1, 1
	b.Init(app, "b", basicwork.RetryNever, b)
	c := testworks.NewBasicWork(app, "c", true, 1, basicwork.RetryNever)
	g := work.NewGroup(app, "g", basicwork.RetryNever, a, b, c)
	app.WorkScheduler().ScheduleWork(g)

	panics := 0
	for i := 0; i < 1000 && !g.IsDone(); i++ {
		func() {
			defer func() {
				if recover() != nil {
					panics++
				}
			}()
			app.Clock().Crank(false)
		}()
	}
	require.Equal(t, 1, panics)
	// Every child ran, b after its start was taken back and done again,
	// and c's failure fails the group: before, the group skipped b and c
	// after the panic and ended Succeeded over a alone.
	require.Equal(t, 1, a.SuccessCount)
	require.Equal(t, 1, b.SuccessCount)
	require.Equal(t, 1, c.FailureCount)
	require.Equal(t, basicwork.Failure, g.State())
}
