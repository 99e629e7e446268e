package robust

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

// The numbered cases of issue 16 about panics, each from a caller that
// recovers the panic out of Crank and cranks on.

// sleeper waits d on its waiting timer in its first run, then succeeds.
type sleeper struct {
	basicwork.BasicWork
	d     time.Duration
	slept bool
	// resetPanics is how many of its next OnResets panic.
	resetPanics int
}

func newSleeper(app basicwork.Application, name string, d time.Duration) *sleeper {
	w := &sleeper{d: d}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *sleeper) OnRun() basicwork.State {
	if !w.slept {
		w.slept = true
		w.SetupWaitingCallback(w.d)
		return basicwork.Waiting
	}
	return basicwork.Success
}

func (w *sleeper) OnAbort() bool { return true }

func (w *sleeper) OnReset() {
	w.slept = false
	if w.resetPanics > 0 {
		w.resetPanics--
		panic(boom{w.Name() + " OnReset"})
	}
}

// addsWithCallback is a Work that adds its one child through
// AddWorkWithCallback(cb, child) in its first DoWork.
type addsWithCallback struct {
	work.Work
	child basicwork.Work
	cb    func()
	added bool
	err   error
}

func (w *addsWithCallback) DoWork() basicwork.State {
	if !w.added {
		w.added = true
		w.err = w.AddWorkWithCallback(w.cb, w.child)
		return basicwork.Running
	}
	return w.CheckChildrenStatus()
}

// crankRecovering cranks until cond holds, recovering every panic out of
// Crank; it returns the panics in order. It fails if nothing is left to
// crank before cond holds.
func crankRecovering(t *testing.T, c *vclock.Clock, cond func() bool) []any {
	t.Helper()
	var panics []any
	for n := 0; !cond(); n++ {
		require.Less(t, n, 10000, "the condition never held")
		progress := 0
		if v, p := catch(func() { progress = c.Crank(false) }); p {
			panics = append(panics, v)
			continue
		}
		require.NotZero(t, progress, "nothing left to crank and the condition does not hold")
	}
	return panics
}

// crankToPanic cranks until a crank panics, and returns the panic.
func crankToPanic(t *testing.T, c *vclock.Clock) any {
	t.Helper()
	for n := 0; n < 10000; n++ {
		progress := 0
		if v, p := catch(func() { progress = c.Crank(false) }); p {
			return v
		}
		require.NotZero(t, progress, "nothing left to crank, and no panic")
	}
	t.Fatal("no panic in 10,000 cranks")
	return nil
}

// TestPanicSafetyWakeUpCallback (issue 16, case 6): a parent adds a child
// that waits 1 s, with a wake-up callback that panics the first time. The
// panic comes out of the crank in which the child's timer fires and wakes
// the parent. Before, the parent's notification was skipped: the parent
// stayed RUNNING and the WorkScheduler WAITING with nothing posted, for
// ever. Now the notification runs before the panic goes on.
func TestPanicSafetyWakeUpCallback(t *testing.T) {
	app := newApp()
	clock := app.Clock()
	calls := 0
	p := &addsWithCallback{child: newSleeper(app, "child", time.Second), cb: func() {
		calls++
		if calls == 1 {
			panic(boom{"callback"})
		}
	}}
	p.Init(app, "parent", basicwork.RetryNever, p)
	app.WorkScheduler().ScheduleWork(p)
	panics := crankRecovering(t, clock, p.IsDone)
	require.Equal(t, []any{boom{"callback"}}, panics)
	require.NoError(t, p.err)
	require.Equal(t, basicwork.Success, p.State())
	require.Equal(t, time.Second, clock.Elapsed())
	require.Zero(t, clock.PendingTimers())
}

// TestPanicSafetyWakeUpOverride: a WakeUp override that panics before it
// calls the embedded WakeUp would lose the wake-up in the same way; the
// library completes it before the panic goes on.
func TestPanicSafetyWakeUpOverride(t *testing.T) {
	app := newApp()
	clock := app.Clock()
	w := &panickyWaker{sleeper: sleeper{d: time.Second}, panics: 1}
	w.Init(app, "w", basicwork.RetryNever, w)
	parent := work.NewGroup(app, "parent", basicwork.RetryNever, w)
	app.WorkScheduler().ScheduleWork(parent)
	panics := crankRecovering(t, clock, parent.IsDone)
	require.Equal(t, []any{boom{"WakeUp"}}, panics)
	require.Equal(t, basicwork.Success, parent.State())
	require.Zero(t, clock.PendingTimers())
}

