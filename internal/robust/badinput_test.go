package robust

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/parity"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

// The cross-package rows of docs/ROBUSTNESS.md. Each package has its own
// in its badinput_test.go.

func newApp(opts ...scheduler.Option) *scheduler.App {
	return scheduler.NewApp(vclock.New(vclock.VirtualTime), append([]scheduler.Option{scheduler.WithRand(basicwork.LowerBound{})}, opts...)...)
}

// crankUntil cranks without blocking until cond holds; it fails if the
// clock runs out of things to do or takes more than 10,000 cranks.
func crankUntil(t *testing.T, c *vclock.Clock, cond func() bool) {
	t.Helper()
	for n := 0; !cond(); n++ {
		require.Less(t, n, 10000, "the condition never held")
		require.NotZero(t, c.Crank(false), "nothing left to crank and the condition does not hold")
	}
}

// boom is what the panicking works of these tests panic with.
type boom struct{ where string }

// panicLeaf panics in its first OnRun (or OnAbort, with onAbort), then
// runs steps steps and succeeds.
type panicLeaf struct {
	basicwork.BasicWork
	onAbort bool
	panics  int
	runs    int
	steps   int
}

func newPanicLeaf(app basicwork.Application, name string) *panicLeaf {
	w := &panicLeaf{panics: 1, steps: 2}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *panicLeaf) OnRun() basicwork.State {
	w.runs++
	if !w.onAbort && w.panics > 0 {
		w.panics--
		panic(boom{w.Name()})
	}
	if w.runs < w.steps {
		return basicwork.Running
	}
	return basicwork.Success
}

func (w *panicLeaf) OnAbort() bool {
	if w.onAbort && w.panics > 0 {
		w.panics--
		panic(boom{w.Name()})
	}
	return true
}

// panicDoWork is a Work whose first DoWork panics; it then adds one leaf.
type panicDoWork struct {
	work.Work
	panicked, added bool
}

func (w *panicDoWork) DoWork() basicwork.State {
	if !w.panicked {
		w.panicked = true
		panic(boom{w.Name()})
	}
	if !w.added {
		w.added = true
		if err := w.AddWork(testworks.NewBasicWork(w.App(), w.Name()+"-leaf", false, 2, basicwork.RetryNever)); err != nil {
			panic(err)
		}
		return basicwork.Running
	}
	return w.CheckChildrenStatus()
}

