package vclock_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/vclock"
)

// TestPostActionOnCrankMatchesPostAction runs one random script on two
// clocks from one goroutine: the first posts everything with PostAction,
// the second posts each action with either call, at random. Every crank
// must report the same progress and run the same actions, in the same
// order, at the same virtual time, and ActionQueueSize must agree before
// each crank: the lock-free path changes nothing but the cost.
func TestPostActionOnCrankMatchesPostAction(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		type run struct {
			log      []string
			progress []int
			size     []int // ActionQueueSize before each crank
		}
		script := rapid.SliceOfN(rapid.IntRange(0, 9), 1, 60).Draw(t, "script")
		onCrank := rapid.SliceOfN(rapid.Bool(), len(script)*4, len(script)*4).Draw(t, "onCrank")
		play := func(mixed bool) run {
			c := vclock.New(vclock.VirtualTime)
			var r run
			choice := 0
			post := func(f func(), name string) {
				local := mixed && onCrank[choice%len(onCrank)]
				choice++
				if local {
					c.PostActionOnCrank(f, name, vclock.NormalAction)
				} else {
					c.PostAction(f, name, vclock.NormalAction)
				}
			}
			var action func(id string, depth int) func()
			action = func(id string, depth int) func() {
				return func() {
					r.log = append(r.log, fmt.Sprintf("%s@%v", id, c.Elapsed()))
					if depth > 0 {
						// An action posting more, from inside the crank.
						post(action(id+"'", depth-1), "q"+id[:1])
					}
				}
			}
			for i, op := range script {
				id := fmt.Sprintf("%c%d", 'a'+rune(op%3), i)
				switch {
				case op < 5:
					post(action(id, op%3), "q"+id[:1])
				case op < 7:
					tm := vclock.NewTimer(c)
					tm.ExpiresFromNow(time.Duration(op) * time.Millisecond)
					tm.AsyncWait(func(err error) {
						if err == nil {
							r.log = append(r.log, "timer "+id)
							post(action(id, 0), "qt")
						}
					})
				default:
					r.size = append(r.size, c.ActionQueueSize())
					r.progress = append(r.progress, c.Crank(false))
				}
			}
			for n := c.Crank(false); n > 0; n = c.Crank(false) {
				r.progress = append(r.progress, n)
			}
			return r
		}
		want, got := play(false), play(true)
		require.Equal(t, want.progress, got.progress, "progress per crank")
		require.Equal(t, want.log, got.log, "actions run")
		require.Equal(t, want.size, got.size, "ActionQueueSize before each crank")
	})
}

// TestPostActionOnCrankOrderAgainstOtherGoroutines: a crank-goroutine post
// made while another goroutine's post is pending queues behind it, and one
// made before stays ahead, so one queue runs its actions in the order the
// posts happened.
func TestPostActionOnCrankOrderAgainstOtherGoroutines(t *testing.T) {
	remote := func(c *vclock.Clock, f func()) {
		var wg sync.WaitGroup
		wg.Go(func() { c.PostAction(f, "q", vclock.NormalAction) })
		wg.Wait()
	}
	for _, remoteFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("remoteFirst=%v", remoteFirst), func(t *testing.T) {
			c := newVirtual()
			var order []string
			local := func(name string) {
				c.PostActionOnCrank(func() { order = append(order, name) }, "q", vclock.NormalAction)
			}
			if remoteFirst {
				remote(c, func() { order = append(order, "remote") })
				local("local 1")
			} else {
				local("local 1")
				remote(c, func() { order = append(order, "remote") })
			}
			local("local 2")
			for c.Crank(false) > 0 {
			}
			if remoteFirst {
				require.Equal(t, []string{"remote", "local 1", "local 2"}, order)
			} else {
				require.Equal(t, []string{"local 1", "remote", "local 2"}, order)
			}
		})
	}
}

