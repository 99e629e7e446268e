package dagwork

import (
	"errors"
	"fmt"
	"strings"
)

// The sentinels of the errors New and Cancel return; each typed error below
// matches its sentinel with errors.Is, and carries the names involved for
// errors.As. (A node without a work is rejected with basicwork.ErrNilWork.)
var (
	// ErrDuplicateName matches every *DuplicateNameError.
	ErrDuplicateName = errors.New("dagwork: duplicate node name")
	// ErrUnknownDependency matches every *UnknownDependencyError.
	ErrUnknownDependency = errors.New("dagwork: unknown dependency")
	// ErrCycle matches every *CycleError.
	ErrCycle = errors.New("dagwork: dependency cycle")
	// ErrInvalidMaxConcurrency rejects a WithMaxConcurrency below 1.
	ErrInvalidMaxConcurrency = errors.New("dagwork: max concurrency must be at least 1")
	// ErrUnknownNode matches every *UnknownNodeError.
	ErrUnknownNode = errors.New("dagwork: unknown node")
	// ErrNodeDone matches every *NodeDoneError.
	ErrNodeDone = errors.New("dagwork: node is done")
	// ErrPanicked matches every *PanicError.
	ErrPanicked = errors.New("dagwork: node panicked")
)

// PanicError is the failure cause of a node with RecoverPanics whose work
// panicked: the node's wrapper records it (FailureCause), and the DAGWork's
// cause includes it. Its text is that of the ERROR line logged then.
type PanicError struct {
	// Node is the node's name.
	Node string
	// Where is the method the panic came out of: StartWork, OnRun or
	// OnAbort.
	Where string
	// Value is what the work panicked with.
	Value any
}

// Error reads "dagwork: work <node> panicked in <where>: <value>".
func (e *PanicError) Error() string {
	return fmt.Sprintf("dagwork: work %s panicked in %s: %v", e.Node, e.Where, e.Value)
}

// Is makes errors.Is(err, ErrPanicked) true.
func (e *PanicError) Is(target error) bool { return target == ErrPanicked }

// Unwrap returns Value if it is an error (a panic(err)), and nil otherwise.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// DuplicateNameError: two nodes have the same name.
type DuplicateNameError struct {
	// Name is the name given twice.
	Name string
}

// Error names the duplicate.
func (e *DuplicateNameError) Error() string {
	return fmt.Sprintf("dagwork: duplicate node name %q", e.Name)
}

// Is makes errors.Is(err, ErrDuplicateName) true.
func (e *DuplicateNameError) Is(target error) bool { return target == ErrDuplicateName }

// UnknownDependencyError: a node depends on a name that no node has.
type UnknownDependencyError struct {
	// Node is the node whose dependency is unknown.
	Node string
	// Dependency is the unknown name.
	Dependency string
}

// Error names the node and the unknown dependency.
func (e *UnknownDependencyError) Error() string {
	return fmt.Sprintf("dagwork: node %q depends on unknown node %q", e.Node, e.Dependency)
}

// Is makes errors.Is(err, ErrUnknownDependency) true.
func (e *UnknownDependencyError) Is(target error) bool { return target == ErrUnknownDependency }

// CycleError: the dependencies form a cycle. Cycle lists its nodes, each
// depending on the next and the last on the first, starting with the one
// given first to New; a node that depends on itself is a cycle of one.
type CycleError struct {
	Cycle []string
}

// Error returns "dagwork: dependency cycle: a -> b -> a", where x -> y
// reads "x depends on y".
func (e *CycleError) Error() string {
	var b strings.Builder
	b.WriteString("dagwork: dependency cycle: ")
	for _, n := range e.Cycle {
		b.WriteString(n)
		b.WriteString(" -> ")
	}
	if len(e.Cycle) > 0 {
		b.WriteString(e.Cycle[0])
	}
	return b.String()
}

// Is makes errors.Is(err, ErrCycle) true.
func (e *CycleError) Is(target error) bool { return target == ErrCycle }

// UnknownNodeError: Cancel was given a name that no node has.
type UnknownNodeError struct {
	Name string
}

// Error names the unknown node.
func (e *UnknownNodeError) Error() string { return fmt.Sprintf("dagwork: unknown node %q", e.Name) }

// Is makes errors.Is(err, ErrUnknownNode) true.
func (e *UnknownNodeError) Is(target error) bool { return target == ErrUnknownNode }

// NodeDoneError: Cancel was given a node that is already in a terminal
// state, State.
type NodeDoneError struct {
	Name  string
	State NodeState
}

// Error names the node and its state.
func (e *NodeDoneError) Error() string {
	return fmt.Sprintf("dagwork: node %q is already %s", e.Name, e.State)
}

// Is makes errors.Is(err, ErrNodeDone) true.
func (e *NodeDoneError) Is(target error) bool { return target == ErrNodeDone }
