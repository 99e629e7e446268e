package vclock_test

import (
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/vclock"
)

// crankBusy is the start of the panic of a Crank refused by the ownership
// guard.
const crankBusy = "vclock: Crank called while a Crank of the same clock is running"

// requireCrankBusy checks that v is the ownership guard's panic: the error
// ErrCrankMisuse, whose message names both misuses.
func requireCrankBusy(t *testing.T, v any) {
	t.Helper()
	err, ok := v.(error)
	require.True(t, ok, "panic value %v", v)
	require.ErrorIs(t, err, vclock.ErrCrankMisuse)
	s := err.Error()
	require.Contains(t, s, crankBusy)
	require.Contains(t, s, "two goroutines")
	require.Contains(t, s, "nested")
}

// TestCrankOwnershipTwoGoroutines is issue 16's case 3: 100,000 actions
// posted on 3 queues, then two goroutines each calling Crank(false) 10,000
// times. Whether their cranks overlap depends on the scheduler of the Go
// runtime; a crank that does overlap must panic with the guard's message
// and change nothing. Every action then runs exactly once, in posting order
// within its queue, and later cranks work. (Without the guard the two
// cranks share the action scheduler unsynchronised: the race detector
// reports it, and runs lost most actions and then panicked on every crank.)
func TestCrankOwnershipTwoGoroutines(t *testing.T) {
	const actions, queues, cranks = 100_000, 3, 10_000
	c := newVirtual()
	var mu sync.Mutex // the actions of both goroutines' cranks share ran
	ran := make([][]int, queues)
	for i := range actions {
		q := i % queues
		c.PostAction(func() {
			mu.Lock()
			ran[q] = append(ran[q], i)
			mu.Unlock()
		}, "q"+strconv.Itoa(q), vclock.NormalAction)
	}
	var wg sync.WaitGroup
	refused := make([]int, 2)
	for g := range 2 {
		wg.Go(func() {
			for range cranks {
				if v := panicValue(func() { c.Crank(false) }); v != nil {
					requireCrankBusy(t, v)
					refused[g]++
				}
			}
		})
	}
	wg.Wait()
	t.Logf("cranks refused: %v", refused)
	// 100,000 actions at 99 per crank need 1,011 cranks: 20,000 cranks
	// less those refused ran them all.
	drain(t, c)
	require.Zero(t, c.ActionQueueSize())
	total := 0
	for q, got := range ran {
		total += len(got)
		for k, i := range got {
			require.Equal(t, q+k*queues, i, "queue %d, action %d", q, k)
		}
	}
	require.Equal(t, actions, total, "every action ran once")
	// Later cranks work.
	done := false
	c.PostAction(func() { done = true }, "q0", vclock.NormalAction)
	// A post to an idle clock queues a wake-up: the I/O handler and the
	// transfer, then the action.
	require.Equal(t, 2, c.Crank(false), "the wake-up and the transfer")
	require.Equal(t, 1, c.Crank(false), "the action")
	require.True(t, done)
}

// TestCrankOwnershipConcurrentIsRefused: while one goroutine's crank runs
// an action, a Crank from another goroutine panics at once, and the
// running crank finishes as if nothing happened.
func TestCrankOwnershipConcurrentIsRefused(t *testing.T) {
	c := newVirtual()
	inside, release := make(chan struct{}), make(chan struct{})
	var order []string
	c.PostAction(func() {
		order = append(order, "a")
		close(inside)
		<-release
	}, "q", vclock.NormalAction)
	c.PostAction(func() { order = append(order, "b") }, "q", vclock.NormalAction)
	require.Equal(t, 3, c.Crank(false), "the first post's wake-up, and two actions moved")

	var progress int
	var wg sync.WaitGroup
	wg.Go(func() { progress = c.Crank(false) })
	<-inside
	requireCrankBusy(t, panicValue(func() { c.Crank(false) }))
	requireCrankBusy(t, panicValue(func() { c.Crank(true) }))
	close(release)
	wg.Wait()
	require.Equal(t, 2, progress, "both actions ran in the first crank")
	require.Equal(t, []string{"a", "b"}, order)
	require.Equal(t, 0, c.Crank(false), "and the clock is idle again")
}

// TestCrankOwnershipNested: a Crank from inside an action or a timer
// callback panics; the panic goes up through the outer Crank, which gives
// the clock back, so the caller that recovers cranks on and nothing posted
// is lost.
func TestCrankOwnershipNested(t *testing.T) {
	t.Run("action", func(t *testing.T) {
		c := newVirtual()
		var order []string
		post := func(name string, f func()) {
			c.PostAction(func() { order = append(order, name); f() }, "q", vclock.NormalAction)
		}
		post("a", func() {})
		post("nest", func() { c.Crank(false) })
		post("c", func() {})
		require.Equal(t, 4, c.Crank(false), "the wake-up and three moved")
		requireCrankBusy(t, panicValue(func() { c.Crank(false) }))
		require.Equal(t, []string{"a", "nest"}, order)
		require.Equal(t, 1, c.ActionQueueSize(), "c still queued")
		require.Equal(t, 1, c.Crank(false))
		require.Equal(t, []string{"a", "nest", "c"}, order)
	})
	t.Run("timer", func(t *testing.T) {
		c := newVirtual()
		var fired []string
		for i, nest := range []bool{false, true, false} {
			tm := vclock.NewTimer(c)
			tm.ExpiresFromNow(time.Second) // all due together
			tm.AsyncWait(func(err error) {
				require.NoError(t, err)
				fired = append(fired, strconv.Itoa(i))
				if nest {
					c.Crank(true)
				}
			})
		}
		requireCrankBusy(t, panicValue(func() { c.Crank(false) }))
		require.Equal(t, []string{"0", "1"}, fired)
		require.Equal(t, 1, c.PendingTimers(), "the third is queued again")
		require.Equal(t, 1, c.Crank(false))
		require.Equal(t, []string{"0", "1", "2"}, fired)
		require.Equal(t, time.Second, c.Elapsed())
	})
}

// TestCrankOwnershipBlockedRealTime: a RealTime Crank(true) waiting for a
// post is still cranking: another goroutine's Crank panics, and the post
// that follows wakes the waiting crank as usual.
func TestCrankOwnershipBlockedRealTime(t *testing.T) {
	c, _ := newRealWithMock()
	var progress int
	var wg sync.WaitGroup
	wg.Go(func() { progress = c.Crank(true) })
	for !c.Blocked() {
		runtime.Gosched()
	}
	requireCrankBusy(t, panicValue(func() { c.Crank(false) }))
	ran := false
	c.PostAction(func() { ran = true }, "q", vclock.NormalAction)
	wg.Wait()
	require.Equal(t, 1, progress, "woken by the post's I/O handler")
	require.Equal(t, 1, c.Crank(false), "the transfer")
	require.Equal(t, 1, c.Crank(false), "the action")
	require.True(t, ran)
}