// panickyWaker is a sleeper whose WakeUp override panics, its first
// panics times, before it calls the embedded WakeUp.
type panickyWaker struct {
	sleeper
	panics int
}

func (w *panickyWaker) WakeUp(inner func()) {
	if w.panics > 0 {
		w.panics--
		panic(boom{"WakeUp"})
	}
	w.BasicWork.WakeUp(inner)
}

// TestPanicSafetyListenerOnWakeUp: a transition listener that panics on
// WAITING -> RUNNING leaves no stale waiting timer and loses no wake-up:
// the timer is cancelled, the parent notified, then the panic goes on.
func TestPanicSafetyListenerOnWakeUp(t *testing.T) {
	armed := true
	var w *sleeper
	app := newApp(scheduler.WithTransitionListener(func(ev basicwork.TransitionEvent) {
		if armed && ev.Work == basicwork.Work(w) && ev.From == basicwork.InternalWaiting {
			armed = false
			panic(boom{"listener"})
		}
	}))
	clock := app.Clock()
	w = newSleeper(app, "w", time.Second)
	parent := work.NewGroup(app, "parent", basicwork.RetryNever, w)
	app.WorkScheduler().ScheduleWork(parent)
	panics := crankRecovering(t, clock, parent.IsDone)
	require.Equal(t, []any{boom{"listener"}}, panics)
	require.Equal(t, basicwork.Success, parent.State())
	require.Zero(t, clock.PendingTimers())
}

// TestPanicSafetyListenerOnRetryWait: a listener that panics on the move
// RETRYING -> WAITING comes out only once the retry timer waits: the retry
// happens.
func TestPanicSafetyListenerOnRetryWait(t *testing.T) {
	armed := true
	app := newApp(scheduler.WithTransitionListener(func(ev basicwork.TransitionEvent) {
		if armed && ev.From == basicwork.InternalRetrying {
			armed = false
			panic(boom{"listener"})
		}
	}))
	clock := app.Clock()
	w := testworks.NewBasicWork(app, "fails", true, 1, basicwork.RetryOnce)
	app.WorkScheduler().ScheduleWork(w)
	panics := crankRecovering(t, clock, w.IsDone)
	require.Equal(t, []any{boom{"listener"}}, panics)
	require.Equal(t, basicwork.Failure, w.State())
	require.Equal(t, 2, w.RunningCount, "the retry ran")
}

// TestPanicSafetyStartOfAChild (issue 16, case 7): a child whose OnReset
// panics once, added with AddWorkWithCallback. Before, the child was
// already in the parent's list when StartWork panicked: it stayed PENDING
// there and the parent cranked it at every step, each crank panicking (one
// panic became thousands). Now the add is rolled back: the child is out of
// the list, with no parent registered, PENDING; the parent's DoWork adds
// it again on its next run, and the tree succeeds after one panic.
func TestPanicSafetyStartOfAChild(t *testing.T) {
	app := newApp()
	clock := app.Clock()
	child := newSleeper(app, "child", time.Millisecond)
	child.resetPanics = 1
	parent := &retryAdd{child: child}
	parent.Init(app, "parent", basicwork.RetryNever, parent)
	app.WorkScheduler().ScheduleWork(parent)

	require.Equal(t, boom{"child OnReset"}, crankToPanic(t, clock))
	require.Empty(t, parent.Children(), "the add is rolled back")
	require.Zero(t, parent.TotalChildren())
	require.Nil(t, testworks.ParentOf(child), "no parent registered")
	require.Equal(t, basicwork.InternalPending, baseOf(child).InternalState())
	require.Equal(t, "child", basicwork.PathOf(child))

	panics := crankRecovering(t, clock, parent.IsDone)
	require.Empty(t, panics, "one panic only")
	require.Equal(t, basicwork.Success, parent.State())
	require.Equal(t, basicwork.Success, child.State())
	require.Equal(t, 1, parent.TotalChildren())
}

// retryAdd is a Work that adds its child in DoWork until the add went
// through.
type retryAdd struct {
	work.Work
	child basicwork.Work
	added bool
}

func (w *retryAdd) DoWork() basicwork.State {
	if !w.added {
		if err := w.AddWork(w.child); err != nil {
			panic(err)
		}
		w.added = true
		return basicwork.Running
	}
	return w.CheckChildrenStatus()
}

