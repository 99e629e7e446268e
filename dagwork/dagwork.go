package dagwork

import (
	"errors"
	"fmt"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/work"
)

// Node is one node of the graph given to New: henyey's add_work(work, deps,
// retries), the retries being those the work was built with.
type Node struct {
	// Work is the node's work, not started. Its name is the node's name.
	Work basicwork.Work
	// Deps names the nodes that must succeed before this one starts. A
	// name listed twice counts once.
	Deps []string
	// RecoverPanics makes a panic of the work a final failure of the node,
	// logged at ERROR level, instead of a panic out of the clock's Crank;
	// the work is shut down and aborted first (see the package doc). The
	// work then runs inside a wrapper work of the same name, which is the
	// DAGWork's child and the work's parent.
	RecoverPanics bool
}

// Option configures a DAGWork.
type Option func(*options)

type options struct {
	maxConcurrency int
	maxSet         bool
	listener       NodeListener
}

// WithMaxConcurrency sets how many nodes may be running at once; it must be
// at least 1. The default is the application's
// Config().MaxConcurrentSubprocesses, read whenever nodes are started, as a
// BatchWork reads it.
func WithMaxConcurrency(n int) Option {
	return func(o *options) { o.maxConcurrency, o.maxSet = n, true }
}

// WithNodeListener makes l receive every change of a node's state.
func WithNodeListener(l NodeListener) Option { return func(o *options) { o.listener = l } }

type node struct {
	name       string
	work       basicwork.Work // the user's work
	child      basicwork.Work // what the DAGWork adds: work, or its recoverWork
	deps       []int
	dependents []int
	state      NodeState
	unmet      int  // dependencies not (yet) succeeded
	started    bool // started in this run
	inflight   bool // started and not yet seen done
}

// DAGWork runs the works of a dependency graph, each once its dependencies
// have succeeded, at most WithMaxConcurrency at once. It is a work.Work whose
// DoWork starts the ready nodes' works as its children; it is never
// retried. Build it with New.
type DAGWork struct {
	work.Work
	nodes    []*node
	index    map[string]int
	ready    []int // nodes whose dependencies all succeeded, to start in order
	head     int   // ready[head:] are still to start
	inflight []int // started nodes whose work was not yet seen done
	opts     options
	settling bool
	// listenerPanic is what the node listener panicked with, kept until
	// the bookkeeping under way is done (listenerPanicked: there is one).
	listenerPanic    any
	listenerPanicked bool
}

// New builds a DAGWork named name over nodes. It returns an error wrapping
// basicwork.ErrNilWork for a node without a work, a *DuplicateNameError for a name
// given twice, an *UnknownDependencyError for a dependency no node has, a
// *CycleError if the dependencies form a cycle, and an error wrapping
// ErrInvalidMaxConcurrency for a MaxConcurrency below 1. It panics with a
// *basicwork.NotInitialisedError, naming the type, the DAG and the node's
// position, for a node whose work's Init was not called, as
// worksequence.New does: a programming error, not an input to report.
func New(app basicwork.Application, name string, nodes []Node, opts ...Option) (*DAGWork, error) {
	d := &DAGWork{index: make(map[string]int, len(nodes))}
	for _, o := range opts {
		o(&d.opts)
	}
	if d.opts.maxSet && d.opts.maxConcurrency < 1 {
		return nil, fmt.Errorf("%w, not %d", ErrInvalidMaxConcurrency, d.opts.maxConcurrency)
	}
	d.nodes = make([]*node, len(nodes))
	store := make([]node, len(nodes)) // one allocation for all the nodes
	for i, n := range nodes {
		if n.Work == nil {
			return nil, fmt.Errorf("dagwork %s, node %d: %w", name, i, basicwork.ErrNilWork)
		}
		if tree.Base(n.Work).App() == nil { // the message is built only then
			tree.CheckInit(n.Work, fmt.Sprintf("dagwork.New %s, node %d", name, i))
		}
		nm := n.Work.Name()
		if _, dup := d.index[nm]; dup {
			return nil, &DuplicateNameError{Name: nm}
		}
		d.index[nm] = i
		store[i] = node{name: nm, work: n.Work, child: n.Work}
		d.nodes[i] = &store[i]
	}
	if err := d.link(nodes); err != nil {
		return nil, err
	}
	if cycle := d.findCycle(); cycle != nil {
		return nil, &CycleError{Cycle: cycle}
	}
	d.Init(app, name, basicwork.RetryNever, d)
	for i, n := range nodes {
		if n.RecoverPanics {
			d.nodes[i].child = newRecoverWork(app, n.Work)
		}
	}
	d.resetNodes()
	return d, nil
}

