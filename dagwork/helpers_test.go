package dagwork_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// newApp returns an application on a fresh virtual clock, whose retry
// jitter always takes the lower bound (so the first retry comes 1 s after
// the failure, the second 2 s after the next), and the lines its logger
// wrote at DEBUG and above.
func newApp(t testing.TB, opts ...scheduler.Option) (*scheduler.App, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	opts = append([]scheduler.Option{
		scheduler.WithRand(basicwork.LowerBound{}),
		scheduler.WithLogger(zap.New(core)),
	}, opts...)
	return scheduler.NewApp(vclock.New(vclock.VirtualTime), opts...), logs
}

// execute runs w with ExecuteWork on another goroutine and fails the test
// if it has not returned within limit of wall time: the port of henyey's
// tokio::time::timeout(limit, scheduler.run_until_done()) "did not hang"
// checks. Everything the clock cranks runs on that goroutine; the test
// reads the results after it returned.
func execute(t *testing.T, ctx context.Context, app *scheduler.App, w basicwork.Work, limit time.Duration) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- app.WorkScheduler().ExecuteWork(ctx, w) }()
	select {
	case err := <-errc:
		return err
	case <-time.After(limit):
		t.Fatalf("scheduler hung: %s not done after %v", w.Name(), limit)
		return nil
	}
}

// at arms a timer that calls f at virtual time d (from now): the port of a
// tokio task that sleeps d and then acts. The timer's callback runs on the
// crank goroutine, between two cranks.
func at(app *scheduler.App, d time.Duration, f func()) {
	tm := vclock.NewTimer(app.Clock())
	tm.ExpiresFromNow(d)
	tm.AsyncWaitFunc(f, vclock.OnFailureNoop)
}

// requireNode checks a node's state.
func requireNode(t *testing.T, d *dagwork.DAGWork, name string, want dagwork.NodeState) {
	t.Helper()
	st, ok := d.NodeState(name)
	require.True(t, ok, "node %s", name)
	require.Equal(t, want, st, "node %s", name)
}

// logWork is henyey's LogWork: it appends its name to a shared log and
// succeeds. The log is only touched on the crank goroutine.
type logWork struct {
	basicwork.BasicWork
	log *[]string
}

func newLogWork(app basicwork.Application, name string, log *[]string) *logWork {
	w := &logWork{log: log}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *logWork) OnRun() basicwork.State {
	*w.log = append(*w.log, w.Name())
	return basicwork.Success
}
func (w *logWork) OnAbort() bool { return true }

// retryWork is henyey's RetryWork: it counts its attempts in a shared
// counter and fails the first one. henyey's work returns Retry{delay: 10ms};
// here the failure is retried by BasicWork itself, after the backoff delay
// of its first retry, which with basicwork.LowerBound jitter is 1 s of
// virtual time. The retry budget is the work's own (henyey's add_work
// retries argument).
type retryWork struct {
	basicwork.BasicWork
	attempts *int
}

func newRetryWork(app basicwork.Application, name string, attempts *int, retries int) *retryWork {
	w := &retryWork{attempts: attempts}
	w.Init(app, name, retries, w)
	return w
}

func (w *retryWork) OnRun() basicwork.State {
	*w.attempts++
	if *w.attempts == 1 {
		return basicwork.Failure
	}
	return basicwork.Success
}
func (w *retryWork) OnAbort() bool { return true }

// sleepyWork waits steps times for step of virtual time, then succeeds
// (or fails). It is henyey's CancellableWork, whose loop checks the token and
// sleeps 5 ms five times: here each sleep is a waiting timer, and a
// cancellation is a shutdown, which cancels the timer and aborts at once.
type sleepyWork struct {
	basicwork.BasicWork
	steps, done int
	step        time.Duration
	fail        bool
	startedAt   time.Duration
}

func newSleepyWork(app basicwork.Application, name string, steps int, step time.Duration) *sleepyWork {
	w := &sleepyWork{steps: steps, step: step}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *sleepyWork) OnRun() basicwork.State {
	if w.done == 0 {
		w.startedAt = w.App().Clock().Elapsed()
	}
	if w.done == w.steps {
		if w.fail {
			return basicwork.Failure
		}
		return basicwork.Success
	}
	w.done++
	w.SetupWaitingCallback(w.step)
	return basicwork.Waiting
}
func (w *sleepyWork) OnAbort() bool { return true }
func (w *sleepyWork) OnReset()      { w.done = 0 }

// panicWork is henyey's PanicWork: it panics at once.
type panicWork struct{ basicwork.BasicWork }

func newPanicWork(app basicwork.Application, name string, retries int) *panicWork {
	w := &panicWork{}
	w.Init(app, name, retries, w)
	return w
}

func (w *panicWork) OnRun() basicwork.State { panic("intentional panic for testing") }
func (w *panicWork) OnAbort() bool          { return true }

// failWork fails every attempt.
type failWork struct{ basicwork.BasicWork }

func newFailWork(app basicwork.Application, name string) *failWork {
	w := &failWork{}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *failWork) OnRun() basicwork.State { return basicwork.Failure }
func (w *failWork) OnAbort() bool          { return true }

// internal returns a work's internal state.
func internal(w basicwork.Work) basicwork.InternalState { return baseOf(w).InternalState() }

// requireDAGFailed checks that err, ExecuteWork's error for dag, says that
// dag failed, and that its cause is one *basicwork.WorkError per node that
// failed or was cancelled while running, named as given, in the order of
// the nodes given to New. It returns those node errors.
func requireDAGFailed(t *testing.T, err error, dag *dagwork.DAGWork, nodes ...string) []*basicwork.WorkError {
	t.Helper()
	require.ErrorIs(t, err, basicwork.ErrWorkFailed)
	var we *basicwork.WorkError
	require.ErrorAs(t, err, &we)
	require.Equal(t, dag.Name(), we.Name)
	require.Equal(t, basicwork.InternalFailure, we.State)
	require.Equal(t, dag.Status(), we.Status)
	require.Equal(t, we.Cause, dag.FailureCause())
	var got []*basicwork.WorkError
	var names []string
	if we.Cause != nil {
		joined, ok := we.Cause.(interface{ Unwrap() []error })
		require.True(t, ok, "the cause joins the nodes' errors: %v", we.Cause)
		for _, e := range joined.Unwrap() {
			var ne *basicwork.WorkError
			require.ErrorAs(t, e, &ne)
			got = append(got, ne)
			names = append(names, ne.Name)
		}
	}
	require.Equal(t, nodes, names)
	return got
}
