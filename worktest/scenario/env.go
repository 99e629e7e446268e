package scenario

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/worktest"
)

// Env is the state of one scenario: its language, the recorder (built by
// new-app), the works the scenario named and its crank count. Get one from
// Language.NewEnv (or from Run, RunWith, RunFile and Test) and pass every
// directive to Handle. The methods that need the application (App,
// Recorder's, Note, Check, Crank) may only be called after new-app.
type Env struct {
	lang *Language
	r    *worktest.Recorder
	// works maps every work the scenario holds a pointer to, by name.
	works map[string]basicwork.Work
	// order lists the names of works, in creation order.
	order    []string
	cranks   int
	finished bool
	// asyncErr is an error raised where it cannot be returned: in the
	// condition of a ConditionalWork.
	asyncErr error
	// opts are the options of RunWith (zero for Run and NewEnv).
	opts RunOptions
	// live caches the counts of live works until a crank or a command
	// that may free a work (see liveWorks).
	live map[basicwork.Work]int
	// values holds what registered commands keep (Value, SetValue).
	values map[any]any
}

// Value returns what SetValue stored under key in this scenario, or nil: a
// registered command keeps its own state across directives there.
func (e *Env) Value(key any) any { return e.values[key] }

// SetValue stores v under key for the rest of this scenario. Keys follow
// the rules of context keys: use a type of your own package.
func (e *Env) SetValue(key, v any) {
	if e.values == nil {
		e.values = map[any]any{}
	}
	e.values[key] = v
}

// Recorder returns the recorder of the scenario, nil before new-app.
func (e *Env) Recorder() *worktest.Recorder { return e.r }

// App returns the application of the scenario (nil before new-app): the
// one every work of the scenario must be built on.
func (e *Env) App() *scheduler.App {
	if e.r == nil {
		return nil
	}
	return e.r.App()
}

// Trace returns the trace written so far, complete after finish.
func (e *Env) Trace() string {
	if e.r == nil {
		return ""
	}
	return e.r.String()
}

// Finished reports whether the scenario ran its finish directive.
func (e *Env) Finished() bool { return e.finished }

// Failed returns the labels of the checks that did not hold, in order.
func (e *Env) Failed() []string {
	if e.r == nil {
		return nil
	}
	return e.r.Failed()
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

// Note writes "note text" into the trace; work code of a registered kind
// calls it to say what it does.
func (e *Env) Note(text string) { e.r.Note(text) }

// Check writes "check label: ok", or ": FAILED" when ok is false, into the
// trace; work code of a registered kind calls it for the assertions it
// makes. It returns ok.
func (e *Env) Check(label string, ok bool) bool { return e.r.Check(label, ok) }

// lookup finds a work by name; work-scheduler and wm name the scheduler.
func (e *Env) lookup(name string) (basicwork.Work, bool) {
	if name == scheduler.Name || name == "wm" {
		return e.r.Scheduler(), true
	}
	w, ok := e.works[name]
	return w, ok
}

// Work returns the work the scenario knows by name: one a command created,
// or the WorkScheduler (named work-scheduler or wm). It is an error if
// there is none.
func (e *Env) Work(name string) (basicwork.Work, error) {
	if w, ok := e.lookup(name); ok {
		return w, nil
	}
	return nil, fmt.Errorf("no work named %q", name)
}

// eachWork calls f on the work of each name the command lists, in order,
// looking each one up just before its call; it stops at the first error.
func (e *Env) eachWork(c *command, f func(name string, w basicwork.Work) error) error {
	names, err := c.names()
	if err != nil {
		return err
	}
	for _, n := range names {
		w, err := e.Work(n)
		if err != nil {
			return err
		}
		if err := f(n, w); err != nil {
			return err
		}
	}
	return nil
}

// register names w and tracks it.
func (e *Env) register(w basicwork.Work) error {
	name := w.Name()
	if _, ok := e.lookup(name); ok {
		return fmt.Errorf("a work named %q already exists", name)
	}
	e.works[name] = w
	e.order = append(e.order, name)
	e.r.Track(name, w)
	return nil
}

// batchWork is what the batch kinds have in common.
type batchWork interface {
	basicwork.Work
	NumWorksInBatch() int
}

// soleBatch returns the only batch work of the scenario, which unqualified
// batch fields (numWorksInBatch, live works) refer to.
func (e *Env) soleBatch() (basicwork.Work, error) {
	var found []string
	var b basicwork.Work
	for _, n := range e.order {
		if w, ok := e.works[n].(batchWork); ok {
			found = append(found, n)
			b = w
		}
	}
	switch len(found) {
	case 0:
		return nil, errors.New("the scenario has no batch work")
	case 1:
		return b, nil
	}
	return nil, fmt.Errorf("the scenario has several batch works (%s): name one", strings.Join(found, ", "))
}

// Crank runs one crank of the scenario, clock.crank(true), and writes its
// crank and status lines. It is an error if the crank would block forever
// (nothing to run and no timer pending), if the scenario ran more than
// MaxCranks (or RunOptions.MaxCranks) cranks, if RunOptions.BeforeCrank
// stopped it (ErrStopped), or if a condition of the scenario failed during
// the crank.
func (e *Env) Crank() error {
	if limit := e.maxCranks(); e.cranks >= limit {
		return fmt.Errorf("more than %d cranks: the scenario does not end", limit)
	}
	if f := e.opts.BeforeCrank; f != nil && f(e, e.cranks) {
		return ErrStopped
	}
	e.cranks++
	e.live = nil
	if _, err := e.r.TryCrank(); err != nil {
		return err
	}
	return e.takeAsyncErr()
}

// maxCranks is the bound on cranks and loop rounds.
func (e *Env) maxCranks() int {
	if e.opts.MaxCranks > 0 {
		return e.opts.MaxCranks
	}
	return MaxCranks
}

// crankWhile cranks while cond holds, running body after each crank.
func (e *Env) crankWhile(cond func() (bool, error), body []*command) error {
	for {
		ok, err := cond()
		if err != nil || !ok {
			return err
		}
		if err := e.Crank(); err != nil {
			return err
		}
		if err := e.execBlock(body); err != nil {
			return err
		}
	}
}

func (e *Env) takeAsyncErr() error {
	err := e.asyncErr
	e.asyncErr = nil
	return err
}

// parent is a work that takes children.
type parent interface {
	basicwork.Work
	AddWork(basicwork.Work) error
}