// link resolves the dependencies of nodes into each node's deps and
// dependents, in the order given, a name listed twice counting once. It
// is linear in the edges: seen[j] == i+1 once j is among node i's
// dependencies, and every list is cut from one shared slice.
func (d *DAGWork) link(nodes []Node) error {
	total := 0
	for _, n := range nodes {
		total += len(n.Deps)
	}
	seen := make([]int, len(nodes))
	counts := make([]int, 2*len(nodes)) // deps, then dependents, of each node
	edges := make([]int, 0, 2*total)    // (dependent, dependency) pairs
	for i, n := range nodes {
		for _, dep := range n.Deps {
			j, ok := d.index[dep]
			if !ok {
				return &UnknownDependencyError{Node: d.nodes[i].name, Dependency: dep}
			}
			if seen[j] != i+1 {
				seen[j] = i + 1
				edges = append(edges, i, j)
				counts[2*i]++
				counts[2*j+1]++
			}
		}
	}
	slab := make([]int, len(edges))
	off := 0
	for i, nd := range d.nodes {
		nd.deps = slab[off : off : off+counts[2*i]]
		off += counts[2*i]
		nd.dependents = slab[off : off : off+counts[2*i+1]]
		off += counts[2*i+1]
	}
	for k := 0; k < len(edges); k += 2 {
		i, j := edges[k], edges[k+1]
		d.nodes[i].deps = append(d.nodes[i].deps, j)
		d.nodes[j].dependents = append(d.nodes[j].dependents, i)
	}
	return nil
}

// findCycle returns the names of a cycle of dependencies, or nil. Kahn's
// algorithm leaves exactly the nodes on or behind a cycle; each of those has
// a dependency among them, so following such dependencies loops.
func (d *DAGWork) findCycle() []string {
	unmet := make([]int, len(d.nodes))
	var queue []int
	for i, n := range d.nodes {
		unmet[i] = len(n.deps)
		if unmet[i] == 0 {
			queue = append(queue, i)
		}
	}
	for k := 0; k < len(queue); k++ {
		for _, j := range d.nodes[queue[k]].dependents {
			if unmet[j]--; unmet[j] == 0 {
				queue = append(queue, j)
			}
		}
	}
	if len(queue) == len(d.nodes) {
		return nil
	}
	// Walk from the first node left, along dependencies left, until a node
	// repeats.
	at := make(map[int]int)
	var path []int
	i := 0
	for unmet[i] == 0 {
		i++
	}
	for {
		if k, seen := at[i]; seen {
			path = path[k:]
			break
		}
		at[i] = len(path)
		path = append(path, i)
		for _, j := range d.nodes[i].deps {
			if unmet[j] > 0 {
				i = j
				break
			}
		}
	}
	// Start at the node given first.
	first := 0
	for k, i := range path {
		if i < path[first] {
			first = k
		}
	}
	out := make([]string, 0, len(path))
	for k := range path {
		out = append(out, d.nodes[path[(first+k)%len(path)]].name)
	}
	return out
}

// resetNodes makes every node Pending and queues those without
// dependencies.
func (d *DAGWork) resetNodes() {
	d.ready, d.head, d.inflight = d.ready[:0], 0, d.inflight[:0]
	for i, n := range d.nodes {
		n.state, n.started, n.inflight = Pending, false, false
		n.unmet = len(n.deps)
		if n.unmet == 0 {
			d.ready = append(d.ready, i)
		}
	}
}

// StartWork starts the DAGWork. Restarting one that is done runs the whole
// graph again: every node becomes Pending.
func (d *DAGWork) StartWork(notify func()) {
	if d.IsDone() {
		d.settle()
		d.resetNodes()
	}
	d.Work.StartWork(notify)
}

// DoWork records the nodes whose works are done, starts ready nodes up to
// the concurrency limit, and once nothing more can run, ends with Success
// if every node succeeded and Failure otherwise. On Failure the DAGWork's
// FailureCause joins (errors.Join) a *basicwork.WorkError for each node
// that failed or was cancelled while running, in the order given to New;
// a node that panicked with RecoverPanics has a *PanicError as its cause.
// So errors.As on ExecuteWork's error reaches the nodes' errors.
func (d *DAGWork) DoWork() basicwork.State {
	d.settle()
	limit := d.opts.maxConcurrency
	if !d.opts.maxSet {
		limit = d.App().Config().MaxConcurrentSubprocesses
	}
	for len(d.inflight) < limit && d.head < len(d.ready) {
		// A node is consumed only once started: if its start panics, it
		// is still at the head for the next DoWork, unless it did start.
		i := d.ready[d.head]
		if d.nodes[i].state == Pending {
			d.start(i)
		}
		d.head++
	}
	if d.head == len(d.ready) {
		d.ready, d.head = d.ready[:0], 0
	}
	if len(d.inflight) == 0 && len(d.ready) == 0 {
		st := basicwork.Success
		var causes []error
		for _, n := range d.nodes {
			switch {
			case n.state == Pending || n.state == Running:
				panic(tree.Invariant(d.Name(), "dagwork: %s has nothing to run while node %s is %s", d.Name(), n.name, n.state))
			case n.state != Success:
				st = basicwork.Failure
				if n.state == Failed || (n.state == Cancelled && n.started) {
					causes = append(causes, basicwork.ResultError(n.child))
				}
			}
		}
		if st == basicwork.Failure {
			d.SetFailureCause(errors.Join(causes...))
		}
		return st
	}
	if d.AnyChildRunning() {
		return basicwork.Running
	}
	return basicwork.Waiting
}

