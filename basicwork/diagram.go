package basicwork

import (
	"fmt"
	"strings"
)

// trigger says what makes the machine take transition t, as a diagram
// labels the edge.
func trigger(t Transition) string {
	switch t {
	case Transition{InternalPending, InternalRunning}:
		return "StartWork"
	case Transition{InternalPending, InternalAborting},
		Transition{InternalRunning, InternalAborting},
		Transition{InternalWaiting, InternalAborting}:
		return "Shutdown"
	case Transition{InternalRunning, InternalRunning}:
		return "OnRun returns Running"
	case Transition{InternalRunning, InternalWaiting}:
		return "OnRun returns Waiting"
	case Transition{InternalRunning, InternalSuccess}:
		return "OnRun returns Success"
	case Transition{InternalRunning, InternalFailure}:
		return "OnRun returns Failure, no retry left"
	case Transition{InternalRunning, InternalRetrying}:
		return "OnRun returns Failure, a retry left"
	case Transition{InternalWaiting, InternalRunning}:
		return "WakeUp"
	case Transition{InternalRetrying, InternalWaiting}:
		return "retry timer armed"
	case Transition{InternalSuccess, InternalPending},
		Transition{InternalFailure, InternalPending},
		Transition{InternalAborted, InternalPending}:
		return "StartWork again"
	case Transition{InternalAborting, InternalAborting}:
		return "OnAbort returns false"
	case Transition{InternalAborting, InternalAborted}:
		return "OnAbort returns true"
	}
	return ""
}

// TransitionsDOT returns the transition table (see Transitions) as a
// Graphviz digraph: one node per internal state, the terminal ones drawn
// with a double border, and one edge per legal transition, labelled with
// what triggers it. Render it with `dot -Tsvg`.
func TransitionsDOT() string {
	var b strings.Builder
	b.WriteString("digraph BasicWork {\n")
	b.WriteString("\trankdir=LR;\n")
	b.WriteString("\tnode [shape=box, style=rounded];\n")
	b.WriteString("\tstart [shape=point];\n")
	for s := range InternalState(NumInternalStates) {
		if s.IsDone() {
			fmt.Fprintf(&b, "\t%s [peripheries=2];\n", s)
		} else {
			fmt.Fprintf(&b, "\t%s;\n", s)
		}
	}
	fmt.Fprintf(&b, "\tstart -> %s [label=\"Init\"];\n", InternalPending)
	for _, t := range transitions {
		fmt.Fprintf(&b, "\t%s -> %s [label=%q];\n", t.From, t.To, trigger(t))
	}
	b.WriteString("}\n")
	return b.String()
}

// TransitionsMermaid returns the transition table (see Transitions) as a
// Mermaid stateDiagram-v2, one edge per legal transition labelled with
// what triggers it. GitHub and many Markdown viewers draw it from a
// ```mermaid block.
func TransitionsMermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s: Init\n", InternalPending)
	for _, t := range transitions {
		fmt.Fprintf(&b, "    %s --> %s: %s\n", t.From, t.To, trigger(t))
	}
	return b.String()
}