// TestPanicSafetyStartInASequence: in a WorkSequence, a work whose start
// panics once is left PENDING, not current and not registered with the
// sequence; the sequence's next crank starts it again and the sequence
// succeeds. The same holds for the work of a ConditionalWork.
func TestPanicSafetyStartInASequence(t *testing.T) {
	t.Run("sequence", func(t *testing.T) {
		app := newApp()
		clock := app.Clock()
		a := newSleeper(app, "a", time.Millisecond)
		b := newSleeper(app, "b", time.Millisecond)
		b.resetPanics = 1
		seq, err := worksequence.New(app, "seq", []basicwork.Work{a, b})
		require.NoError(t, err)
		app.WorkScheduler().ScheduleWork(seq)
		v := crankToPanic(t, clock)
		require.Equal(t, boom{"b OnReset"}, v)
		require.Equal(t, basicwork.InternalPending, baseOf(b).InternalState())
		require.Nil(t, seq.Current())
		require.Nil(t, testworks.ParentOf(b), "b's registration is put back as it was")
		panics := crankRecovering(t, clock, seq.IsDone)
		require.Equal(t, basicwork.Success, seq.State())
		require.Equal(t, "work-scheduler/seq/b", basicwork.PathOf(b))
		require.Empty(t, panics)
	})
	t.Run("conditional", func(t *testing.T) {
		app := newApp()
		clock := app.Clock()
		w := newSleeper(app, "w", time.Millisecond)
		w.resetPanics = 1
		c, err := conditionalwork.New(app, "cond", func(basicwork.Application) bool { return true }, w)
		require.NoError(t, err)
		app.WorkScheduler().ScheduleWork(c)
		panics := crankRecovering(t, clock, c.IsDone)
		require.Equal(t, []any{boom{"w OnReset"}}, panics)
		require.Equal(t, basicwork.Success, c.State())
		require.Equal(t, "work-scheduler/cond/w", basicwork.PathOf(w))
	})
}

// TestPanicSafetyRefusedStartInASequence (issue 16, case 9): a work runs
// under one parent, and a WorkSequence then reaches it. The start is
// refused with the illegal transition RUNNING -> PENDING, as documented.
// Before, the sequence had already registered itself as the work's
// parent, so PathOf named the sequence; now nothing is registered before
// the start is known to be possible.
func TestPanicSafetyRefusedStartInASequence(t *testing.T) {
	app := newApp()
	clock := app.Clock()
	shared := newSleeper(app, "shared", time.Hour)
	holder := work.NewGroup(app, "holder", basicwork.RetryNever, shared)
	app.WorkScheduler().ScheduleWork(holder)
	crankUntil(t, clock, func() bool { return shared.State() == basicwork.Waiting })
	require.Equal(t, "work-scheduler/holder/shared", basicwork.PathOf(shared))

	seq, err := worksequence.New(app, "seq", []basicwork.Work{shared})
	require.NoError(t, err)
	seq.StartWork(nil)
	v, p := catch(seq.CrankWork)
	require.True(t, p)
	require.ErrorIs(t, v.(error), basicwork.ErrIllegalTransition)
	require.Equal(t, "BasicWork error: illegal state transition WORK_WAITING -> WORK_PENDING", v.(error).Error())
	require.Equal(t, "work-scheduler/holder/shared", basicwork.PathOf(shared))
	require.Same(t, baseOf(holder), testworks.ParentOf(shared))
	require.Nil(t, seq.Current())
}

// TestPanicSafetyStartInABatch: in a BatchWork, an item whose start panics
// once is rolled back out of the batch (work.Work.AddWork) and held: the
// next top-up adds it first, so the panic loses no item and the batch
// succeeds with every item run.
func TestPanicSafetyStartInABatch(t *testing.T) {
	app := newApp()
	clock := app.Clock()
	a := newSleeper(app, "a", time.Millisecond)
	b := newSleeper(app, "b", time.Millisecond)
	c := newSleeper(app, "c", time.Millisecond)
	b.resetPanics = 1
	batch := batchwork.NewSlice(app, "batch", basicwork.RetryNever, []basicwork.Work{a, b, c})
	app.WorkScheduler().ScheduleWork(batch)
	panics := crankRecovering(t, clock, batch.IsDone)
	require.Equal(t, []any{boom{"b OnReset"}}, panics)
	require.Equal(t, basicwork.Success, batch.State())
	for _, w := range []*sleeper{a, b, c} {
		require.Equal(t, basicwork.Success, w.State(), w.Name())
	}
	require.Equal(t, 3, batch.TotalChildren())
}