// start adds node i's work as a child, which starts it. If that panics (a
// hook of the work, a transition listener), the node is recorded as
// started if its work did start, and stays Pending otherwise; either way
// the panic goes on, and the DAGWork can be cranked on.
func (d *DAGWork) start(i int) {
	n := d.nodes[i]
	if d.LogEnabled(zapcore.DebugLevel) {
		d.Logf(zapcore.DebugLevel, "dagwork %s: starting %s", d.Name(), n.name)
	}
	before := tree.Base(n.child).InternalState()
	startable := before == basicwork.InternalPending || before.IsDone()
	recorded := false
	defer func() {
		if !recorded && startable {
			if st := tree.Base(n.child).InternalState(); st != basicwork.InternalPending && !st.IsDone() {
				recorded = true
				d.recordStart(i)
			}
		}
	}()
	if err := d.AddWork(n.child); err != nil {
		// DoWork is not called while aborting, and the child is not nil.
		panic(err)
	}
	recorded = true
	d.recordStart(i)
}

// recordStart counts node i's work as running.
func (d *DAGWork) recordStart(i int) {
	n := d.nodes[i]
	n.started, n.inflight = true, true
	d.inflight = append(d.inflight, i)
	d.setNode(i, Running)
	d.raiseListenerPanic()
}

// settle records the end of every started work that is done: Success
// readies the node's dependents; a failure, or an abort by someone else
// (which makes the node Cancelled), blocks them. A node already Cancelled
// stays Cancelled.
func (d *DAGWork) settle() {
	if d.settling {
		return
	}
	d.settleNodes()
	d.raiseListenerPanic()
}

// settleNodes is settle's bookkeeping.
func (d *DAGWork) settleNodes() {
	d.settling = true
	defer func() { d.settling = false }()
	kept := 0
	for k := 0; k < len(d.inflight); k++ {
		i := d.inflight[k]
		n := d.nodes[i]
		if !n.child.IsDone() {
			d.inflight[kept] = i
			kept++
			continue
		}
		n.inflight = false
		if n.state != Running {
			continue
		}
		switch {
		case n.child.State() == basicwork.Success:
			d.setNode(i, Success)
			for _, j := range n.dependents {
				dep := d.nodes[j]
				if dep.unmet--; dep.unmet == 0 && dep.state == Pending {
					d.ready = append(d.ready, j)
				}
			}
		case n.work.State() == basicwork.Aborted && !panicked(n.child):
			// Shut down by someone else than this DAGWork (a wrapped work
			// is aborted inside its wrapper, which then fails). A wrapped
			// work that panicked is aborted too, by its wrapper: a failure.
			d.setNode(i, Cancelled)
			d.block(i)
		default: // failed, or panicked inside its wrapper
			d.setNode(i, Failed)
			d.block(i)
		}
	}
	d.inflight = d.inflight[:kept]
}

// panicked reports whether child is a RecoverPanics wrapper whose work
// panicked.
func panicked(child basicwork.Work) bool {
	r, ok := child.(*recoverWork)
	return ok && r.panicked
}

// block makes Blocked every Pending node that depends on node i, directly or
// not.
func (d *DAGWork) block(i int) {
	stack := []int{i}
	for len(stack) > 0 {
		i = stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, j := range d.nodes[i].dependents {
			if d.nodes[j].state == Pending {
				if d.LogEnabled(zapcore.DebugLevel) {
					d.Logf(zapcore.DebugLevel, "dagwork %s: %s blocked by %s", d.Name(), d.nodes[j].name, d.nodes[i].name)
				}
				d.setNode(j, Blocked)
				stack = append(stack, j)
			}
		}
	}
}

// setNode changes node i's state and tells the listener.
func (d *DAGWork) setNode(i int, st NodeState) {
	n := d.nodes[i]
	from := n.state
	if from == st {
		return
	}
	n.state = st
	if l := d.opts.listener; l != nil {
		d.tell(l, NodeEvent{DAG: d, Name: n.name, From: from, To: st, Attempt: d.attempt(n)})
	}
}

