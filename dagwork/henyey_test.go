package dagwork_test

// The eleven tests of henyey's crates/work/tests/scheduler.rs (commit
// 6883e8e1), one Go test each, in file order, with the Rust name in the Go
// name. The mapping:
//
//   - WorkScheduler::new(config{max_concurrency: N}) + add_work calls ->
//     dagwork.New(app, name, nodes, dagwork.WithMaxConcurrency(N)).
//   - add_work(work, deps, retries) -> a Node whose work was built with
//     maxRetries = retries; WorkId -> the work's name.
//   - run_until_done() -> ExecuteWork(context.Background(), dag);
//     run_until_done_with_cancel(token) -> ExecuteWork(ctx, dag), the token
//     being the context and a task that cancels it after d being a virtual
//     timer at d (see at).
//   - tokio::time::timeout(limit, run) "did not hang" -> execute(t, ...,
//     limit), a wall-clock limit around ExecuteWork.
//   - state(id) -> NodeState(name); cancel(id) -> Cancel(name);
//     metrics() -> Metrics().
//   - WorkOutcome::Retry{delay} -> OnRun returning Failure with a retry
//     budget left: BasicWork retries after its exponential backoff, 1 s of
//     virtual time for the first retry with basicwork.LowerBound jitter
//     (henyey's 10 ms and 10 s delays both become this 1 s).
//   - WorkOutcome::Cancelled / ctx.is_cancelled() -> a shutdown: the work's
//     OnAbort; the node ends Cancelled and its work Aborted.
//   - a panic in run -> a panic in OnRun of a node with RecoverPanics set
//     (without it the panic goes out of Crank; see TestPanicPropagates).

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/vclock"
)

// test_dependency_ordering: b depends on a; a runs before b.
func TestHenyeyDependencyOrdering(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: newLogWork(app, "a", &log)},
		{Work: newLogWork(app, "b", &log), Deps: []string{"a"}},
	}, dagwork.WithMaxConcurrency(2))
	require.NoError(t, err)
	require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
	require.Equal(t, []string{"a", "b"}, log)
	require.Equal(t, basicwork.Success, dag.State())
}

// test_retry_then_success: a work that fails its first attempt, with one
// retry, runs twice. henyey retries after the 10 ms the work asks for;
// BasicWork retries after its backoff, 1 s of virtual time.
func TestHenyeyRetryThenSuccess(t *testing.T) {
	app, _ := newApp(t)
	attempts := 0
	w := newRetryWork(app, "retry", &attempts, basicwork.RetryOnce)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: w}}, dagwork.WithMaxConcurrency(1))
	require.NoError(t, err)
	require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
	require.Equal(t, 2, attempts)
	// Beyond henyey: the state, the attempt number and the backoff.
	requireNode(t, dag, "retry", dagwork.Success)
	require.Equal(t, 2, w.Attempt())
	require.Equal(t, time.Second, app.Clock().Elapsed())
}

// test_cancel_work: the external token, cancelled after 8 ms while the work
// sleeps its 5 ms steps, cancels the work. Here the context of ExecuteWork
// is cancelled at 8 ms of virtual time; the work, in its second wait, is
// shut down and aborted.
func TestHenyeyCancelWork(t *testing.T) {
	app, _ := newApp(t)
	w := newSleepyWork(app, "cancel", 5, 5*time.Millisecond)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: w}}, dagwork.WithMaxConcurrency(1))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at(app, 8*time.Millisecond, cancel)
	err = execute(t, ctx, app, dag, 5*time.Second)
	require.ErrorIs(t, err, context.Canceled)
	requireNode(t, dag, "cancel", dagwork.Cancelled)
	require.Equal(t, basicwork.Aborted, w.State())
	require.Equal(t, basicwork.Aborted, dag.State())
	require.Equal(t, 8*time.Millisecond, app.Clock().Elapsed())
}

// test_metrics_snapshot: after one successful work, total 1, success 1,
// failed 0.
func TestHenyeyMetricsSnapshot(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: newLogWork(app, "metrics", &log)}}, dagwork.WithMaxConcurrency(1))
	require.NoError(t, err)
	require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
	m := dag.Metrics()
	require.Equal(t, 1, m.Total)
	require.Equal(t, 1, m.Success)
	require.Equal(t, 0, m.Failed)
	// The whole snapshot, as the notes give it for a single success.
	require.Equal(t, dagwork.Metrics{Total: 1, Success: 1, Attempts: 1}, m)
}