// TestPanicSafetyShutdownOfAChild: a transition listener that panics when
// the first of three children moves to ABORTING. The panic comes out of the
// scheduler's Shutdown, but only once the other children, the parent (a
// Work, a WorkSequence, a ConditionalWork) and the scheduler are aborting:
// cranking on aborts the whole tree. Before, the shutdown stopped at the
// first child, leaving its parent RUNNING over an aborting child (a
// sequence then asked for RUNNING -> ABORTED at every crank).
func TestPanicSafetyShutdownOfAChild(t *testing.T) {
	build := map[string]func(app basicwork.Application, kids []basicwork.Work) basicwork.Work{
		"work": func(app basicwork.Application, kids []basicwork.Work) basicwork.Work {
			return work.NewGroup(app, "parent", basicwork.RetryNever, kids...)
		},
		"sequence": func(app basicwork.Application, kids []basicwork.Work) basicwork.Work {
			s, err := worksequence.New(app, "parent", kids[:1])
			require.NoError(t, err)
			return s
		},
		"conditional": func(app basicwork.Application, kids []basicwork.Work) basicwork.Work {
			c, err := conditionalwork.New(app, "parent", func(basicwork.Application) bool { return true }, kids[0])
			require.NoError(t, err)
			return c
		},
	}
	for name, mk := range build {
		t.Run(name, func(t *testing.T) {
			armed := false
			app := newApp(scheduler.WithTransitionListener(func(ev basicwork.TransitionEvent) {
				if armed && ev.To == basicwork.InternalAborting {
					armed = false
					panic(boom{"listener"})
				}
			}))
			clock := app.Clock()
			kids := []basicwork.Work{newSleeper(app, "a", time.Hour), newSleeper(app, "b", time.Hour), newSleeper(app, "c", time.Hour)}
			parent := mk(app, kids)
			ws := app.WorkScheduler()
			ws.ScheduleWork(parent)
			crankUntil(t, clock, func() bool { return parent.State() == basicwork.Waiting })
			armed = true
			v, p := catch(ws.Shutdown)
			require.True(t, p)
			require.Equal(t, boom{"listener"}, v)
			require.True(t, parent.IsAborting(), "the parent aborts all the same")
			require.True(t, ws.IsAborting(), "the scheduler aborts all the same")
			panics := crankRecovering(t, clock, func() bool { return ws.State() == basicwork.Aborted })
			require.Empty(t, panics)
			require.Equal(t, basicwork.Aborted, parent.State())
			require.Zero(t, clock.PendingTimers())
		})
	}
}

// TestPanicSafetyRefusedStartInABatch: a BatchWork whose iterator yields a
// work that waits under another parent. Adding it is refused with the
// illegal transition WORK_WAITING -> WORK_PENDING, as documented; the
// work is dropped, as a duplicate is (it is neither held nor put in the
// batch, which would make every later top-up panic again or count a work
// the batch does not hold), and stays registered with its real parent. The
// batch goes on with its other items and succeeds.
func TestPanicSafetyRefusedStartInABatch(t *testing.T) {
	// A batch of one: a refused work counted in the batch would keep c out.
	app := newApp(scheduler.WithConfig(basicwork.Config{MaxConcurrentSubprocesses: 1}))
	clock := app.Clock()
	shared := newSleeper(app, "shared", time.Hour)
	holder := work.NewGroup(app, "holder", basicwork.RetryNever, shared)
	app.WorkScheduler().ScheduleWork(holder)
	crankUntil(t, clock, func() bool { return shared.State() == basicwork.Waiting })

	a := newSleeper(app, "a", time.Millisecond)
	c := newSleeper(app, "c", time.Millisecond)
	batch := testworks.NewListBatchWork(app, "batch", []basicwork.Work{a, shared, c})
	app.WorkScheduler().ScheduleWork(batch)
	panics := crankRecovering(t, clock, batch.IsDone)
	require.Len(t, panics, 1)
	require.ErrorIs(t, panics[0].(error), basicwork.ErrIllegalTransition)
	require.Equal(t, basicwork.Success, batch.State())
	require.Equal(t, basicwork.Success, a.State())
	require.Equal(t, basicwork.Success, c.State())
	require.Equal(t, 2, batch.TotalChildren())
	require.Zero(t, batch.NumWorksInBatch())
	require.Equal(t, "work-scheduler/holder/shared", basicwork.PathOf(shared))
	require.Equal(t, basicwork.Waiting, shared.State())
}
