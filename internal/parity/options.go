package parity

import (
	"errors"
	"io"

	"github.com/stellarwork/stellarwork/basicwork"
)

// RunOptions adjust RunWith, for tests that drive scenarios from outside
// (robustness tests, fuzzing). The zero value runs a scenario as Run does.
type RunOptions struct {
	// MaxCranks, when positive, replaces MaxCranks as the bound on the
	// cranks of the scenario and on the rounds of one while loop.
	MaxCranks int
	// BeforeCrank, when set, is called before every crank of the scenario
	// with the number of cranks run so far (0 before the first). Returning
	// true stops the scenario there, before that crank: RunWith returns
	// ErrStopped, and the Env is left as it is for the caller to go on
	// with (shut the scheduler down, crank the clock, inspect the works).
	BeforeCrank func(e *Env, cranks int) bool
	// NoCollect skips the full garbage collection before live works are
	// counted (the live command and liveWorks): the counts may then include
	// works not yet collected. For runs that ignore the trace and would
	// otherwise spend their time collecting.
	NoCollect bool
}

// ErrStopped is returned by RunWith when RunOptions.BeforeCrank stopped the
// scenario.
var ErrStopped = errors.New("parity: scenario stopped before a crank")

// RunWith is Run with options.
func RunWith(source string, r io.Reader, opts RunOptions) (string, *Env, error) {
	ds, err := ReadDirectives(source, r)
	if err != nil {
		return "", nil, err
	}
	e := NewEnv()
	e.opts = opts
	return runDirectives(source, e, ds)
}

// maxCranks is the bound on cranks and loop rounds.
func (e *Env) maxCranks() int {
	if e.opts.MaxCranks > 0 {
		return e.opts.MaxCranks
	}
	return MaxCranks
}

// Cranks returns how many cranks the scenario has run.
func (e *Env) Cranks() int { return e.cranks }

// Works returns the works the scenario named, in creation order (the
// WorkScheduler is not among them; see Recorder().Scheduler()).
func (e *Env) Works() []basicwork.Work {
	out := make([]basicwork.Work, 0, len(e.order))
	for _, n := range e.order {
		out = append(out, e.works[n])
	}
	return out
}
