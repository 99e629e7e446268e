package scheduler_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/internal/vclockhook"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// collected reports whether p's object is gone after a few collections.
func collected[T any](p weak.Pointer[T]) bool {
	for range 4 {
		runtime.GC()
		if p.Value() == nil {
			return true
		}
	}
	return false
}

// runApp makes an App on c, runs a work of steps steps to success on it,
// checking that its WorkScheduler holds the clock's Self while it posts,
// and returns weak pointers to the App and its WorkScheduler.
func runApp(t *testing.T, c *vclock.Clock, steps int) (weak.Pointer[scheduler.App], weak.Pointer[scheduler.WorkScheduler]) {
	app := scheduler.NewApp(c)
	w := testworks.NewBasicWork(app, "w", false, steps, 0)
	require.NotNil(t, app.WorkScheduler().ScheduleWork(w))
	require.NotNil(t, vclockhook.SelfOf(c).Fn, "the WorkScheduler holds the Self")
	// Until the scheduler's last crank, which finds it waiting.
	for c.Crank(false) > 0 {
	}
	require.Equal(t, basicwork.Success, w.State())
	return weak.Make(app), weak.Make(app.WorkScheduler())
}

// TestAttack5DoneAppIsCollectable: an App whose work is done, dropped
// while its clock lives on, is collected: neither the clock's Self (which
// its WorkScheduler held while it posted itself), nor the action
// scheduler's slot its action ran from, nor the clock's posts keep it. A
// second App made on the clock then, and a third made after it was
// dropped in turn, post through the Self, which each gives back when done.
func TestAttack5DoneAppIsCollectable(t *testing.T) {
	c := vclock.New(vclock.VirtualTime)
	self := vclockhook.SelfOf(c)
	for i := range 3 {
		app, ws := runApp(t, c, 3+i)
		require.Nil(t, self.Fn, "app %d gave the Self back", i)
		require.True(t, collected(ws), "app %d's WorkScheduler is collected", i)
		require.True(t, collected(app), "app %d is collected", i)
	}
	// The clock still works, and holds nothing posted.
	require.Zero(t, c.ActionQueueSize())
	runtime.KeepAlive(c)
}

// TestAttack5PostsRaceTheRepost: while ExecuteWork cranks a work of many
// steps, whose WorkScheduler posts itself again through the clock's Self
// on every crank, two goroutines post to the WorkScheduler's own queue and
// to another, in both clock modes. The work succeeds after exactly its
// steps, every post runs once, and the Self is given back at the end.
func TestAttack5PostsRaceTheRepost(t *testing.T) {
	for _, mode := range []vclock.Mode{vclock.VirtualTime, vclock.RealTime} {
		t.Run(mode.String(), func(t *testing.T) {
			const steps = 3000
			c := vclock.New(mode)
			app := scheduler.NewApp(c)
			var log []string
			w := &stepper{log: &log, steps: steps}
			w.Init(app, "w", basicwork.RetryNever, w)
			var posted, ran atomic.Int64
			var stop atomic.Bool
			var wg sync.WaitGroup
			for _, name := range []string{scheduler.ActionName, "other"} {
				wg.Go(func() {
					for i := 0; !stop.Load(); i++ {
						// A bounded backlog: posts faster than the cranks
						// would only grow the queues.
						if posted.Load()-ran.Load() > 64 || i%8 == 7 {
							runtime.Gosched()
							continue
						}
						posted.Add(1)
						c.PostAction(func() { ran.Add(1) }, name, vclock.NormalAction)
					}
				})
			}
			err := app.WorkScheduler().ExecuteWork(context.Background(), w)
			stop.Store(true)
			wg.Wait()
			require.NoError(t, err)
			require.Len(t, log, steps, "OnRun ran once per step")
			for i := 0; ran.Load() < posted.Load() || c.ActionQueueSize() > 0; i++ {
				require.Less(t, i, 100000, "the posts run")
				c.Crank(false)
			}
			require.Equal(t, posted.Load(), ran.Load())
			require.Nil(t, vclockhook.SelfOf(c).Fn, "the Self is given back")
			c.Shutdown()
		})
	}
}

// actor is a work that, on its n-th run, does ops[n%len(ops)] (see
// TestAttack5SelfPostMatchesDeferredPostMisuse), logging each run, and
// succeeds after steps runs.
type actor struct {
	basicwork.BasicWork
	log   *[]string
	app   *scheduler.App
	ops   []int
	steps int
	n     int
}

