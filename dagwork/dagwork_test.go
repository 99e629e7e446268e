package dagwork_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worksequence"
)

// TestDiamond: d waits for both b and c, which wait for a; ready nodes start
// in the order given.
func TestDiamond(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: newLogWork(app, "d", &log), Deps: []string{"b", "c"}},
		{Work: newLogWork(app, "c", &log), Deps: []string{"a"}},
		{Work: newLogWork(app, "b", &log), Deps: []string{"a", "a"}},
		{Work: newLogWork(app, "a", &log)},
	})
	require.NoError(t, err)
	require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
	require.Equal(t, []string{"a", "c", "b", "d"}, log)
	require.Equal(t, basicwork.Success, dag.State())
	require.Equal(t, []string{"d", "c", "b", "a"}, dag.Names())
}

// TestEmpty: a graph without nodes succeeds at once.
func TestEmpty(t *testing.T) {
	app, _ := newApp(t)
	dag, err := dagwork.New(app, "empty", nil)
	require.NoError(t, err)
	require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
	require.Equal(t, basicwork.Success, dag.State())
	require.Equal(t, dagwork.Metrics{}, dag.Metrics())
}

// TestTransitiveBlocking: when a fails, b (on a) and c (on b) are Blocked
// and never started; d and e, which do not depend on a, keep running; the
// DAGWork fails once they are done.
func TestTransitiveBlocking(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	var events []string
	b := newLogWork(app, "b", &log)
	c := newLogWork(app, "c", &log)
	d := newSleepyWork(app, "d", 3, 10*time.Millisecond)
	e := newLogWork(app, "e", &log)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: d},
		{Work: newFailWork(app, "a")},
		{Work: b, Deps: []string{"a"}},
		{Work: c, Deps: []string{"b"}},
		{Work: e, Deps: []string{"d"}},
	}, dagwork.WithNodeListener(func(ev dagwork.NodeEvent) {
		events = append(events, fmt.Sprintf("t=%d %s %s->%s attempt=%d",
			app.Clock().Elapsed().Milliseconds(), ev.Name, ev.From, ev.To, ev.Attempt))
	}))
	require.NoError(t, err)
	errs := requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "a")
	require.ErrorIs(t, errs[0], basicwork.ErrWorkFailed)

	requireNode(t, dag, "a", dagwork.Failed)
	requireNode(t, dag, "b", dagwork.Blocked)
	requireNode(t, dag, "c", dagwork.Blocked)
	requireNode(t, dag, "d", dagwork.Success)
	requireNode(t, dag, "e", dagwork.Success)
	require.Equal(t, basicwork.InternalPending, internal(b))
	require.Equal(t, basicwork.InternalPending, internal(c))
	require.Equal(t, []string{"e"}, log)
	require.Equal(t, basicwork.Failure, dag.State())
	require.Equal(t, 30*time.Millisecond, app.Clock().Elapsed())
	require.Equal(t, dagwork.Metrics{Total: 5, Success: 2, Failed: 1, Blocked: 2, Attempts: 3}, dag.Metrics())
	require.Equal(t, []string{
		"t=0 d PENDING->RUNNING attempt=1",
		"t=0 a PENDING->RUNNING attempt=1",
		"t=0 a RUNNING->FAILED attempt=1",
		"t=0 b PENDING->BLOCKED attempt=0",
		"t=0 c PENDING->BLOCKED attempt=0",
		"t=30 d RUNNING->SUCCESS attempt=1",
		"t=30 e PENDING->RUNNING attempt=1",
		"t=30 e RUNNING->SUCCESS attempt=1",
	}, events)
}

