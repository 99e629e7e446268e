package work_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// a6bChainAgain makes n Works that have each run once as a parent, and are
// done and hold no child, then adds them to each other from the top
// down, outside any crank: works[i].AddWork(works[i+1]). It returns how
// long the top-down adds took.
func a6bChainAgain(t *testing.T, n int) time.Duration {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	works := make([]*cycleWork, n)
	for i := range works {
		w := &cycleWork{}
		w.Init(app, fmt.Sprintf("w%d", i), basicwork.RetryNever, w)
		works[i] = w
	}
	// Each work runs once on its own, cranked by hand: it adds a child,
	// which succeeds, and then succeeds itself, dropping the child (its
	// link to the child is gone: only the flag that it was a parent stays).
	for _, w := range works {
		w.StartWork(func() {})
		c := &cycleWork{}
		c.Init(app, "c", basicwork.RetryNever, c)
		require.NoError(t, w.AddWork(c))
		c.CrankWork()
		w.CrankWork()
		require.Equal(t, basicwork.Success, w.State())
		require.False(t, w.HasChildren())
	}
	app.WorkScheduler().ScheduleWork(works[0])
	start := time.Now()
	for i := 0; i+1 < n; i++ {
		require.NoError(t, works[i].AddWork(works[i+1]))
	}
	d := time.Since(start)
	path := basicwork.PathOf(works[n-1])
	require.True(t, strings.HasPrefix(path, "work-scheduler/w0/w1/"), path[:40])
	require.True(t, strings.HasSuffix(path, fmt.Sprintf("/w%d/w%d", n-2, n-1)))
	return d
}

// TestAttack6bTopDownAddOfFormerParentsIsLinear: each add registers a work
// that has been a parent (wasParent), so the cycle check may walk up from
// the new parent, which is as deep as the chain so far: n such adds take
// n*n/2 steps if it walks for every work that has been a parent, though
// none of these holds a child any more. Twice the
// works must take about twice as long (3 times leaves room for noise), not
// four times. Measured: 0.9 ms and 1.9 ms for 5,000 and 10,000 works
// before the cycle check (9c8ab7a~1), 50 ms and 272 ms after it (about 27
// s at depth 100,000).
//
// The check walks only for a work that holds a registered child now:
// with that, 1.5 ms and 3.2 ms.
func TestAttack6bTopDownAddOfFormerParentsIsLinear(t *testing.T) {
	const n = 5_000
	small := min(a6bChainAgain(t, n), a6bChainAgain(t, n))
	big := min(a6bChainAgain(t, 2*n), a6bChainAgain(t, 2*n))
	t.Logf("top-down adds: %d works %v, %d works %v", n, small, 2*n, big)
	require.Less(t, big, 3*small+20*time.Millisecond)
}
