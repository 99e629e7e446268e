package conditionalwork_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// The conditionalwork rows of docs/ROBUSTNESS.md.

// TestBadInputNilConditionOrWork: New refuses a nil work and a nil
// condition, with the C++ texts.
func TestBadInputNilConditionOrWork(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	c, err := conditionalwork.New(app, "c", func(basicwork.Application) bool { return true }, nil)
	require.Nil(t, c)
	require.ErrorIs(t, err, basicwork.ErrNilWork)
	require.EqualError(t, err, "Must provide valid work")
	c, err = conditionalwork.New(app, "c", nil, testworks.NewDefaultBasicWork(app, "w"))
	require.Nil(t, c)
	require.ErrorIs(t, err, conditionalwork.ErrNilCondition)
	require.EqualError(t, err, "Must provide valid condition function. Use BasicWork if condition is not needed.")
}

// TestBadInputZeroOrNegativeSleepDelay: with a zero or negative sleep
// delay, a condition that does not hold is checked again on the next idle
// crank; virtual time does not move (nor go backwards).
func TestBadInputZeroOrNegativeSleepDelay(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
		checks := 0
		w := testworks.NewBasicWork(app, "w", false, 1, basicwork.RetryNever)
		c, err := conditionalwork.New(app, "c", func(basicwork.Application) bool {
			checks++
			return checks > 5
		}, w, conditionalwork.WithSleepDelay(d))
		require.NoError(t, err)
		app.WorkScheduler().ScheduleWork(c)
		for n := 0; !c.IsDone(); n++ {
			require.Less(t, n, 1000)
			require.NotZero(t, app.Clock().Crank(false))
		}
		require.Equal(t, basicwork.Success, c.State())
		require.Equal(t, 6, checks)
		require.Equal(t, time.Millisecond, app.Clock().Elapsed(), "only the work's own 1 ms step")
		require.Zero(t, app.Clock().PendingTimers())
	}
}