// TestMaxConcurrency: five independent works of 10 ms each, two at a time,
// then three at a time from the application's config.
func TestMaxConcurrency(t *testing.T) {
	run := func(t *testing.T, app *scheduler.App, opts ...dagwork.Option) ([]time.Duration, int) {
		var nodes []dagwork.Node
		var works []*sleepyWork
		for i := range 5 {
			w := newSleepyWork(app, fmt.Sprintf("w%d", i), 1, 10*time.Millisecond)
			works = append(works, w)
			nodes = append(nodes, dagwork.Node{Work: w})
		}
		peak := 0
		opts = append(opts, dagwork.WithNodeListener(func(ev dagwork.NodeEvent) {
			peak = max(peak, ev.DAG.Metrics().Running)
		}))
		dag, err := dagwork.New(app, "dag", nodes, opts...)
		require.NoError(t, err)
		require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
		require.Equal(t, basicwork.Success, dag.State())
		var starts []time.Duration
		for _, w := range works {
			starts = append(starts, w.startedAt)
		}
		return starts, peak
	}
	t.Run("option", func(t *testing.T) {
		app, _ := newApp(t)
		ms := time.Millisecond
		starts, peak := run(t, app, dagwork.WithMaxConcurrency(2))
		require.Equal(t, []time.Duration{0, 0, 10 * ms, 10 * ms, 20 * ms}, starts)
		require.Equal(t, 2, peak)
	})
	t.Run("config", func(t *testing.T) {
		app, _ := newApp(t, scheduler.WithConfig(basicwork.Config{MaxConcurrentSubprocesses: 3}))
		ms := time.Millisecond
		starts, peak := run(t, app)
		require.Equal(t, []time.Duration{0, 0, 0, 10 * ms, 10 * ms}, starts)
		require.Equal(t, 3, peak)
	})
}

// TestCancelRunningNode: cancelling a running node by name aborts its work
// and blocks its dependents; an independent node runs on; the DAGWork fails.
// The cancellation comes from a timer while every work waits, so the
// DAGWork is Waiting and must be woken up.
func TestCancelRunningNode(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	a := newSleepyWork(app, "a", 10, 10*time.Millisecond)
	b := newLogWork(app, "b", &log)
	c := newLogWork(app, "c", &log)
	d := newSleepyWork(app, "d", 5, 10*time.Millisecond)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: a},
		{Work: b, Deps: []string{"a"}},
		{Work: c, Deps: []string{"b"}},
		{Work: d},
	})
	require.NoError(t, err)
	var cancelErr error
	at(app, 15*time.Millisecond, func() {
		require.Equal(t, basicwork.Waiting, dag.State())
		cancelErr = dag.Cancel("a")
	})
	// a was cancelled while running: its error says it was aborted.
	errs := requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "a")
	require.ErrorIs(t, errs[0], basicwork.ErrWorkAborted)
	require.NoError(t, cancelErr)
	requireNode(t, dag, "a", dagwork.Cancelled)
	requireNode(t, dag, "b", dagwork.Blocked)
	requireNode(t, dag, "c", dagwork.Blocked)
	requireNode(t, dag, "d", dagwork.Success)
	require.Equal(t, basicwork.Aborted, a.State())
	require.Equal(t, basicwork.InternalPending, internal(b))
	require.Empty(t, log)
	require.Equal(t, basicwork.Failure, dag.State())
	require.Equal(t, 50*time.Millisecond, app.Clock().Elapsed())

	// A node that is done, and a name no node has.
	err = dag.Cancel("a")
	require.ErrorIs(t, err, dagwork.ErrNodeDone)
	require.EqualError(t, err, `dagwork: node "a" is already CANCELLED`)
	err = dag.Cancel("nope")
	require.ErrorIs(t, err, dagwork.ErrUnknownNode)
	_, ok := dag.NodeState("nope")
	require.False(t, ok)
	_, ok = dag.NodeWork("nope")
	require.False(t, ok)
	nw, ok := dag.NodeWork("a")
	require.True(t, ok)
	require.Same(t, a, nw)
}