// TestPostActionOnCrankUnderConcurrentPosts: while other goroutines post,
// an action keeps posting its successor from the crank goroutine. Every
// action runs once, and each poster's actions run in the order it posted
// them (the race detector checks the hand-off).
func TestPostActionOnCrankUnderConcurrentPosts(t *testing.T) {
	const posters, perPoster, chain = 4, 2000, 5000
	c := newVirtual()
	last := make([]int, posters)
	for i := range last {
		last[i] = -1
	}
	chained := 0
	var step func()
	step = func() {
		chained++
		if chained < chain {
			c.PostActionOnCrank(step, "chain", vclock.NormalAction)
		}
	}
	c.PostActionOnCrank(step, "chain", vclock.NormalAction)
	var wg sync.WaitGroup
	var failed sync.Once
	var failure string
	for p := range posters {
		wg.Go(func() {
			for i := range perPoster {
				c.PostAction(func() {
					if last[p] != i-1 {
						failed.Do(func() { failure = fmt.Sprintf("poster %d: action %d after %d", p, i, last[p]) })
					}
					last[p] = i
				}, fmt.Sprintf("p%d", p%2), vclock.NormalAction)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			for c.Crank(false) > 0 {
			}
			require.Empty(t, failure)
			require.Equal(t, chain, chained)
			for p := range posters {
				require.Equal(t, perPoster-1, last[p], "poster %d", p)
			}
			return
		default:
			c.Crank(false)
		}
	}
}

// TestPostActionOnCrankAfterShutdownAndNil: after Shutdown the call
// does nothing, as PostAction does, and a nil action is refused.
func TestPostActionOnCrankAfterShutdownAndNil(t *testing.T) {
	c := newVirtual()
	require.PanicsWithValue(t, "vclock: PostAction with a nil action", func() {
		c.PostActionOnCrank(nil, "q", vclock.NormalAction)
	})
	c.Shutdown()
	ran := false
	c.PostActionOnCrank(func() { ran = true }, "q", vclock.NormalAction)
	require.Zero(t, c.ActionQueueSize())
	require.Zero(t, c.Crank(false))
	require.False(t, ran)

	// Posted by an action that then shuts the clock down: dropped, with
	// either call. The crank running that action counts it alone (1), and
	// the next finds nothing.
	for _, onCrank := range []bool{false, true} {
		c = newVirtual()
		c.PostAction(func() {
			if onCrank {
				c.PostActionOnCrank(func() { ran = true }, "q", vclock.NormalAction)
			} else {
				c.PostAction(func() { ran = true }, "q", vclock.NormalAction)
			}
			c.Shutdown()
		}, "q", vclock.NormalAction)
		require.Equal(t, 2, c.Crank(false)) // wake-up handler, transfer
		require.Equal(t, 1, c.Crank(false), "onCrank=%v", onCrank)
		require.Zero(t, c.ActionQueueSize())
		require.Zero(t, c.Crank(false))
		require.False(t, ran)
	}
}

// enqueueHookClock is a mock wall clock that calls hook once, the first
// time the action scheduler's Enqueue reads the time: a deterministic way
// to land another goroutine's post in the middle of a crank's transfer.
type enqueueHookClock struct {
	*clock.Mock
	hook func()
}

func (h *enqueueHookClock) Since(t time.Time) time.Duration {
	if h.hook != nil {
		pc := make([]uintptr, 16)
		frames := runtime.CallersFrames(pc[:runtime.Callers(2, pc)])
		for f, more := frames.Next(); ; f, more = frames.Next() {
			if strings.Contains(f.Function, "actionsched.(*Scheduler).Enqueue") {
				hook := h.hook
				h.hook = nil
				hook()
				break
			}
			if !more {
				break
			}
		}
	}
	return h.Mock.Since(t)
}

// TestPostDuringTransferOfCrankPosts: another goroutine posts while the
// crank moves an action into the scheduler. With one locked swap (all
// PostAction) that post either joins the transfer without a wake-up or
// waits for the next crank with its own; it must be the same when the
// action being moved was posted with PostActionOnCrank. (Both flags are
// cleared in one step; clearing the crank's own flag first let the post
// queue a wake-up and still join the transfer: one crank too much
// progress.)
func TestPostDuringTransferOfCrankPosts(t *testing.T) {
	run := func(onCrank bool) []int {
		wall := &enqueueHookClock{Mock: clock.NewMock()}
		c := vclock.New(vclock.RealTime, vclock.WithWallClock(wall))
		noop := func() {}
		if onCrank {
			c.PostActionOnCrank(noop, "x", vclock.NormalAction)
		} else {
			c.PostAction(noop, "x", vclock.NormalAction)
		}
		wall.hook = func() {
			var wg sync.WaitGroup
			wg.Go(func() { c.PostAction(noop, "y", vclock.NormalAction) })
			wg.Wait()
		}
		var progress []int
		for n := c.Crank(false); n > 0; n = c.Crank(false) {
			progress = append(progress, n)
		}
		return progress
	}
	require.Equal(t, run(false), run(true))
}

// TestNoLostWakeUpWithBothPostPaths: blocking cranks while another
// goroutine posts and the actions it posted post again from the crank
// goroutine. Every action runs and no blocking crank waits forever.
func TestNoLostWakeUpWithBothPostPaths(t *testing.T) {
	for range 100 {
		c := newVirtual()
		const n = 300
		var remoteRan atomic.Int64
		localPosted, localRan := 0, 0
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range n {
				if i%7 == 0 {
					runtime.Gosched()
				}
				c.PostAction(func() {
					remoteRan.Add(1)
					if i%2 == 0 {
						localPosted++
						c.PostActionOnCrank(func() { localRan++ }, "l", vclock.NormalAction)
					}
				}, "r", vclock.NormalAction)
			}
		}()
		for remoteRan.Load() < n || localRan < localPosted {
			cranked := make(chan struct{})
			stuck := time.AfterFunc(10*time.Second, func() {
				select {
				case <-cranked:
				default:
					panic("a blocking crank waited 10 s with actions pending")
				}
			})
			c.Crank(true)
			close(cranked)
			stuck.Stop()
		}
		<-done
	}
}

// TestPostActionOnCrankProgressCounts: an action that keeps posting its
// next step from the crank goroutine gets the progress counts that
// PostAction gives. Crank 1 runs the wake-up handler and moves the first
// step (2); each later crank runs the wake-up left by the previous step's
// post (from crank 3 on), the step, and moves its successor, if any.
func TestPostActionOnCrankProgressCounts(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	var out []string
	n := 0
	var step func()
	step = func() {
		n++
		out = append(out, fmt.Sprint("step ", n))
		if n < 3 {
			clock.PostActionOnCrank(step, "loop", vclock.NormalAction)
		}
	}
	clock.PostAction(step, "loop", vclock.NormalAction)
	for p := clock.Crank(false); p > 0; p = clock.Crank(false) {
		out = append(out, fmt.Sprint("progress ", p))
	}
	require.Equal(t, []string{"progress 2", "step 1", "progress 2", "step 2", "progress 3", "step 3", "progress 2"}, out)
}
