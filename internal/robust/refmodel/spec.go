// Package refmodel is an independent reference model of stellar-core's work
// subsystem (src/work at a9b8613218e1 and the virtual clock's crank), written
// from the C++ rules for the robustness tests of package robust. It imports
// nothing from stellarwork: the tests run a random tree on the library and on
// this model side by side and compare what they do, crank by crank.
//
// The model keeps a work's children in a list walked with an iterator that
// has a distinct end position, exactly as the C++ std::list and its
// mNextChild; the library keeps slots and a bitmap. The model keeps timer
// events in a binary heap run as libstdc++ runs std::priority_queue (the
// order of events due together shows in the transitions), with cancelled
// events lingering until the throttled flush, as in C++. Where the C++
// asserts, the model panics with an *Assert.
//
// The model covers what the tests build: leaves with scripted steps, waits,
// failures and slow aborts; Works that add their children in their first
// doWork; WorkSequences; BatchWorks; ConditionalWorks; and the
// WorkScheduler on a virtual clock whose only actions are the scheduler's.
// It follows the Go port's one documented difference that these trees can
// reach: a ConditionalWork restarted after its condition was met does not
// check it again.
package refmodel

import (
	"fmt"
	"strings"
	"time"
)

// Kind is the kind of a work of a test tree.
type Kind int

// The kinds of works.
const (
	// Leaf is a work with scripted steps.
	Leaf Kind = iota
	// Tree is a Work that adds its children in its first doWork of each run
	// and then reports checkChildrenStatus.
	Tree
	// Seq is a WorkSequence of its children.
	Seq
	// Batch is a BatchWork that yields its children in order.
	Batch
	// Cond is a ConditionalWork on its one child.
	Cond
)

var kindNames = [...]string{"leaf", "tree", "seq", "batch", "cond"}

func (k Kind) String() string { return kindNames[k] }

// WaitKind says what a leaf does at a step that is not its last.
type WaitKind int

// The waits of a leaf step.
const (
	// NoWait: the step returns RUNNING.
	NoWait WaitKind = iota
	// TimerWait: the step arms the waiting timer for D and returns WAITING.
	TimerWait
	// ForeverWait: the step returns WAITING with no timer; only a wake-up
	// from outside (or a shutdown) moves the leaf on.
	ForeverWait
)

// Wait is one step of a leaf.
type Wait struct {
	Kind WaitKind
	D    time.Duration
}

// CondKind says what a ConditionalWork waits for.
type CondKind int

// The conditions.
const (
	// AfterChecks holds from the (Checks+1)-th evaluation on.
	AfterChecks CondKind = iota
	// SiblingSucceeded holds while the work Sibling reads WORK_SUCCESS.
	SiblingSucceeded
	// SiblingDone holds while the work Sibling is done.
	SiblingDone
)

// Spec describes one work of a test case. Works are numbered by their
// index in Case.Nodes, and named by Name.
type Spec struct {
	Name    string
	Kind    Kind
	Retries int // the maxRetries of the work (Cond: always 0)

	// Leaf: Steps cranks per attempt (at least 1); Waits[i] is what step
	// i+1 does (len Steps-1); the first FailFirst final steps fail (-1: all
	// of them); OnAbort returns false AbortSteps times before true.
	Steps      int
	Waits      []Wait
	FailFirst  int
	AbortSteps int

	// Seq: stop at the first failure.
	StopAtFirstFailure bool

	// Cond: the condition, the sibling it looks at, the checks it needs
	// (AfterChecks) and the sleep between checks.
	CondKind CondKind
	Sibling  int
	Checks   int
	Sleep    time.Duration

	// Children: the children of a Tree, the works of a Seq, what a Batch
	// yields, and the one conditioned work of a Cond (indexes in
	// Case.Nodes).
	Children []int
}

// OpKind is an operation the test applies between two cranks.
type OpKind int

// The operations.
const (
	// OpSchedule schedules Target on the WorkScheduler.
	OpSchedule OpKind = iota
	// OpWake calls Target's wakeUp(), as the upstream forceWakeUp.
	OpWake
	// OpAddChild adds Child to the Tree Target (addWork). With Adopt, Child
	// is a work of the tree that has finished, added again (to the same
	// parent or another): a restart the C++ allows, which leaves it in two
	// parents' lists when the first still holds it.
	OpAddChild
	// OpShutdown shuts the WorkScheduler down.
	OpShutdown
	// OpShutdownWork shuts Target down.
	OpShutdownWork
	// OpAdvance moves virtual time on by D (sleep_for).
	OpAdvance
)

var opNames = [...]string{"schedule", "wake", "add-child", "shutdown", "shutdown-work", "advance"}

func (k OpKind) String() string { return opNames[k] }

// Op is one operation, applied before crank Step+1 (Step 0: before the
// first crank).
type Op struct {
	Step   int
	Kind   OpKind
	Target int
	Child  int
	Adopt  bool
	D      time.Duration
}

// Jitter picks the retry delay out of the backoff bounds.
type Jitter int

// The jitters.
const (
	JitterLow Jitter = iota
	JitterHigh
	JitterMid
)

// Pick returns the delay the jitter picks in [lo, hi].
func (j Jitter) Pick(lo, hi uint64) uint64 {
	switch j {
	case JitterHigh:
		return hi
	case JitterMid:
		return lo + (hi-lo)/2
	}
	return lo
}

// Case is one test case: the works, the operations and the crank budget.
type Case struct {
	// Bandwidth is MAX_CONCURRENT_SUBPROCESSES: the size of a batch.
	Bandwidth int
	Jitter    Jitter
	Nodes     []*Spec
	// Ops, in the order of their Step.
	Ops []Op
	// Steps is how many cranks are tried before the final shutdown.
	Steps int
}

// String describes the case, for failure messages.
func (c *Case) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bandwidth=%d jitter=%d steps=%d\n", c.Bandwidth, c.Jitter, c.Steps)
	for i, n := range c.Nodes {
		fmt.Fprintf(&b, "  #%d %s %s retries=%d", i, n.Name, n.Kind, n.Retries)
		switch n.Kind {
		case Leaf:
			fmt.Fprintf(&b, " steps=%d waits=%v failFirst=%d abortSteps=%d", n.Steps, n.Waits, n.FailFirst, n.AbortSteps)
		case Seq:
			fmt.Fprintf(&b, " stop=%v", n.StopAtFirstFailure)
		case Cond:
			fmt.Fprintf(&b, " cond=%d sibling=%d checks=%d sleep=%v", n.CondKind, n.Sibling, n.Checks, n.Sleep)
		}
		if len(n.Children) > 0 {
			fmt.Fprintf(&b, " children=%v", n.Children)
		}
		b.WriteByte('\n')
	}
	for _, o := range c.Ops {
		fmt.Fprintf(&b, "  op step=%d %s target=%d child=%d adopt=%v d=%v\n", o.Step, o.Kind, o.Target, o.Child, o.Adopt, o.D)
	}
	return b.String()
}
