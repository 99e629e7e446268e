// Package worksequence runs works one after another: the port of
// stellar-core's WorkSequence.
package worksequence

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
	"github.com/stellarwork/stellarwork/work"
)

// tree is basicwork's record of the work tree (see package tree).
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()

// WorkSequence starts its works in order, each only once the one before it
// succeeded (or, without stop-at-first-failure, ended). It cranks the
// current work on each of its own cranks, and ends with the summed-up state
// of all of them; an empty sequence succeeds. Its OnRun, OnAbort and
// OnReset are final, as in C++: a type that extends it must not declare
// them (Init panics).
type WorkSequence struct {
	basicwork.BasicWork
	works              []basicwork.Work
	next               int
	current            basicwork.Work
	stopAtFirstFailure bool
}

type options struct {
	maxRetries         int
	stopAtFirstFailure bool
}

// Option configures a WorkSequence.
type Option func(*options)

// WithMaxRetries sets the retry budget of the sequence as a whole (default
// basicwork.RetryAFew): the C++ constructor's maxRetries.
func WithMaxRetries(n int) Option { return func(o *options) { o.maxRetries = n } }

// WithStopAtFirstFailure sets whether a failed work ends the sequence
// (default true): the C++ constructor's stopAtFirstFailure. When false, the
// sequence goes on with the next work and fails at the end.
func WithStopAtFirstFailure(stop bool) Option {
	return func(o *options) { o.stopAtFirstFailure = stop }
}

// New returns a sequence of works, which must not be nil and must not have
// been started. A nil work gives an error wrapping basicwork.ErrNilWork; a work whose
// Init was not called panics with a *basicwork.NotInitialisedError naming
// its type and position.
func New(app basicwork.Application, name string, works []basicwork.Work, opts ...Option) (*WorkSequence, error) {
	s := &WorkSequence{}
	if err := s.Init(app, name, works, s, opts...); err != nil {
		return nil, err
	}
	return s, nil
}

// finalType is the type whose OnRun, OnAbort and OnReset are final.
var finalType = reflect.TypeFor[WorkSequence]()

// Init sets up a WorkSequence embedded in self, for types that extend it.
// It returns an error wrapping basicwork.ErrNilWork for a nil work. It panics as
// basicwork.BasicWork.Init does, and with a *basicwork.FinalOverrideError
// if self's type declares OnRun, OnAbort or OnReset, which are final (C++
// WorkSequence::onRun, onAbort, onReset).
func (s *WorkSequence) Init(app basicwork.Application, name string, works []basicwork.Work, self basicwork.Work, opts ...Option) error {
	if self != nil {
		tree.CheckFinal(self, name, finalType,
			"a WorkSequence runs its works itself; wrap them instead", "OnRun", "OnAbort", "OnReset")
	}
	o := options{maxRetries: basicwork.RetryAFew, stopAtFirstFailure: true}
	for _, opt := range opts {
		opt(&o)
	}
	for i, w := range works {
		if w == nil {
			return fmt.Errorf("work sequence %s, position %d: %w", name, i, basicwork.ErrNilWork)
		}
	}
	for i, w := range works {
		tree.CheckInit(w, fmt.Sprintf("work sequence %s, position %d", name, i))
	}
	s.works = append([]basicwork.Work(nil), works...)
	s.stopAtFirstFailure = o.stopAtFirstFailure
	s.BasicWork.Init(app, name, o.maxRetries, self)
	tree.Declare(&s.BasicWork, itree.Cranked[basicwork.Work](func(yield func(basicwork.Work) bool) {
		for _, w := range s.works {
			if !yield(w) {
				return
			}
		}
	}))
	return nil
}

// OnRun (final; C++ WorkSequence::onRun) starts the current work if it is not started, moves past it when
// it is finished, reports its state when it is waiting or ended the
// sequence, and otherwise cranks it. When the sequence fails, the error
// of the first work that failed (basicwork.ResultError) becomes the cause
// of its failure, so that errors.Is and errors.As on ExecuteWork's error
// reach the cause that work recorded.
func (s *WorkSequence) OnRun() basicwork.State {
	st := s.step()
	if st == basicwork.Failure && s.FailureCause() == nil {
		for _, w := range s.works {
			if w.State() == basicwork.Failure {
				s.SetFailureCause(basicwork.ResultError(w))
				break
			}
		}
	}
	return st
}

// step is OnRun without the cause.
func (s *WorkSequence) step() basicwork.State {
	for {
		if s.next == len(s.works) {
			return work.GetWorkStatus(s.works)
		}
		w := s.works[s.next]
		if s.current == nil {
			s.start(w)
		} else {
			st := w.State()
			if st == basicwork.Success || (st == basicwork.Failure && !s.stopAtFirstFailure) {
				s.current = nil
				s.next++
				continue
			}
			if st != basicwork.Running {
				return st
			}
		}
		w.CrankWork()
		return basicwork.Running
	}
}

// start starts w, the work at s.next, and makes it the current one. A
// refused start (w runs, waits or aborts elsewhere) panics before anything
// changes, as work.Work's AddWork does, so that a caller that recovers
// does not find the sequence registered as w's parent; a start that panics
// under way leaves w as it was registered and not current, and the next
// crank tries again; one that panics once w is RUNNING (a transition
// listener's) makes it current all the same (tree.StartChild).
func (s *WorkSequence) start(w basicwork.Work) {
	tree.StartChild(&s.BasicWork, s.next, w, s.WakeSelfUpCallback(nil), func() { s.current = w })
}

// OnAbort (final; C++ WorkSequence::onAbort) cranks the current work until it has finished aborting.
func (s *WorkSequence) OnAbort() bool {
	if s.current != nil && !s.current.IsDone() {
		s.current.CrankWork()
		return false
	}
	return true
}

// OnReset (final; C++ WorkSequence::onReset) rewinds the sequence. Every work before the current one must be
// done.
func (s *WorkSequence) OnReset() {
	for _, w := range s.works[:s.next] {
		if !w.IsDone() {
			panic(tree.Invariant(s.Name(), "WorkSequence error: %s reset while %s is not done", s.Name(), w.Name()))
		}
	}
	s.next = 0
	s.current = nil
}

// Status is the current work's status while the sequence is not done, and
// the sequence's own afterwards.
func (s *WorkSequence) Status() string {
	if !s.IsDone() && s.next < len(s.works) {
		return s.works[s.next].Status()
	}
	return s.BasicWork.Status()
}

// Shutdown shuts down the current work, then the sequence (also if the
// current work's shutdown panics, before the panic goes on).
func (s *WorkSequence) Shutdown() {
	defer s.BasicWork.Shutdown()
	if s.current != nil {
		tree.Shutdown(s.current) // completed if an override panics
	}
}

// Works returns a copy of the works of the sequence, in order: changing it
// does not change the sequence.
func (s *WorkSequence) Works() []basicwork.Work { return slices.Clone(s.works) }

// Current returns the work being run, or nil.
func (s *WorkSequence) Current() basicwork.Work { return s.current }