// test_panic_recovery: a work that panics ends Failed and the run does not
// hang.
func TestHenyeyPanicRecovery(t *testing.T) {
	app, logs := newApp(t)
	w := newPanicWork(app, "panicker", basicwork.RetryNever)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: w, RecoverPanics: true}}, dagwork.WithMaxConcurrency(1))
	require.NoError(t, err)
	nodeErrs := requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "panicker")
	var pe *dagwork.PanicError
	require.ErrorAs(t, nodeErrs[0], &pe)
	require.Equal(t, dagwork.PanicError{Node: "panicker", Where: "OnRun", Value: "intentional panic for testing"}, *pe)
	requireNode(t, dag, "panicker", dagwork.Failed)
	require.Equal(t, basicwork.Failure, dag.State())
	errs := logs.FilterLevelExact(zapcore.ErrorLevel).All()
	require.Len(t, errs, 1)
	require.Equal(t, "dagwork: work panicker panicked in OnRun: intentional panic for testing", errs[0].Message)
	// Beyond henyey: the work that panicked was shut down and its abort
	// cranked to the end before the node failed, so that nothing it
	// started outlives the node.
	require.Equal(t, basicwork.InternalAborted, internal(w))
}

// test_panic_no_retry: a panic is final even with retries left.
func TestHenyeyPanicNoRetry(t *testing.T) {
	app, logs := newApp(t)
	w := newPanicWork(app, "panicker-with-retries", 3)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: w, RecoverPanics: true}}, dagwork.WithMaxConcurrency(1))
	require.NoError(t, err)
	requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "panicker-with-retries")
	requireNode(t, dag, "panicker-with-retries", dagwork.Failed)
	require.Equal(t, 1, w.Attempt())
	require.Equal(t, 0, w.Retries())
	require.Len(t, logs.FilterLevelExact(zapcore.ErrorLevel).All(), 1)
	require.Equal(t, time.Duration(0), app.Clock().Elapsed(), "no retry was scheduled")
	m := dag.Metrics()
	require.Equal(t, 1, m.Attempts)
	require.Equal(t, 3, m.RetriesLeft)
}

// test_panic_blocks_dependents: the dependent of a work that panicked is
// Blocked, and never ran.
func TestHenyeyPanicBlocksDependents(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	child := newLogWork(app, "child", &log)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: newPanicWork(app, "panicking-parent", basicwork.RetryNever), RecoverPanics: true},
		{Work: child, Deps: []string{"panicking-parent"}},
	}, dagwork.WithMaxConcurrency(2))
	require.NoError(t, err)
	requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "panicking-parent")
	requireNode(t, dag, "panicking-parent", dagwork.Failed)
	requireNode(t, dag, "child", dagwork.Blocked)
	require.Empty(t, log)
	require.Equal(t, basicwork.InternalPending, internal(child))
}

// signalPanicWork is henyey's SignalPanicWork: it waits for a signal, then
// panics, ignoring cancellation. Waiting is the Waiting state without a
// timer, ended by the signal's wake-up; ignoring cancellation is an OnAbort
// that does not complete until the signal, then panics.
type signalPanicWork struct {
	basicwork.BasicWork
	signalled bool
}

func (w *signalPanicWork) OnRun() basicwork.State {
	if w.signalled {
		panic("panic after signal")
	}
	return basicwork.Waiting
}

func (w *signalPanicWork) OnAbort() bool {
	if w.signalled {
		panic("panic after signal")
	}
	return false
}

func (w *signalPanicWork) signal() {
	w.signalled = true
	w.WakeSelfUpCallback(nil)()
}