// tell calls the node listener with e. If it panics, the panic is kept
// (the first one) for raiseListenerPanic, so that the bookkeeping under
// way (a success readying the node's dependents, a failure blocking them)
// is finished first: a caller that recovers the panic finds the graph
// consistent, and no node is left Pending for ever.
func (d *DAGWork) tell(l NodeListener, e NodeEvent) {
	defer func() {
		if v := recover(); v != nil && !d.listenerPanicked {
			d.listenerPanic, d.listenerPanicked = v, true
		}
	}()
	l(e)
}

// raiseListenerPanic panics with the node listener's kept panic, if any.
func (d *DAGWork) raiseListenerPanic() {
	if d.listenerPanicked {
		v := d.listenerPanic
		d.listenerPanic, d.listenerPanicked = nil, false
		panic(v)
	}
}

func (d *DAGWork) attempt(n *node) int {
	if !n.started {
		return 0
	}
	return tree.Base(n.work).Attempt()
}

// Cancel cancels the node named name and blocks every node that depends on
// it: henyey's cancel(id). The node becomes Cancelled at once; if it is
// running, its work is shut down and ends Aborted (meanwhile it keeps its
// slot of the concurrency limit). Cancel returns an *UnknownNodeError if
// no node has that name, and a *NodeDoneError if the node is already in a
// terminal state (henyey's false). It can be called before the DAGWork is
// started; the DAGWork then ends with Failure, unless it is shut down.
func (d *DAGWork) Cancel(name string) error {
	i, ok := d.index[name]
	if !ok {
		return &UnknownNodeError{Name: name}
	}
	d.settle()
	n := d.nodes[i]
	if n.state.IsTerminal() {
		return &NodeDoneError{Name: name, State: n.state}
	}
	if d.LogEnabled(zapcore.DebugLevel) {
		d.Logf(zapcore.DebugLevel, "dagwork %s: cancelling %s", d.Name(), name)
	}
	d.setNode(i, Cancelled)
	d.block(i)
	// The child now aborts, or the graph may have nothing left to run: a
	// waiting DAGWork must be cranked again, also if the child's Shutdown
	// override panics (its shutdown is then completed, tree.Shutdown).
	woken := false
	defer func() {
		if !woken {
			d.WakeUp(nil)
		}
	}()
	if n.inflight {
		tree.Shutdown(n.child)
	}
	woken = true
	d.WakeUp(nil) // New made d its own outer value
	d.raiseListenerPanic()
	return nil
}

// Shutdown cancels every node that is not done (they all become
// Cancelled), then shuts the DAGWork and its running children down:
// henyey's cancel_all. The DAGWork ends Aborted.
func (d *DAGWork) Shutdown() {
	if !d.IsDone() {
		d.settle()
		for i, n := range d.nodes {
			if !n.state.IsTerminal() {
				d.setNode(i, Cancelled)
			}
		}
	}
	d.Work.Shutdown()
	d.raiseListenerPanic()
}

// NodeState returns the state of the node named name, and false if there
// is no such node: henyey's state(id).
func (d *DAGWork) NodeState(name string) (NodeState, bool) {
	i, ok := d.index[name]
	if !ok {
		return Pending, false
	}
	d.settle()
	return d.nodes[i].state, true
}

// NodeWork returns the work of the node named name, and false if there is
// no such node.
func (d *DAGWork) NodeWork(name string) (basicwork.Work, bool) {
	i, ok := d.index[name]
	if !ok {
		return nil, false
	}
	return d.nodes[i].work, true
}

// Names returns the names of the nodes, in the order given to New.
func (d *DAGWork) Names() []string {
	out := make([]string, len(d.nodes))
	for i, n := range d.nodes {
		out[i] = n.name
	}
	return out
}

// Metrics counts the nodes by state, and sums their attempts and unused
// retries: henyey's metrics().
func (d *DAGWork) Metrics() Metrics {
	d.settle()
	m := Metrics{Total: len(d.nodes)}
	for _, n := range d.nodes {
		switch n.state {
		case Pending:
			m.Pending++
		case Running:
			m.Running++
		case Success:
			m.Success++
		case Failed:
			m.Failed++
		case Blocked:
			m.Blocked++
		case Cancelled:
			m.Cancelled++
		}
		b := tree.Base(n.work)
		if n.started {
			m.Attempts += b.Attempt()
			m.RetriesLeft += b.MaxRetries() - b.Retries()
		} else {
			m.RetriesLeft += b.MaxRetries()
		}
	}
	return m
}
