// Package dagwork runs works over a dependency graph: each work starts only
// once every work it depends on has succeeded, and at most a given number
// run at once. It is the Go form of the WorkScheduler of henyey's work crate
// (the Rust port of stellar-core), built on this module's C++-faithful
// primitives rather than beside them: a DAGWork is a work.Work whose DoWork
// adds the nodes that are ready as children, so it is cranked by the clock,
// round-robin, exactly as any other Work. Nothing in it starts a goroutine,
// sleeps or reads the wall clock.
//
// # Building
//
// New takes the nodes, each a work that has not been started and the names
// of the nodes it depends on. A node's name is its work's name. New rejects
// a nil work (basicwork.ErrNilWork), a duplicate name (*DuplicateNameError),
// a dependency on an unknown node (*UnknownDependencyError) and a cycle
// (*CycleError, naming the nodes of the cycle); errors.Is matches
// ErrDuplicateName, ErrUnknownDependency and ErrCycle. Run the result like
// any work, for example with the scheduler's ExecuteWork:
//
//	dag, err := dagwork.New(app, "catchup", []dagwork.Node{
//		{Work: has},
//		{Work: buckets, Deps: []string{"has"}},
//		{Work: headers, Deps: []string{"has"}},
//		{Work: txs, Deps: []string{"headers"}},
//	}, dagwork.WithMaxConcurrency(16))
//	...
//	err = app.WorkScheduler().ExecuteWork(ctx, dag)
//	st, _ := dag.NodeState("txs")
//
// # Node states
//
// Every node is in one NodeState: Pending (not started), Running (started
// and not done: this includes a work waiting out its retry backoff, or
// aborting), Success, Failed, Blocked or Cancelled. The last four are
// terminal.
//
// Ready nodes start in the order they became ready; at the start, that is
// the order of the nodes given to New, and after a success, the order in
// which its dependents were given. A running node's retries are its own
// work's: build the work with the retry budget it needs (henyey's
// add_work(work, deps, retries) is a Node whose work was built with
// maxRetries = retries). While it waits out a retry, a node keeps its slot
// of the concurrency limit, as a child of a BatchWork keeps its place in
// the batch.
//
// # Failure and blocking
//
// When a node fails, none of the nodes that depend on it, directly or
// through other nodes, is ever started: they become Blocked, and their
// works stay unstarted (basicwork.InternalPending), so a caller can tell
// them apart from nodes that ran and failed. Blocking is transitive, as
// henyey's documentation says; henyey's code blocks only the direct
// dependents and leaves the others Pending forever. Nodes that do not
// depend on the failed one keep running. Once nothing more can run, the
// DAGWork ends with Success if every node succeeded and Failure otherwise.
// The DAGWork itself is never retried.
//
// # Cancellation
//
// Cancel(name) cancels one node: the node becomes Cancelled at once; if it
// is running its work is shut down and ends Aborted; every node that
// depends on it becomes Blocked, and nothing else changes. The DAGWork then
// ends with Failure once nothing more can run. Shutting the DAGWork down
// (which ExecuteWork does when its context is cancelled) cancels every node
// that is not done: all of them become Cancelled (not Blocked, since they
// were all cancelled), running works are aborted, and the DAGWork ends
// Aborted.
//
// # Panics
//
// As in the C++, where an exception escaping a work ends the process, a
// panic in a work's OnRun goes up through the clock's Crank and out of
// ExecuteWork. A node with RecoverPanics set instead turns a panic raised
// while its work is started or cranked (in OnRun, OnAbort or any hook they
// call) into a final failure of the node, never retried whatever the
// work's retry budget, and logs it at ERROR level; this is henyey's
// behaviour. A panic while the node is being cancelled makes it Cancelled:
// cancellation takes precedence. Before the node counts as failed, the
// work that panicked is shut down and its abort cranked to the end, so that
// none of its children, timers or processes outlives the node; if it
// panics again while aborting, its children are shut down and cranked
// directly. The node's failure cause is a *PanicError.
//
// # Errors
//
// A DAGWork that fails records as its cause (basicwork's FailureCause,
// and so the Cause of the *basicwork.WorkError that ExecuteWork returns)
// the errors of its nodes that failed or were cancelled while running,
// joined with errors.Join: each a *basicwork.WorkError with the node's
// name, state, status and cause.
//
// # Threads
//
// Like every work, a DAGWork is used on the goroutine that cranks its
// clock. Cancel, NodeState and Metrics must be called there (or while
// nothing cranks); from another goroutine, post them with the
// application's PostOnMainThread.
package dagwork