// TestBadInputPanicInHookLeavesTreeConsistent: a panic in a user's code
// (OnRun of a leaf at several depths, under a Work, a WorkSequence, a
// ConditionalWork, in a BatchWork; DoWork; a condition; a WorkWithCallback
// callback; OnAbort) goes up through Crank, as the C++ would crash. The tree
// is not left half-changed: no work on the path changed state in that
// crank, the scheduler has posted itself again, and a caller that recovers
// cranks on to the end.
func TestBadInputPanicInHookLeavesTreeConsistent(t *testing.T) {
	type built struct {
		top  basicwork.Work   // what is scheduled
		path []basicwork.Work // the works from top to the one that panics
	}
	leaf := func(app basicwork.Application) *panicLeaf { return newPanicLeaf(app, "leaf") }
	seq := func(app basicwork.Application, name string, ws ...basicwork.Work) basicwork.Work {
		s, err := worksequence.New(app, name, ws, worksequence.WithMaxRetries(basicwork.RetryNever))
		require.NoError(t, err)
		return s
	}
	cond := func(app basicwork.Application, name string, w basicwork.Work) basicwork.Work {
		c, err := conditionalwork.New(app, name, func(basicwork.Application) bool { return true }, w)
		require.NoError(t, err)
		return c
	}
	cases := []struct {
		name  string
		build func(app *scheduler.App) built
	}{
		{"leaf scheduled", func(app *scheduler.App) built {
			l := leaf(app)
			return built{l, []basicwork.Work{l}}
		}},
		{"leaf under Work", func(app *scheduler.App) built {
			l := leaf(app)
			h := work.NewGroup(app, "work", basicwork.RetryNever, testworks.NewDefaultBasicWork(app, "sibling"), l)
			return built{h, []basicwork.Work{h, l}}
		}},
		{"leaf under WorkSequence", func(app *scheduler.App) built {
			l := leaf(app)
			s := seq(app, "seq", testworks.NewBasicWork(app, "first", false, 1, basicwork.RetryNever), l)
			return built{s, []basicwork.Work{s, l}}
		}},
		{"leaf under ConditionalWork", func(app *scheduler.App) built {
			l := leaf(app)
			c := cond(app, "cond", l)
			return built{c, []basicwork.Work{c, l}}
		}},
		{"leaf in a BatchWork", func(app *scheduler.App) built {
			l := leaf(app)
			b := batchwork.NewSlice(app, "batch", basicwork.RetryNever, []basicwork.Work{testworks.NewDefaultBasicWork(app, "a"), l})
			return built{b, []basicwork.Work{b, l}}
		}},
		{"leaf at depth 4: Work, WorkSequence, ConditionalWork", func(app *scheduler.App) built {
			l := leaf(app)
			c := cond(app, "cond", l)
			s := seq(app, "seq", testworks.NewBasicWork(app, "first", false, 1, basicwork.RetryNever), c)
			h := work.NewGroup(app, "work", basicwork.RetryNever, s, testworks.NewDefaultBasicWork(app, "sibling"))
			return built{h, []basicwork.Work{h, s, c, l}}
		}},
		{"DoWork under a Work", func(app *scheduler.App) built {
			d := &panicDoWork{}
			d.Init(app, "dowork", basicwork.RetryNever, d)
			h := work.NewGroup(app, "work", basicwork.RetryNever, d)
			return built{h, []basicwork.Work{h, d}}
		}},
		{"condition of a ConditionalWork under a WorkSequence", func(app *scheduler.App) built {
			panicked := false
			c, err := conditionalwork.New(app, "cond", func(basicwork.Application) bool {
				if !panicked {
					panicked = true
					panic(boom{"condition"})
				}
				return true
			}, testworks.NewBasicWork(app, "gated", false, 2, basicwork.RetryNever))
			require.NoError(t, err)
			s := seq(app, "seq", c)
			return built{s, []basicwork.Work{s, c}}
		}},
		{"WorkWithCallback callback in a BatchWork", func(app *scheduler.App) built {
			panicked := false
			cb, err := basicwork.NewWorkWithCallback(app, "callback", func(basicwork.Application) (bool, error) {
				if !panicked {
					panicked = true
					panic(boom{"callback"})
				}
				return true, nil
			})
			require.NoError(t, err)
			b := batchwork.NewSlice(app, "batch", basicwork.RetryNever, []basicwork.Work{cb})
			return built{b, []basicwork.Work{b, cb}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var moves []string
			app := newApp(scheduler.WithTransitionListener(func(ev basicwork.TransitionEvent) {
				moves = append(moves, ev.Name()+": "+ev.From.String()+" -> "+ev.To.String())
			}))
			clock := app.Clock()
			b := c.build(app)
			require.NotNil(t, app.WorkScheduler().ScheduleWork(b.top))
			var v any
			for n := 0; v == nil; n++ {
				require.Less(t, n, 100, "no panic")
				moves = nil
				v, _ = catch(func() { clock.Crank(false) })
			}
			require.IsType(t, boom{}, v)
			// The crank that panicked may have started works on the way
			// down (a sequence starts its next work, a conditional work its
			// work, and crank them at once); nothing else moved.
			for _, m := range moves {
				require.Regexp(t, `: WORK_PENDING -> WORK_RUNNING$`, m)
			}
			for _, w := range b.path {
				require.Equal(t, basicwork.InternalRunning, baseOf(w).InternalState(), w.Name())
			}
			require.Equal(t, basicwork.Running, app.WorkScheduler().State())
			require.Equal(t, 1, clock.ActionQueueSize(), "the scheduler must have posted itself again")

			crankUntil(t, clock, b.top.IsDone)
			require.Equal(t, basicwork.Success, b.top.State())
			for _, w := range b.path {
				require.Equal(t, basicwork.Success, w.State(), w.Name())
			}
			crankUntil(t, clock, func() bool { return app.WorkScheduler().State() == basicwork.Waiting })
			require.Zero(t, clock.PendingTimers())
		})
	}

	t.Run("OnAbort of a leaf under a Work", func(t *testing.T) {
		app := newApp()
		clock := app.Clock()
		l := newPanicLeaf(app, "leaf")
		l.onAbort, l.steps = true, 1000
		h := work.NewGroup(app, "work", basicwork.RetryNever, l)
		app.WorkScheduler().ScheduleWork(h)
		crankUntil(t, clock, func() bool { return l.runs > 2 })
		app.WorkScheduler().Shutdown()
		var v any
		for n := 0; v == nil; n++ {
			require.Less(t, n, 100, "no panic")
			v, _ = catch(func() { clock.Crank(false) })
		}
		require.Equal(t, boom{"leaf"}, v)
		require.Equal(t, basicwork.InternalAborting, baseOf(l).InternalState())
		require.Equal(t, basicwork.InternalAborting, baseOf(h).InternalState())
		crankUntil(t, clock, func() bool { return app.WorkScheduler().State() == basicwork.Aborted })
		require.Equal(t, basicwork.Aborted, h.State())
		require.Equal(t, basicwork.Aborted, l.State())
		require.Zero(t, clock.PendingTimers())
		require.Zero(t, clock.ActionQueueSize())
	})
}

// alwaysFail fails every attempt.
type alwaysFail struct {
	basicwork.BasicWork
	attempts int
}

func (w *alwaysFail) OnRun() basicwork.State { w.attempts++; return basicwork.Failure }
func (w *alwaysFail) OnAbort() bool          { return true }

// TestBadInputRetriesUpToMaxInt: a retry budget of math.MaxInt is taken;
// the backoff bounds stay capped at [257, 512] s up to n = MaxUint64, and a
// work that fails again and again, with jitter at its upper bound, waits
// 1, 2, 4, ..., 256 s and then 512 s for every later retry, without
// overflow.
func TestBadInputRetriesUpToMaxInt(t *testing.T) {
	for _, n := range []uint64{9, 10, 63, 64, 65, math.MaxInt64, math.MaxUint64} {
		lo, hi := basicwork.BackoffBounds(n)
		require.Equal(t, uint64(257), lo, "n=%d", n)
		require.Equal(t, uint64(512), hi, "n=%d", n)
		require.Equal(t, 512*time.Second, basicwork.ExponentialBackoff(n, basicwork.UpperBound{}))
	}

	var retriesAt []time.Duration
	app := newApp(scheduler.WithRand(basicwork.UpperBound{}), scheduler.WithTransitionListener(func(ev basicwork.TransitionEvent) {
		if ev.To == basicwork.InternalRetrying {
			retriesAt = append(retriesAt, ev.At)
		}
	}))
	w := &alwaysFail{}
	w.Init(app, "forever", math.MaxInt, w)
	require.Equal(t, math.MaxInt, w.MaxRetries())
	app.WorkScheduler().ScheduleWork(w)
	const failures = 100
	crankUntil(t, app.Clock(), func() bool { return w.attempts >= failures })
	require.Len(t, retriesAt, failures)
	for i := 1; i < failures; i++ {
		want := 512 * time.Second
		if i-1 < 9 {
			want = time.Duration(1<<(i-1)) * time.Second
		}
		require.Equal(t, want, retriesAt[i]-retriesAt[i-1], "delay before attempt %d", i+1)
	}
	require.Equal(t, failures-1, baseOf(w).Retries())
	require.Contains(t, w.Status(), "Retrying in 512 sec")
	app.WorkScheduler().Shutdown()
	crankUntil(t, app.Clock(), w.IsDone)
	require.Equal(t, basicwork.Aborted, w.State())
	require.Zero(t, app.Clock().PendingTimers())
}

// TestBadInputWakeUpWhileRetrying: waking up a work that waits for a retry
// runs it at once, as in C++ (wakeUp only looks for WAITING); its retry
// timer is still armed and, when it fires into a work that is no longer
// waiting, panics with ErrInvariant, as the C++ asserts. Adding a child to
// a Work that waits for a retry wakes it up the same way.
func TestBadInputWakeUpWhileRetrying(t *testing.T) {
	for _, how := range []string{"WakeUp", "AddWork"} {
		t.Run(how, func(t *testing.T) {
			app := newApp()
			clock := app.Clock()
			fail := testworks.NewBasicWork(app, "fails", true, 1, basicwork.RetryNever)
			w := newRetryingHolder(app, fail)
			app.WorkScheduler().ScheduleWork(w)
			crankUntil(t, clock, func() bool { return baseOf(w).InternalState() == basicwork.InternalWaiting && w.Retrying() })
			require.Equal(t, 1, clock.PendingTimers())
			switch how {
			case "WakeUp":
				w.WakeUp(nil)
			case "AddWork":
				require.NoError(t, w.AddWork(testworks.NewBasicWork(app, "late", false, 1, basicwork.RetryNever)))
			}
			require.Equal(t, basicwork.Running, w.State(), "woken up early")
			var v any
			for n := 0; v == nil; n++ {
				require.Less(t, n, 1000, "no panic")
				v, _ = catch(func() { clock.Crank(false) })
			}
			err, ok := v.(error)
			require.True(t, ok)
			require.ErrorIs(t, err, basicwork.ErrInvariant)
			require.Contains(t, err.Error(), "retry timer of work fired in state")
		})
	}
}

// retryingHolder is a work.Group retried once.
type retryingHolder struct{ *work.Group }

func newRetryingHolder(app basicwork.Application, kids ...basicwork.Work) *retryingHolder {
	return &retryingHolder{work.NewGroup(app, "work", basicwork.RetryOnce, kids...)}
}

// Retrying reports whether a retry is scheduled.
func (w *retryingHolder) Retrying() bool {
	return len(w.Status()) > 8 && w.Status()[:8] == "Retrying"
}

// TestBadInputWakeUpConditionalWhileItsWorkWaits: waking up a
// ConditionalWork whose started work is WAITING. The C++ cranks the
// waiting work on the ConditionalWork's next crank and asserts; stellarwork
// reports the work's state instead (a deliberate difference, which also
// keeps a ConditionalWork working after a transition listener panicked on
// its work's move): the ConditionalWork goes back to WAITING, and the tree
// finishes once the work is woken.
func TestBadInputWakeUpConditionalWhileItsWorkWaits(t *testing.T) {
	app := newApp()
	clock := app.Clock()
	ww := testworks.NewWaitingWork(app, "waiting")
	c, err := conditionalwork.New(app, "cond", func(basicwork.Application) bool { return true }, ww)
	require.NoError(t, err)
	app.WorkScheduler().ScheduleWork(c)
	crankUntil(t, clock, func() bool { return c.State() == basicwork.Waiting })
	require.Equal(t, basicwork.Waiting, ww.State())
	c.WakeUp(nil)
	require.Equal(t, basicwork.Running, c.State())
	crankUntil(t, clock, func() bool { return c.State() == basicwork.Waiting })
	require.Equal(t, basicwork.Waiting, ww.State())
	ww.WakeUp(nil)
	crankUntil(t, clock, c.IsDone)
	require.Equal(t, basicwork.Success, c.State())
}

// TestBadInputWakeUpWorkScheduler: the scheduler is started without a
// notify callback, as in C++, so waking it up from outside makes it read
// RUNNING with no crank posted: it stalls, and a work scheduled then is not
// run (its wake-up finds the scheduler not WAITING), until a shutdown posts
// a crank and aborts everything.
func TestBadInputWakeUpWorkScheduler(t *testing.T) {
	app := newApp()
	clock := app.Clock()
	ws := app.WorkScheduler()
	require.Equal(t, basicwork.Waiting, ws.State())
	ws.WakeUp(nil)
	require.Equal(t, basicwork.Running, ws.State())
	require.Zero(t, clock.ActionQueueSize())
	w := testworks.NewDefaultBasicWork(app, "stalled")
	require.NotNil(t, ws.ScheduleWork(w))
	require.Zero(t, clock.Crank(false), "nothing is posted")
	require.Zero(t, w.RunningCount)
	ws.Shutdown()
	crankUntil(t, clock, func() bool { return ws.State() == basicwork.Aborted })
	require.Equal(t, basicwork.Aborted, w.State())
}

// TestBadInputAddWorkMisuse: addWork while the parent aborts is refused
// with the C++ text; a nil child is refused. Adding a child to a Work that
// is not started makes the parent's start panic (it must drop its children
// and one is running); adding one to a done Work starts a child nobody
// cranks (as in C++); adding one to a Work that aborts its children before
// failing makes its next crank panic (as the C++ asserts). Adding a work
// that is running elsewhere panics with the illegal transition RUNNING ->
// PENDING and leaves the parent as it was.
func TestBadInputAddWorkMisuse(t *testing.T) {
	t.Run("while aborting", func(t *testing.T) {
		app := newApp()
		w := testworks.NewWork(app, "parent")
		app.WorkScheduler().ScheduleWork(w)
		w.Shutdown()
		err := w.AddWork(testworks.NewDefaultBasicWork(app, "late"))
		var ab *work.AbortingError
		require.ErrorAs(t, err, &ab)
		require.ErrorIs(t, err, work.ErrAborting)
		require.EqualError(t, err, "parent is being aborted!")
		require.Zero(t, w.TotalChildren())
		require.Nil(t, app.WorkScheduler().ScheduleWork(nil))
	})
	t.Run("nil", func(t *testing.T) {
		app := newApp()
		w := testworks.NewWork(app, "parent")
		app.WorkScheduler().ScheduleWork(w)
		require.ErrorIs(t, w.AddWork(nil), basicwork.ErrNilWork)
		require.ErrorIs(t, w.AddWork(nil), basicwork.ErrNilWork)
		require.Zero(t, w.TotalChildren())
	})
	t.Run("before the parent starts", func(t *testing.T) {
		app := newApp()
		w := testworks.NewWork(app, "parent")
		require.NoError(t, w.AddWork(testworks.NewDefaultBasicWork(app, "early")))
		v, _ := catch(func() { app.WorkScheduler().ScheduleWork(w) })
		err, _ := v.(error)
		require.ErrorIs(t, err, basicwork.ErrInvariant)
		require.EqualError(t, err, "Work error: parent drops its children while some are not done")
	})
	t.Run("to a done parent", func(t *testing.T) {
		app := newApp()
		w := testworks.NewWork(app, "parent")
		app.WorkScheduler().ScheduleWork(w)
		crankUntil(t, app.Clock(), w.IsDone)
		orphan := testworks.NewDefaultBasicWork(app, "orphan")
		require.NoError(t, w.AddWork(orphan))
		require.Equal(t, basicwork.Running, orphan.State())
		for app.Clock().Crank(false) > 0 {
		}
		require.Zero(t, orphan.RunningCount, "nobody cranks it")
	})
	t.Run("while the parent fails", func(t *testing.T) {
		// A Work whose DoWork failed aborts its children before failing;
		// a child added then is running among aborting ones, and the next
		// crank panics as the C++ asserts.
		app := newApp()
		w := testworks.NewWork(app, "parent")
		app.WorkScheduler().ScheduleWork(w)
		long := testworks.NewBasicWork(app, "long", false, 50, basicwork.RetryNever)
		require.NoError(t, w.AddWork(testworks.NewBasicWork(app, "fails", true, 1, basicwork.RetryNever)))
		require.NoError(t, w.AddWork(long))
		crankUntil(t, app.Clock(), long.IsAborting)
		require.NoError(t, w.AddWork(testworks.NewDefaultBasicWork(app, "late")))
		var v any
		for n := 0; v == nil; n++ {
			require.Less(t, n, 100, "no panic")
			v, _ = catch(func() { app.Clock().Crank(false) })
		}
		err, _ := v.(error)
		require.ErrorIs(t, err, basicwork.ErrInvariant)
		require.EqualError(t, err, "Work error: parent is aborting but its child late is not")
	})
	t.Run("a work running elsewhere", func(t *testing.T) {
		app := newApp()
		a, b := testworks.NewWork(app, "a"), testworks.NewWork(app, "b")
		app.WorkScheduler().ScheduleWork(a)
		app.WorkScheduler().ScheduleWork(b)
		child := testworks.NewDefaultBasicWork(app, "child")
		require.NoError(t, a.AddWork(child))
		v, _ := catch(func() { _ = b.AddWork(child) })
		err, _ := v.(error)
		require.ErrorIs(t, err, basicwork.ErrIllegalTransition)
		require.EqualError(t, err, "BasicWork error: illegal state transition WORK_RUNNING -> WORK_PENDING")
		require.Zero(t, b.TotalChildren(), "b must be left as it was")
		require.Empty(t, b.Children())
		crankUntil(t, app.Clock(), func() bool { return a.IsDone() && b.IsDone() })
		require.Equal(t, basicwork.Success, a.State())
		require.Equal(t, basicwork.Success, b.State())
		require.Equal(t, 3, child.RunningCount, "cranked by a only")
	})
}

// TestBadInputSchedulerAfterShutdown: once the scheduler is shut down,
// ScheduleWork returns nil and leaves the work untouched, ExecuteWork
// returns ErrNotScheduled, and another Shutdown does nothing.
func TestBadInputSchedulerAfterShutdown(t *testing.T) {
	app := newApp()
	ws := app.WorkScheduler()
	ws.Shutdown()
	w := testworks.NewDefaultBasicWork(app, "late")
	require.Nil(t, ws.ScheduleWork(w))
	require.Equal(t, basicwork.InternalPending, baseOf(w).InternalState())
	require.ErrorIs(t, ws.ExecuteWork(t.Context(), w), scheduler.ErrNotScheduled)
	crankUntil(t, app.Clock(), func() bool { return ws.State() == basicwork.Aborted })
	ws.Shutdown()
	require.Equal(t, basicwork.Aborted, ws.State())
	require.Nil(t, ws.ScheduleWork(w))
	require.Zero(t, app.Clock().Crank(false))
}

// TestBadInputShutdownOutsideTheTree: shutting down a work that was never
// started moves it to ABORTING, where nothing cranks it; starting it later
// is the illegal transition ABORTING -> PENDING. Shutting down a running
// child of a WorkSequence makes the sequence report WORK_ABORTED, an
// illegal transition for it, as in C++.
func TestBadInputShutdownOutsideTheTree(t *testing.T) {
	t.Run("never started", func(t *testing.T) {
		app := newApp()
		w := testworks.NewDefaultBasicWork(app, "idle")
		w.Shutdown()
		require.Equal(t, basicwork.InternalAborting, baseOf(w).InternalState())
		v, _ := catch(func() { app.WorkScheduler().ScheduleWork(w) })
		err, _ := v.(error)
		require.ErrorIs(t, err, basicwork.ErrIllegalTransition)
		require.EqualError(t, err, "BasicWork error: illegal state transition WORK_ABORTING -> WORK_PENDING")
	})
	t.Run("the current work of a sequence", func(t *testing.T) {
		app := newApp()
		child := testworks.NewBasicWork(app, "child", false, 5, basicwork.RetryNever)
		s, err := worksequence.New(app, "seq", []basicwork.Work{child})
		require.NoError(t, err)
		app.WorkScheduler().ScheduleWork(s)
		crankUntil(t, app.Clock(), func() bool { return child.RunningCount > 0 })
		child.Shutdown()
		var v any
		for n := 0; v == nil; n++ {
			require.Less(t, n, 100, "no panic")
			v, _ = catch(func() { app.Clock().Crank(false) })
		}
		err, _ = v.(error)
		require.ErrorIs(t, err, basicwork.ErrIllegalTransition)
		require.EqualError(t, err, "BasicWork error: illegal state transition WORK_RUNNING -> WORK_ABORTED")
	})
}

// TestBadInputPanickingTransitionListener: a TransitionListener runs inside
// setState, after the state has changed. If it panics, the panic goes up
// through Crank, but only once setState has finished: on the move to
// RETRYING (the worst case, where stopping half-way would leave a work in
// RETRYING with no retry timer, a stalled tree and a Shutdown that panics)
// the retry timer is armed first, so the tree goes on after a recover.
func TestBadInputPanickingTransitionListener(t *testing.T) {
	armed := true
	app := newApp(scheduler.WithTransitionListener(func(ev basicwork.TransitionEvent) {
		if armed && ev.To == basicwork.InternalRetrying {
			armed = false
			panic(boom{"listener"})
		}
	}))
	clock := app.Clock()
	w := testworks.NewBasicWork(app, "fails", true, 1, basicwork.RetryOnce)
	app.WorkScheduler().ScheduleWork(w)
	var v any
	for n := 0; v == nil; n++ {
		require.Less(t, n, 100, "no panic")
		v, _ = catch(func() { clock.Crank(false) })
	}
	require.Equal(t, boom{"listener"}, v)
	// The transition was completed before the panic went on: the work
	// waits for its retry, whose timer is armed, and the tree goes on.
	require.Equal(t, basicwork.InternalWaiting, baseOf(w).InternalState())
	require.Equal(t, 1, clock.PendingTimers(), "the retry timer")
	crankUntil(t, clock, w.IsDone)
	require.Equal(t, basicwork.Failure, w.State())
	require.Equal(t, 2, w.RunningCount)
	app.WorkScheduler().Shutdown()
	crankUntil(t, clock, func() bool { return app.WorkScheduler().State() == basicwork.Aborted })
}

// TestBadInputProcessManager: after the manager's shutdown RunProcess
// returns ErrShutdown and a RunCommandWork fails (once its retries are
// spent); a command that cannot be started fails the same way; an empty
// command succeeds at once.
func TestBadInputProcessManager(t *testing.T) {
	defer goleak.VerifyNone(t)
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.LowerBound{}))
	papp := process.NewApp(app, process.WithTmpDir(t.TempDir()))
	pm := papp.ProcessManager()
	missing := newCommand(papp, "missing", "/nonexistent/command", basicwork.RetryOnce)
	empty := newCommand(papp, "empty", "", basicwork.RetryNever)
	app.WorkScheduler().ScheduleWork(missing)
	app.WorkScheduler().ScheduleWork(empty)
	crankUntil(t, clock, func() bool { return missing.IsDone() && empty.IsDone() })
	require.Equal(t, basicwork.Failure, missing.State())
	require.Equal(t, basicwork.Success, empty.State())

	pm.Shutdown()
	ev, err := pm.RunProcess("true", "")
	require.Nil(t, ev)
	require.ErrorIs(t, err, process.ErrShutdown)
	late := newCommand(papp, "late", "true", basicwork.RetryNever)
	app.WorkScheduler().ScheduleWork(late)
	crankUntil(t, clock, late.IsDone)
	require.Equal(t, basicwork.Failure, late.State())
	require.Zero(t, clock.PendingTimers())
}

