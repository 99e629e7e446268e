package conditionalwork_test

// Go-only tests of ConditionalWork: the rejections of New, the status
// strings, the sleep between checks, and a reset after the condition was
// consumed.

import (
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
)

func TestNewRejections(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	w := testworks.NewDefaultBasicWork(e.App, "w")
	always := func(basicwork.Application) bool { return true }

	c, err := conditionalwork.New(e.App, "c", always, nil)
	require.Nil(t, c)
	require.ErrorIs(t, err, basicwork.ErrNilWork)
	require.EqualError(t, err, "Must provide valid work")

	c, err = conditionalwork.New(e.App, "c", nil, w)
	require.Nil(t, c)
	require.ErrorIs(t, err, conditionalwork.ErrNilCondition)
	require.EqualError(t, err, "Must provide valid condition function. Use BasicWork if condition is not needed.")

	// With both missing, the work is checked first, as in the C++.
	_, err = conditionalwork.New(e.App, "c", nil, nil)
	require.ErrorIs(t, err, basicwork.ErrNilWork)

	require.Equal(t, basicwork.InternalPending, baseOf(w).InternalState())
}

func TestConditionalStatus(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	w := testworks.NewBasicWork(e.App, "w", false, 2, basicwork.RetryNever)
	open := false
	c, err := conditionalwork.New(e.App, "c", func(basicwork.Application) bool { return open }, w)
	require.NoError(t, err)

	// Until the work starts, the prefix and the work's own status.
	require.Equal(t, "Waiting before starting Ready to run: w", c.Status())
	require.NotNil(t, e.WM.ScheduleWork(c))
	e.CrankWhile(func() bool { return c.State() != basicwork.Waiting })
	require.Equal(t, "Waiting before starting Ready to run: w", c.Status())

	// From then on, only the work's status: never its own.
	open = true
	var seen []string
	for n := 0; !c.IsDone(); n++ {
		require.Less(t, n, upstreamtest.MaxCranks)
		e.Crank()
		if st := c.Status(); len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
	}
	require.Equal(t, []string{
		"Waiting before starting Ready to run: w",
		"Running: w",
		"Succeeded: w",
	}, seen)
}

func TestConditionCheckedEverySleepDelay(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	w := testworks.NewDefaultBasicWork(e.App, "w")
	openAt := 350 * time.Millisecond
	var checkedAt []time.Duration
	cond := func(basicwork.Application) bool {
		checkedAt = append(checkedAt, e.Clock.Elapsed())
		return e.Clock.Elapsed() >= openAt
	}
	c, err := conditionalwork.New(e.App, "c", cond, w, conditionalwork.WithSleepDelay(100*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, e.WM.ExecuteWork(t.Context(), c))

	require.Equal(t, basicwork.Success, c.State())
	require.Equal(t, basicwork.Success, w.State())
	// Checked at once, then every 100 ms until it held; never again after.
	require.Equal(t, []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond,
		300 * time.Millisecond, 400 * time.Millisecond}, checkedAt)
}

// A ConditionalWork drops its condition once the condition holds. If it is
// restarted after that, the C++ would call the null function; the Go port
// takes the condition as met (it is monotonic), without calling anything.
func TestResetAfterConditionConsumedTreatsConditionAsMet(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	w := testworks.NewDefaultBasicWork(e.App, "w")
	calls := 0
	holds := true
	c, err := conditionalwork.New(e.App, "c", func(basicwork.Application) bool {
		calls++
		return holds
	}, w)
	require.NoError(t, err)

	run := func() {
		t.Helper()
		c.StartWork(nil)
		for n := 0; !c.IsDone(); n++ {
			require.Less(t, n, 100)
			c.CrankWork()
		}
	}
	run()
	require.Equal(t, basicwork.Success, c.State())
	require.Equal(t, 1, calls)
	require.Equal(t, 1, w.SuccessCount)

	// A condition that no longer holds is not asked: it was consumed.
	holds = false
	run()
	require.Equal(t, basicwork.Success, c.State())
	require.Equal(t, 1, calls, "the consumed condition must not be called again")
	require.Equal(t, 2, w.SuccessCount)
	require.Equal(t, 2*w.Steps, w.RunningCount)
}

func TestConditionalAbortBeforeStartDoesNotStartWork(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	w := testworks.NewDefaultBasicWork(e.App, "w")
	c, err := conditionalwork.New(e.App, "c", func(basicwork.Application) bool { return true }, w)
	require.NoError(t, err)
	c.StartWork(nil)
	c.Shutdown()
	c.CrankWork()
	require.Equal(t, basicwork.Aborted, c.State())
	require.Equal(t, basicwork.InternalPending, baseOf(w).InternalState())
	require.Zero(t, w.AbortCount)
}
