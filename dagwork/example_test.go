package dagwork_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// step returns a leaf work that prints its name and succeeds, or fails.
func step(app basicwork.Application, name string, ok bool) basicwork.Work {
	w, err := basicwork.NewWorkWithCallback(app, name, func(basicwork.Application) (bool, error) {
		fmt.Println("run", name)
		return ok, nil
	})
	if err != nil {
		panic(err)
	}
	return w
}

// The graph of henyey's history catchup. "transactions" fails: the node
// that needs it is Blocked and never runs, the others run on, and the
// DAGWork fails once nothing more can run.
func ExampleNew() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	dag, err := dagwork.New(app, "catchup", []dagwork.Node{
		{Work: step(app, "has", true)},
		{Work: step(app, "buckets", true), Deps: []string{"has"}},
		{Work: step(app, "headers", true), Deps: []string{"has"}},
		{Work: step(app, "transactions", false), Deps: []string{"headers"}},
		{Work: step(app, "tx_results", true), Deps: []string{"headers", "transactions"}},
		{Work: step(app, "scp", true), Deps: []string{"headers"}},
	}, dagwork.WithMaxConcurrency(16))
	if err != nil {
		panic(err)
	}
	err = app.WorkScheduler().ExecuteWork(context.Background(), dag)
	for _, name := range dag.Names() {
		st, _ := dag.NodeState(name)
		fmt.Printf("%-12s %s\n", name, st)
	}
	fmt.Println(dag.Name(), dag.State())
	// The error says the DAGWork failed; its cause joins the errors of the
	// nodes that failed.
	fmt.Println(errors.Is(err, basicwork.ErrWorkFailed), errors.Is(err, basicwork.ErrCallbackFailed))
	var we *basicwork.WorkError
	if errors.As(dag.FailureCause(), &we) {
		fmt.Println("failed node:", we.Name, we.State)
	}
	fmt.Printf("%+v\n", dag.Metrics())
	// Output:
	// run has
	// run buckets
	// run headers
	// run transactions
	// run scp
	// has          SUCCESS
	// buckets      SUCCESS
	// headers      SUCCESS
	// transactions FAILED
	// tx_results   BLOCKED
	// scp          SUCCESS
	// catchup WORK_FAILURE
	// true true
	// failed node: transactions WORK_FAILURE
	// {Total:6 Pending:0 Running:0 Success:4 Failed:1 Blocked:1 Cancelled:0 Attempts:5 RetriesLeft:0}
}

// waiter waits a while, then succeeds.
type waiter struct {
	basicwork.BasicWork
	d      time.Duration
	waited bool
}

func newWaiter(app basicwork.Application, name string, d time.Duration) *waiter {
	w := &waiter{d: d}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *waiter) OnRun() basicwork.State {
	if w.waited {
		return basicwork.Success
	}
	w.waited = true
	w.SetupWaitingCallback(w.d)
	return basicwork.Waiting
}

func (w *waiter) OnAbort() bool { return true }

// Cancel stops one node and everything that depends on it; the rest runs
// on. Here "download" is cancelled after 1 s, while it runs: its work is
// aborted and "apply" is blocked. On another goroutine, post the call with
// the application's PostOnMainThread.
func ExampleDAGWork_Cancel() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	download := newWaiter(app, "download", time.Minute)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: download},
		{Work: newWaiter(app, "apply", time.Second), Deps: []string{"download"}},
		{Work: newWaiter(app, "index", 2*time.Second)},
	}, dagwork.WithNodeListener(func(e dagwork.NodeEvent) {
		fmt.Printf("%v %s: %s -> %s\n", app.Clock().Elapsed(), e.Name, e.From, e.To)
	}))
	if err != nil {
		panic(err)
	}
	t := vclock.NewTimer(app.Clock())
	t.ExpiresFromNow(time.Second)
	t.AsyncWaitFunc(func() {
		if err := dag.Cancel("download"); err != nil {
			panic(err)
		}
	}, vclock.OnFailureNoop)

	err = app.WorkScheduler().ExecuteWork(context.Background(), dag)
	fmt.Println("download work:", download.State())
	fmt.Println(dag.Name(), dag.State(), errors.Is(err, basicwork.ErrWorkAborted))
	// Output:
	// 0s download: PENDING -> RUNNING
	// 0s index: PENDING -> RUNNING
	// 1s download: RUNNING -> CANCELLED
	// 1s apply: PENDING -> BLOCKED
	// 2s index: RUNNING -> SUCCESS
	// download work: WORK_ABORTED
	// dag WORK_FAILURE true
}

// boom panics in OnRun.
type boom struct{ basicwork.BasicWork }

func (w *boom) OnRun() basicwork.State { panic("boom") }
func (w *boom) OnAbort() bool          { return true }

// With RecoverPanics, a panic in the node's work is a final failure of the
// node, logged at ERROR level and never retried; without it, the panic
// goes up through the clock's Crank, out of ExecuteWork.
func ExampleNode_recoverPanics() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	w := &boom{}
	w.Init(app, "boom", basicwork.RetryAFew, w)
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: w, RecoverPanics: true},
		{Work: step(app, "after", true), Deps: []string{"boom"}},
	})
	if err != nil {
		panic(err)
	}
	err = app.WorkScheduler().ExecuteWork(context.Background(), dag)
	for _, name := range dag.Names() {
		st, _ := dag.NodeState(name)
		fmt.Println(name, st)
	}
	fmt.Println("attempts:", dag.Metrics().Attempts)
	// The panic is the node's failure cause, so the DAGWork's too.
	var pe *dagwork.PanicError
	if errors.As(err, &pe) {
		fmt.Println(pe.Node, pe.Where, pe.Value, errors.Is(err, dagwork.ErrPanicked))
	}
	// Output:
	// boom FAILED
	// after BLOCKED
	// attempts: 1
	// boom OnRun boom true
}

// New rejects a graph it cannot run with a typed error that names the
// nodes; errors.Is matches the sentinel, errors.As gets the names.
func ExampleCycleError() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	_, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: step(app, "a", true), Deps: []string{"c"}},
		{Work: step(app, "b", true), Deps: []string{"a"}},
		{Work: step(app, "c", true), Deps: []string{"b"}},
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, dagwork.ErrCycle))
	var ce *dagwork.CycleError
	if errors.As(err, &ce) {
		fmt.Println(ce.Cycle)
	}

	_, err = dagwork.New(app, "dag", []dagwork.Node{
		{Work: step(app, "a", true), Deps: []string{"missing"}},
	})
	var ue *dagwork.UnknownDependencyError
	if errors.As(err, &ue) {
		fmt.Println(ue.Node, "needs", ue.Dependency, errors.Is(err, dagwork.ErrUnknownDependency))
	}
	// Output:
	// dagwork: dependency cycle: a -> c -> b -> a
	// true
	// [a c b]
	// a needs missing true
}