// test_cancel_then_panic: the token is cancelled at 20 ms, and the work
// panics after that; it ends Cancelled, not Failed, and the run does not
// hang. henyey signals the panic 10 ms after the cancellation. Here an
// aborting work is cranked on every crank, and a virtual clock that is
// never idle does not move: the signal is posted on the clock right after
// the cancellation, and runs between two cranks of the aborting work.
func TestHenyeyCancelThenPanic(t *testing.T) {
	app, logs := newApp(t)
	w := &signalPanicWork{}
	w.Init(app, "cancel-then-panic", basicwork.RetryNever, w)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: w, RecoverPanics: true}}, dagwork.WithMaxConcurrency(1))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at(app, 20*time.Millisecond, func() {
		cancel()
		app.PostOnMainThread(w.signal, "signal", vclock.NormalAction)
	})
	err = execute(t, ctx, app, dag, 5*time.Second)
	require.ErrorIs(t, err, context.Canceled)
	requireNode(t, dag, "cancel-then-panic", dagwork.Cancelled)
	require.True(t, w.signalled)
	errs := logs.FilterLevelExact(zapcore.ErrorLevel).All()
	require.Len(t, errs, 1)
	require.Equal(t, "dagwork: work cancel-then-panic panicked in OnAbort: panic after signal", errs[0].Message)
	require.Equal(t, basicwork.Aborted, dag.State())
}

// test_retry_still_works_after_panic_handling: with two retries allowed, a
// work failing once runs twice and succeeds.
func TestHenyeyRetryStillWorksAfterPanicHandling(t *testing.T) {
	app, _ := newApp(t)
	attempts := 0
	w := newRetryWork(app, "retry-regression", &attempts, 2)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: w, RecoverPanics: true}}, dagwork.WithMaxConcurrency(1))
	require.NoError(t, err)
	require.NoError(t, execute(t, context.Background(), app, dag, 5*time.Second))
	require.Equal(t, 2, attempts)
	requireNode(t, dag, "retry-regression", dagwork.Success)
	m := dag.Metrics()
	require.Equal(t, 2, m.Attempts)
	require.Equal(t, 1, m.RetriesLeft)
}

// test_cancelled_before_start_not_panicked: a node cancelled before the
// run ends Cancelled without running, and the run does not hang.
func TestHenyeyCancelledBeforeStartNotPanicked(t *testing.T) {
	app, logs := newApp(t)
	var log []string
	w := newLogWork(app, "should-not-run", &log)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: w}}, dagwork.WithMaxConcurrency(1))
	require.NoError(t, err)
	require.NoError(t, dag.Cancel("should-not-run")) // henyey: cancel(id) == true
	// The DAGWork fails with no node error: the one node never ran.
	requireDAGFailed(t, execute(t, context.Background(), app, dag, 2*time.Second), dag)
	requireNode(t, dag, "should-not-run", dagwork.Cancelled)
	require.Empty(t, log)
	require.Equal(t, basicwork.InternalPending, internal(w))
	require.Empty(t, logs.FilterLevelExact(zapcore.ErrorLevel).All())
	// Nothing was left to run and not everything succeeded.
	require.Equal(t, basicwork.Failure, dag.State())
}

// test_retry_does_not_block_other_completions (henyey #2192): while one
// work waits out a long retry delay, an independent one completes, and a
// cancellation before the retry ends the run promptly, the waiting work
// Cancelled. henyey's delay is 10 s and the cancellation comes at 100 ms;
// here the delay is BasicWork's 1 s backoff and the context is cancelled
// at 100 ms of virtual time.
func TestHenyeyRetryDoesNotBlockOtherCompletions(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	attempts := 0
	slow := newRetryWork(app, "slow-retry", &attempts, basicwork.RetryOnce)
	fast := newLogWork(app, "fast", &log)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: slow},
		{Work: fast},
	}, dagwork.WithMaxConcurrency(2))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at(app, 100*time.Millisecond, cancel)
	err = execute(t, ctx, app, dag, 2*time.Second)
	require.ErrorIs(t, err, context.Canceled)
	requireNode(t, dag, "fast", dagwork.Success)
	require.Equal(t, []string{"fast"}, log)
	requireNode(t, dag, "slow-retry", dagwork.Cancelled)
	// Beyond henyey: one attempt, aborted during its backoff, which never
	// ran out.
	require.Equal(t, 1, attempts)
	require.Equal(t, basicwork.Aborted, slow.State())
	require.Equal(t, 100*time.Millisecond, app.Clock().Elapsed())
}
