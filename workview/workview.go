// Package workview looks at a running work tree from outside: counts of its
// works by state (Collect), a snapshot of the whole tree (Snapshot), and
// that snapshot drawn as an indented text tree, the status view
// (Node.Render).
//
// It only reads the works, on the crank goroutine (call it between two
// cranks, or from a transition listener or a timer callback), and never
// changes them. It sees the tree the library itself keeps, the one
// basicwork.PathOf walks up: the children a work.Work holds (so those of a
// BatchWork, a DAGWork and the WorkScheduler), all the works of a
// WorkSequence, the one work of a ConditionalWork, and the work inside a
// dagwork node run with RecoverPanics. A Work drops its finished children
// as its round-robin walk passes them, and all of them when it succeeds,
// as the C++ does: a snapshot shows the children it holds. Types that embed
// the library's works are seen through.
//
// Times are clock times, offsets from the clock's epoch as vclock's
// Elapsed and basicwork's Since give them: virtual time on a virtual clock.
package workview

import (
	"slices"
	"time"
	"unicode/utf8"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
)

// tree is basicwork's record of the work tree (see package tree).
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()

// Children returns the works that w holds, in order, as described in the
// package doc; nil for a leaf.
func Children(w basicwork.Work) []basicwork.Work {
	return slices.Collect(tree.Children(w))
}

// Walk calls fn for root and every work below it, depth first, parents
// before children, with the depth of each (0 for root). If fn returns
// false, the children of that work are skipped.
func Walk(root basicwork.Work, fn func(w basicwork.Work, depth int) bool) {
	walk(root, 0, fn)
}

func walk(w basicwork.Work, depth int, fn func(basicwork.Work, int) bool) {
	if !fn(w, depth) {
		return
	}
	for c := range tree.Children(w) {
		walk(c, depth+1, fn)
	}
}

// Now returns the current time of w's clock, as an offset from its epoch:
// the now to pass to Snapshot.
func Now(w basicwork.Work) time.Duration {
	return tree.Base(w).App().Clock().Elapsed()
}

// Node is the snapshot of one work and, below it, of its children.
type Node struct {
	// Name is the work's name.
	Name string
	// State is the internal state the work is in.
	State basicwork.InternalState
	// Status is the work's Status string, at most MaxStatusBytes long (a
	// longer one is cut, at a character boundary, and ends with "…").
	// A ConditionalWork, a WorkSequence or the wrapper of a dagwork node
	// with RecoverPanics has the status of a work below it, the first with a prefix
	// while it waits ("Waiting before starting "). Asking each of a chain
	// of them for its Status would cost the depth of the chain below it,
	// and build strings as long: quadratic. So a work with more than
	// MaxStatusDepth of them below it, one under the other, shows its own
	// BasicWork status instead, such as "Running: seq", the status it
	// repeats being on a row further down.
	Status string
	// Retries is how many retries the current run has used, MaxRetries the
	// budget.
	Retries, MaxRetries int
	// Since is the clock time at which the work entered State; InState is
	// how long it has been there, at the time of the snapshot.
	Since, InState time.Duration
	// Children are the snapshots of the works it holds (see Children).
	Children []Node
}

// Snapshot takes the snapshot of root and of every work below it. now is
// the clock time to measure the time in each state against: Now(root) on
// the tree's own clock.
//
// It costs a constant per work, plus each work's own Status (see
// Node.Status): linear in the number of works, with at most
// MaxStatusBytes of status per work.
func Snapshot(root basicwork.Work, now time.Duration) Node {
	n, _ := snapshot(root, now)
	return n
}

// snapshot is Snapshot, also returning how many works that take their
// status from a work below them (ConditionalWorks, WorkSequences, RecoverPanics
// wrappers) root and the works below it stack up, one under the other.
func snapshot(root basicwork.Work, now time.Duration) (Node, int) {
	b := tree.Base(root)
	n := Node{
		Name:       root.Name(),
		State:      b.InternalState(),
		Retries:    b.Retries(),
		MaxRetries: b.MaxRetries(),
		Since:      b.Since(),
		InState:    max(0, now-b.Since()),
	}
	below := 0
	if kids := Children(root); len(kids) > 0 {
		n.Children = make([]Node, len(kids))
		for i, c := range kids {
			var d int
			n.Children[i], d = snapshot(c, now)
			below = max(below, d)
		}
	}
	stack := 0
	if tree.Cranks(root) { // its status is its current child's
		stack = below + 1
	}
	if stack > MaxStatusDepth {
		n.Status = capStatus(b.Status())
	} else {
		n.Status = capStatus(root.Status())
	}
	return n, stack
}

// MaxStatusBytes caps the length of a snapshot's status strings, in bytes.
const MaxStatusBytes = 256

// MaxStatusDepth is how many ConditionalWorks, WorkSequences and
// RecoverPanics wrappers, one under the other, a work may have below it
// (itself included) and still show the status it takes from them; see
// Node.Status.
const MaxStatusDepth = 8

// capStatus cuts s to at most MaxStatusBytes, ending with "…" if it was
// longer.
func capStatus(s string) string {
	if len(s) <= MaxStatusBytes {
		return s
	}
	const ellipsis = "…"
	cut := MaxStatusBytes - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// Attempts returns how many attempts the work has started in its current
// run: 0 while it is Pending, else one more than its retries.
func (n Node) Attempts() int { return attempts(n.State, n.Retries) }

// RetriesLeft returns how many retries are left of the work's budget: all
// of it while Pending, as the count of retries used is cleared when the
// work starts.
func (n Node) RetriesLeft() int { return retriesLeft(n.State, n.Retries, n.MaxRetries) }

// Metrics returns the counts over the snapshot: the same as Collect over
// the tree at the time of the snapshot.
func (n Node) Metrics() Metrics {
	var m Metrics
	n.walk(func(c *Node) { m.add(c.State, c.Retries, c.MaxRetries) })
	return m
}

// Find returns the first node, depth first, with the given name, or nil.
func (n Node) Find(name string) *Node {
	if n.Name == name {
		return &n
	}
	for i := range n.Children {
		if f := n.Children[i].Find(name); f != nil {
			return f
		}
	}
	return nil
}

func (n Node) walk(fn func(*Node)) {
	fn(&n)
	for i := range n.Children {
		n.Children[i].walk(fn)
	}
}

func attempts(st basicwork.InternalState, retries int) int {
	if st == basicwork.InternalPending {
		return 0
	}
	return retries + 1
}

func retriesLeft(st basicwork.InternalState, retries, maxRetries int) int {
	if st == basicwork.InternalPending {
		return maxRetries
	}
	return max(0, maxRetries-retries)
}