// TestBadInputScenarioSyntax: a scenario with a syntax error, an unknown
// command, work or option, a bad count or a block in the wrong place is
// refused with an error naming the line, not a panic; a scenario that never
// ends stops at the crank bound with an error.
func TestBadInputScenarioSyntax(t *testing.T) {
	bad := map[string]string{
		"no new-app":       "schedule basic w\n----\n",
		"unknown command":  "new-app\n----\n\nfrobnicate\n----\n",
		"unknown kind":     "new-app\n----\n\nschedule gizmo w\n----\n",
		"unknown work":     "new-app\n----\n\nforce-wake-up nobody\n----\n",
		"bad option":       "new-app jitter=sideways\n----\n",
		"bad count":        "new-app\n----\n\ncrank -1\n----\n",
		"bad expression":   "new-app\n----\n\ncheck\n(((\n----\n",
		"unclosed paren":   "new-app\n----\n\nschedule sequence s works=(a\n----\n",
		"else without if":  "new-app\n----\n\nwhile true\nelse\n  crank\n----\n",
		"bad indentation":  "new-app\n----\n\nwhile true\n  crank\n----\n",
		"duplicate name":   "new-app\n----\n\nschedule basic w\nbasic w\n----\n",
		"no finish":        "new-app\n----\n",
		"never ends":       "new-app\n----\n\nschedule waiting w\n----\n\ncrank-while true\n----\n",
		"endless loop":     "new-app\n----\n\nwhile true\ncheck true\n----\n",
		"bad retries":      "new-app\n----\n\nschedule basic w retries=-3\n----\n",
		"finish twice":     "new-app\n----\n\nfinish\n----\n\nfinish\n----\n",
		"unterminated sep": "new-app\n----\n----\nx\n",
	}
	for name, src := range bad {
		t.Run(name, func(t *testing.T) {
			var err error
			v, panicked := catch(func() {
				_, _, err = parity.RunWith(name, strings.NewReader(src), parity.RunOptions{MaxCranks: 100})
			})
			require.False(t, panicked, "panicked: %v", v)
			require.Error(t, err)
		})
	}
}