// TestCancelLastRunningNode: cancelling the only node left ends the graph,
// even while the DAGWork waits.
func TestCancelLastRunningNode(t *testing.T) {
	app, _ := newApp(t)
	a := newSleepyWork(app, "a", 1, time.Hour)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: a}})
	require.NoError(t, err)
	at(app, time.Second, func() { require.NoError(t, dag.Cancel("a")) })
	requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "a")
	requireNode(t, dag, "a", dagwork.Cancelled)
	require.Equal(t, basicwork.Failure, dag.State())
	require.Equal(t, time.Second, app.Clock().Elapsed())
}

// TestShutdownCancelsEverything: cancelling the context of ExecuteWork
// cancels every node not done, running or not; those already done keep
// their state.
func TestShutdownCancelsEverything(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	running := newSleepyWork(app, "running", 10, 10*time.Millisecond)
	pending := newLogWork(app, "pending", &log)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: newLogWork(app, "done", &log)},
		{Work: newFailWork(app, "failed")},
		{Work: newLogWork(app, "blocked", &log), Deps: []string{"failed"}},
		{Work: running},
		{Work: pending, Deps: []string{"running"}},
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at(app, 25*time.Millisecond, cancel)
	require.ErrorIs(t, execute(t, ctx, app, dag, 5*time.Second), context.Canceled)
	requireNode(t, dag, "done", dagwork.Success)
	requireNode(t, dag, "failed", dagwork.Failed)
	requireNode(t, dag, "blocked", dagwork.Blocked)
	requireNode(t, dag, "running", dagwork.Cancelled)
	requireNode(t, dag, "pending", dagwork.Cancelled)
	require.Equal(t, basicwork.Aborted, running.State())
	require.Equal(t, basicwork.InternalPending, internal(pending))
	require.Equal(t, basicwork.Aborted, dag.State())
	require.Equal(t, dagwork.Metrics{Total: 5, Success: 1, Failed: 1, Blocked: 1, Cancelled: 2, Attempts: 3}, dag.Metrics())
}

// TestRetryKeepsSlot: a node waiting out its retry backoff keeps its slot:
// with one slot, the second node starts only after the first succeeded.
func TestRetryKeepsSlot(t *testing.T) {
	app, _ := newApp(t)
	attempts := 0
	second := newSleepyWork(app, "second", 1, time.Millisecond)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: newRetryWork(app, "first", &attempts, basicwork.RetryOnce)},
		{Work: second},
	}, dagwork.WithMaxConcurrency(1))
	require.NoError(t, err)
	var mid dagwork.Metrics
	at(app, 500*time.Millisecond, func() { mid = dag.Metrics() })
	require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
	require.Equal(t, dagwork.Metrics{Total: 2, Pending: 1, Running: 1, Attempts: 1, RetriesLeft: 1}, mid)
	require.Equal(t, time.Second, second.startedAt)
	require.Equal(t, basicwork.Success, dag.State())
}

// TestPanicPropagates: without RecoverPanics, a panic in a node's OnRun goes
// up through the clock's Crank and out of ExecuteWork, as the C++ would end
// the process.
func TestPanicPropagates(t *testing.T) {
	app, _ := newApp(t)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: newPanicWork(app, "p", basicwork.RetryNever)}})
	require.NoError(t, err)
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_ = app.WorkScheduler().ExecuteWork(context.Background(), dag)
	}()
	require.Equal(t, "intentional panic for testing", recovered)
	requireNode(t, dag, "p", dagwork.Running)
}

