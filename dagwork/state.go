package dagwork

import "fmt"

// NodeState is the state of one node of a DAGWork: henyey's WorkState.
type NodeState int

const (
	// Pending: not started yet.
	Pending NodeState = iota
	// Running: started and not done. A work that waits (on a timer or for
	// its retry backoff) or aborts is still Running.
	Running
	// Success is terminal: the work succeeded.
	Success
	// Failed is terminal: the work failed with no retry left, or panicked
	// with RecoverPanics set.
	Failed
	// Blocked is terminal: a node this one depends on, directly or not,
	// failed or was cancelled. The node's work was never started.
	Blocked
	// Cancelled is terminal: the node was cancelled by Cancel, or by a
	// shutdown of the DAGWork. A work that was running ends Aborted; one
	// that was not stays unstarted.
	Cancelled
)

var nodeStateNames = [...]string{"PENDING", "RUNNING", "SUCCESS", "FAILED", "BLOCKED", "CANCELLED"}

// String returns the name of the state, such as "BLOCKED".
func (s NodeState) String() string {
	if s >= 0 && int(s) < len(nodeStateNames) {
		return nodeStateNames[s]
	}
	return fmt.Sprintf("NodeState(%d)", int(s))
}

// IsTerminal reports whether s is Success, Failed, Blocked or Cancelled.
func (s NodeState) IsTerminal() bool { return s >= Success && s <= Cancelled }

// Metrics counts a DAGWork's nodes: henyey's WorkSchedulerMetrics. Each node
// counts in exactly one of Pending, Running, Success, Failed, Blocked and
// Cancelled.
type Metrics struct {
	// Total is the number of nodes.
	Total int
	// Pending ... Cancelled count the nodes in each NodeState.
	Pending, Running, Success, Failed, Blocked, Cancelled int
	// Attempts sums the attempts of the nodes' works in this run: 1 for a
	// work run once, one more for each retry, 0 for a work not started.
	Attempts int
	// RetriesLeft sums the retry budgets the nodes' works have not used.
	RetriesLeft int
}

// NodeEvent is one change of a node's state, as a NodeListener sees it:
// henyey's WorkEvent. The works' own state changes are the application's
// transition events (basicwork.TransitionListener).
type NodeEvent struct {
	// DAG is the DAGWork the node belongs to.
	DAG *DAGWork
	// Name is the node's name.
	Name string
	// From and To are the node's states before and after.
	From, To NodeState
	// Attempt is the attempt the node's work is on (basicwork's Attempt),
	// or 0 if the work was not started.
	Attempt int
}

// NodeListener is called, on the crank goroutine, after each change of a
// node's state. It may call the DAGWork's NodeState, Metrics and Cancel; it
// must not crank the clock. If it panics, the panic goes on (out of the
// clock's Crank) once the DAGWork has finished the bookkeeping under way,
// such as readying the dependents of a node that succeeded; a second panic
// in the same bookkeeping is dropped.
type NodeListener func(NodeEvent)
