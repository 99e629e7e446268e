package workview

import (
	"fmt"
	"strings"

	"github.com/stellarwork/stellarwork/basicwork"
)

// Metrics are counts over a work tree, as henyey's WorkSchedulerMetrics
// counts a scheduler's works.
type Metrics struct {
	// Total is the number of works in the tree, the root included.
	Total int
	// States counts the works in each internal state, indexed by
	// basicwork.InternalState.
	States [basicwork.NumInternalStates]int
	// Attempts is the sum over the works of the attempts started in their
	// current run (see Node.Attempts).
	Attempts int
	// RetriesLeft is the sum over the works of the retries left in their
	// budgets (see Node.RetriesLeft).
	RetriesLeft int
}

// Collect counts root and every work below it (see Children).
func Collect(root basicwork.Work) Metrics {
	var m Metrics
	Walk(root, func(w basicwork.Work, _ int) bool {
		b := tree.Base(w)
		m.add(b.InternalState(), b.Retries(), b.MaxRetries())
		return true
	})
	return m
}

func (m *Metrics) add(st basicwork.InternalState, retries, maxRetries int) {
	m.Total++
	if st >= 0 && int(st) < len(m.States) {
		m.States[st]++
	}
	m.Attempts += attempts(st, retries)
	m.RetriesLeft += retriesLeft(st, retries, maxRetries)
}

// Count returns how many works are in state st.
func (m Metrics) Count(st basicwork.InternalState) int {
	if st < 0 || int(st) >= len(m.States) {
		return 0
	}
	return m.States[st]
}

// Pending counts the works not started.
func (m Metrics) Pending() int { return m.States[basicwork.InternalPending] }

// Running counts the works in InternalRunning, ready to be cranked.
// Pending and Aborting works, which State also reports as Running, are
// counted apart.
func (m Metrics) Running() int { return m.States[basicwork.InternalRunning] }

// Waiting counts the works waiting for an event, a timer or a retry
// (Retrying included: it lasts only until the retry timer is set).
func (m Metrics) Waiting() int {
	return m.States[basicwork.InternalWaiting] + m.States[basicwork.InternalRetrying]
}

// Aborting counts the works shutting down.
func (m Metrics) Aborting() int { return m.States[basicwork.InternalAborting] }

// Succeeded counts the works in Success.
func (m Metrics) Succeeded() int { return m.States[basicwork.InternalSuccess] }

// Failed counts the works in Failure.
func (m Metrics) Failed() int { return m.States[basicwork.InternalFailure] }

// Aborted counts the works in Aborted.
func (m Metrics) Aborted() int { return m.States[basicwork.InternalAborted] }

// Done counts the works in a terminal state.
func (m Metrics) Done() int { return m.Succeeded() + m.Failed() + m.Aborted() }

// String lists the counts on one line, such as "works=5 running=1
// waiting=2 success=2 attempts=4 retries_left=20"; states with no work
// are left out.
func (m Metrics) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "works=%d", m.Total)
	for st, n := range m.States {
		if n != 0 {
			name := strings.ToLower(strings.TrimPrefix(basicwork.InternalState(st).String(), "WORK_"))
			fmt.Fprintf(&b, " %s=%d", name, n)
		}
	}
	fmt.Fprintf(&b, " attempts=%d retries_left=%d", m.Attempts, m.RetriesLeft)
	return b.String()
}