// TestRecoverPanicsPassesThrough: a work wrapped for panics behaves as
// itself: it waits, is retried, and its tree path shows the wrapper, which
// has its name.
func TestRecoverPanicsPassesThrough(t *testing.T) {
	app, _ := newApp(t)
	var paths []string
	app.SetTransitionListener(func(ev basicwork.TransitionEvent) {
		if ev.To == basicwork.InternalSuccess {
			paths = append(paths, ev.Path())
		}
	})
	w := newSleepyWork(app, "s", 2, time.Millisecond)
	w.fail = true
	attempts := 0
	r := newRetryWork(app, "r", &attempts, basicwork.RetryOnce)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: w, RecoverPanics: true},
		{Work: r, RecoverPanics: true},
	})
	require.NoError(t, err)
	// s failed without panicking: its error is a plain failure.
	errs := requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "s")
	require.NotErrorIs(t, errs[0], dagwork.ErrPanicked)
	requireNode(t, dag, "s", dagwork.Failed)
	requireNode(t, dag, "r", dagwork.Success)
	require.Equal(t, []string{"work-scheduler/dag/r/r", "work-scheduler/dag/r"}, paths)
	nw, _ := dag.NodeWork("r")
	require.Same(t, r, nw)
	require.Equal(t, dagwork.Metrics{Total: 2, Success: 1, Failed: 1, Attempts: 3, RetriesLeft: 0}, dag.Metrics())
}

// TestRerun: a DAGWork started again once done runs the whole graph again;
// so does one inside a sequence that is retried.
func TestRerun(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: newLogWork(app, "a", &log)},
		{Work: newLogWork(app, "b", &log), Deps: []string{"a"}},
	})
	require.NoError(t, err)
	require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
	require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
	require.Equal(t, []string{"a", "b", "a", "b"}, log)
	require.Equal(t, dagwork.Metrics{Total: 2, Success: 2, Attempts: 2}, dag.Metrics())

	// Between runs the nodes keep their last states: none can be
	// cancelled.
	require.ErrorIs(t, dag.Cancel("b"), dagwork.ErrNodeDone)

	// In a sequence retried once: the graph fails, then runs again.
	attempts := 0
	var seqLog []string
	inner, err := dagwork.New(app, "inner", []dagwork.Node{
		{Work: newRetryWork(app, "flaky", &attempts, basicwork.RetryNever)},
		{Work: newLogWork(app, "after", &seqLog), Deps: []string{"flaky"}},
	})
	require.NoError(t, err)
	seq, err := worksequence.New(app, "seq", []basicwork.Work{inner}, worksequence.WithMaxRetries(basicwork.RetryOnce))
	require.NoError(t, err)
	require.NoError(t, execute(t, context.Background(), app, seq, 5*time.Second))
	require.Equal(t, basicwork.Success, seq.State())
	require.Equal(t, 2, attempts)
	require.Equal(t, []string{"after"}, seqLog)
	requireNode(t, inner, "after", dagwork.Success)
}

// TestCancelFromAnotherGoroutine: on a real-time clock, another goroutine
// cancels a running node by posting the call onto the crank goroutine. It
// posts once the node's work waits on its hour: a post that came before
// ExecuteWork had started the node (after a fixed 10 ms, which a loaded
// machine can outlast) found it not yet started.
func TestCancelFromAnotherGoroutine(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.RealTime))
	long := newSleepyWork(app, "long", 1, time.Hour)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: long}})
	require.NoError(t, err)
	waiting := make(chan struct{})
	app.SetTransitionListener(func(ev basicwork.TransitionEvent) {
		if ev.Work == basicwork.Work(long) && ev.To == basicwork.InternalWaiting {
			close(waiting)
		}
	})
	var wg sync.WaitGroup
	wg.Add(1)
	cancelled := make(chan error, 1)
	go func() {
		defer wg.Done()
		<-waiting
		app.PostOnMainThread(func() { cancelled <- dag.Cancel("long") }, "cancel", vclock.NormalAction)
	}()
	requireDAGFailed(t, execute(t, context.Background(), app, dag, 10*time.Second), dag, "long")
	wg.Wait()
	require.NoError(t, <-cancelled)
	requireNode(t, dag, "long", dagwork.Cancelled)
	require.Equal(t, basicwork.Aborted, long.State())
}