func (w *actor) OnRun() basicwork.State {
	n := w.n
	w.n++
	c := w.app.Clock()
	*w.log = append(*w.log, fmt.Sprintf("%s %d@%v", w.Name(), n, c.Elapsed()))
	if n >= w.steps {
		return basicwork.Success
	}
	logged := func(s string) func() {
		return func() { *w.log = append(*w.log, fmt.Sprintf("%s %d %s@%v", w.Name(), n, s, c.Elapsed())) }
	}
	switch w.ops[n%len(w.ops)] {
	case 1:
		w.SetupWaitingCallback(time.Duration(n%4) * time.Second)
		return basicwork.Waiting
	case 2:
		panic(fmt.Sprintf("%s %d panics", w.Name(), n))
	case 3:
		c.Crank(false) // refused: the panic goes up
	case 4:
		func() {
			defer func() { _ = recover() }()
			c.Crank(true)
		}()
	case 5:
		c.PostAction(logged("same queue"), scheduler.ActionName, vclock.NormalAction)
	case 6:
		c.PostAction(logged("droppable"), "other", vclock.DroppableAction)
	case 7:
		c.SleepFor(6 * time.Second) // past the latency window: overload
	case 8:
		w.app.Shutdown()
	case 9:
		if n%3 == 2 {
			c.Shutdown()
		}
	case 10:
		return basicwork.Failure
	case 11:
		tm := vclock.NewTimer(c)
		tm.ExpiresFromNow(time.Duration(n%3) * time.Second)
		tm.AsyncWait(func(error) { logged("timer")() })
	}
	return basicwork.Running
}

func (w *actor) OnAbort() bool { return true }

// twoApps returns a virtual clock and two Apps on it; with taken set, the
// clock's Self is taken before, so that neither WorkScheduler can hold it.
func twoApps(taken bool) (*vclock.Clock, []*scheduler.App) {
	c := vclock.New(vclock.VirtualTime)
	if taken {
		vclockhook.SelfOf(c).Fn = func() {}
	}
	return c, []*scheduler.App{scheduler.NewApp(c), scheduler.NewApp(c)}
}

// TestAttack5SelfPostMatchesDeferredPostMisuse extends
// TestSelfPostMatchesDeferredPost with works that wait on timers, fail,
// panic, crank the clock from inside a crank (refused, and recovered or
// not), post to the WorkScheduler's own queue and to a droppable one, move
// virtual time past the latency window, shut their App or the clock down,
// or arm timers: on two Apps of one clock, with the clock's Self taken
// before (both WorkSchedulers post with a deferred call) or free (the
// first to post holds it). Every crank must report the same progress or
// panic, at the same time, with the same queue size and overload, the same
// scheduler states, and the works must run in the same order.
func TestAttack5SelfPostMatchesDeferredPostMisuse(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		script := rapid.SliceOfN(rapid.IntRange(0, 9), 10, 60).Draw(t, "script")
		ops := rapid.SliceOfN(rapid.IntRange(0, 11), 3, 30).Draw(t, "ops")
		play := func(taken bool) (log, steps []string) {
			c, apps := twoApps(taken)
			crank := func() {
				step := fmt.Sprintf("t %v size %d over %v ws %v %v", c.Elapsed(), c.ActionQueueSize(),
					c.ActionQueueIsOverloaded(), apps[0].WorkScheduler().State(), apps[1].WorkScheduler().State())
				progress := -1
				p := recoverAny(func() { progress = c.Crank(false) })
				steps = append(steps, fmt.Sprint(step, " progress ", progress, " panic ", p))
			}
			for i, op := range script {
				if op < 5 {
					app := apps[op%2]
					w := &actor{log: &log, app: app, ops: ops[i%len(ops):], steps: 2 + i%6}
					w.Init(app, fmt.Sprint("w", i), basicwork.RetryNever, w)
					steps = append(steps, fmt.Sprint("scheduled ", app.WorkScheduler().ScheduleWork(w) != nil))
					continue
				}
				crank()
			}
			for i := 0; i < 200 && (c.ActionQueueSize() > 0 || c.PendingTimers() > 0) && !c.IsStopped(); i++ {
				crank()
			}
			return log, steps
		}
		requireSamePlays(t, play)
	})
}

// requireSamePlays plays with the Self taken, then free, and requires the
// same works run and the same cranks.
func requireSamePlays(t *rapid.T, play func(taken bool) (log, steps []string)) {
	wantLog, wantSteps := play(true)
	gotLog, gotSteps := play(false)
	require.Equal(t, wantLog, gotLog, "works run")
	require.Equal(t, wantSteps, gotSteps, "cranks")
}