// TestNodeStateString names every state.
func TestNodeStateString(t *testing.T) {
	var names []string
	for s := dagwork.Pending; s <= dagwork.Cancelled; s++ {
		names = append(names, s.String())
		require.Equal(t, s >= dagwork.Success, s.IsTerminal())
	}
	require.Equal(t, []string{"PENDING", "RUNNING", "SUCCESS", "FAILED", "BLOCKED", "CANCELLED"}, names)
	require.Equal(t, "NodeState(9)", dagwork.NodeState(9).String())
	require.False(t, dagwork.NodeState(9).IsTerminal())
}

// busyWork wants a crank on every crank, forever.
type busyWork struct {
	basicwork.BasicWork
	runs int
}

func (w *busyWork) OnRun() basicwork.State { w.runs++; return basicwork.Running }
func (w *busyWork) OnAbort() bool          { return true }

// killWork shuts another work down and succeeds.
type killWork struct {
	basicwork.BasicWork
	victim basicwork.Work
}

func (w *killWork) OnRun() basicwork.State { w.victim.Shutdown(); return basicwork.Success }
func (w *killWork) OnAbort() bool          { return true }

// TestAbortedFromOutside: a node's work shut down by someone else than the
// DAGWork ends the node Cancelled and blocks its dependents, wrapped for
// panics or not.
func TestAbortedFromOutside(t *testing.T) {
	for _, wrap := range []bool{false, true} {
		t.Run(fmt.Sprint("RecoverPanics=", wrap), func(t *testing.T) {
			app, _ := newApp(t)
			var log []string
			victim := &busyWork{}
			victim.Init(app, "victim", basicwork.RetryAFew, victim)
			killer := &killWork{victim: victim}
			killer.Init(app, "killer", basicwork.RetryNever, killer)
			dag, err := dagwork.New(app, "dag", []dagwork.Node{
				{Work: victim, RecoverPanics: wrap},
				{Work: killer},
				{Work: newLogWork(app, "after", &log), Deps: []string{"victim"}},
			})
			require.NoError(t, err)
			errs := requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "victim")
			require.ErrorIs(t, errs[0], basicwork.ErrWorkAborted, "wrapped or not, the victim was aborted")
			requireNode(t, dag, "victim", dagwork.Cancelled)
			requireNode(t, dag, "killer", dagwork.Success)
			requireNode(t, dag, "after", dagwork.Blocked)
			require.Equal(t, basicwork.Aborted, victim.State())
			require.Equal(t, basicwork.Failure, dag.State())
		})
	}
}

// TestRerunAfterPanic: a work that panicked is shut down and aborted
// before its node fails, so starting the graph again starts it again; it
// panics again, a failure of the node in the next run as well.
func TestRerunAfterPanic(t *testing.T) {
	app, logs := newApp(t)
	var wrappers []basicwork.Work
	app.SetTransitionListener(func(ev basicwork.TransitionEvent) {
		if ev.Name() == "p" && ev.To == basicwork.InternalRunning && ev.From == basicwork.InternalPending {
			wrappers = append(wrappers, ev.Work)
		}
	})
	p := newPanicWork(app, "p", basicwork.RetryNever)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: p, RecoverPanics: true}})
	require.NoError(t, err)
	requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "p")
	requireNode(t, dag, "p", dagwork.Failed)
	require.Equal(t, basicwork.InternalAborted, internal(p))
	requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "p")
	requireNode(t, dag, "p", dagwork.Failed)
	var msgs []string
	for _, e := range logs.FilterLevelExact(zapcore.ErrorLevel).All() {
		msgs = append(msgs, e.Message)
	}
	require.Equal(t, []string{
		"dagwork: work p panicked in OnRun: intentional panic for testing",
		"dagwork: work p panicked in OnRun: intentional panic for testing",
	}, msgs)
	// Each run starts the wrapper, then p; the wrapper shows p's status.
	require.Len(t, wrappers, 4)
	require.NotSame(t, p, wrappers[0])
	require.Same(t, p, wrappers[1])
	require.Same(t, wrappers[0], wrappers[2])
	require.Equal(t, p.Status(), wrappers[0].Status())
}
