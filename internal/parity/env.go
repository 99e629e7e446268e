package parity

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/worktest"
)

// MaxCranks bounds the cranks of one scenario, and the rounds of one while
// loop, so that a loop that never ends fails instead of spinning. The
// longest parity scenario needs about 1,300 cranks.
const MaxCranks = 1_000_000

// Env is the state of one scenario: the recorder (built by new-app), the
// works the scenario named, and what it holds. Create one per file with
// NewEnv and pass every directive to Handle.
type Env struct {
	r *worktest.Recorder
	// works maps every work the scenario holds a pointer to, by name.
	works map[string]basicwork.Work
	// order lists the names of works, in creation order.
	order []string
	// held keeps the batched works that hold locked.
	held     []*basicwork.BasicWork
	cranks   int
	finished bool
	// asyncErr is an error raised where it cannot be returned: in the
	// condition of a ConditionalWork.
	asyncErr error
	// opts are the options of RunWith (zero for Run and NewEnv).
	opts RunOptions
}

// NewEnv returns an empty scenario; its first directive must be new-app.
func NewEnv() *Env {
	return &Env{works: map[string]basicwork.Work{}}
}

// Recorder returns the recorder of the scenario, nil before new-app.
func (e *Env) Recorder() *worktest.Recorder { return e.r }

// Trace returns the trace written so far, complete after finish.
func (e *Env) Trace() string {
	if e.r == nil {
		return ""
	}
	return e.r.String()
}

// Finished reports whether the scenario ran its finish directive.
func (e *Env) Finished() bool { return e.finished }

// Failed returns the labels of the checks that did not hold.
func (e *Env) Failed() []string {
	if e.r == nil {
		return nil
	}
	return e.r.Failed()
}

func (e *Env) app() *scheduler.App { return e.r.App() }

// lookup finds a work by name; work-scheduler and wm name the scheduler.
func (e *Env) lookup(name string) (basicwork.Work, bool) {
	if name == scheduler.Name || name == "wm" {
		return e.r.Scheduler(), true
	}
	w, ok := e.works[name]
	return w, ok
}

// work is lookup that fails on an unknown name.
func (e *Env) work(name string) (basicwork.Work, error) {
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
		w, err := e.work(n)
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

// crank runs one crank of the scenario, traced.
func (e *Env) crank() error {
	if limit := e.maxCranks(); e.cranks >= limit {
		return fmt.Errorf("more than %d cranks: the scenario does not end", limit)
	}
	if f := e.opts.BeforeCrank; f != nil && f(e, e.cranks) {
		return ErrStopped
	}
	e.cranks++
	if _, err := e.r.TryCrank(); err != nil {
		return err
	}
	return e.takeAsyncErr()
}

// crankWhile cranks while cond holds, running body after each crank.
func (e *Env) crankWhile(cond func() (bool, error), body []*command) error {
	for {
		ok, err := cond()
		if err != nil || !ok {
			return err
		}
		if err := e.crank(); err != nil {
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

// scheduleUntracked is scheduleWork(name) of a check: it schedules a new
// TestBasicWork and returns it, or nullptr when the scheduler refuses it.
// The work is not tracked.
func (e *Env) scheduleUntracked(name string) val {
	w := testworks.NewDefaultBasicWork(e.app(), name)
	if e.r.Scheduler().ScheduleWork(w) == nil {
		return val{k: kNil}
	}
	return val{k: kWork, w: w}
}

// forceWakeUpNoThrow calls forceWakeUp on a TestBasicWork and reports
// whether it returned normally.
func (e *Env) forceWakeUpNoThrow(name string) (ok bool, err error) {
	w, err := e.work(name)
	if err != nil {
		return false, err
	}
	f, isTest := w.(interface{ ForceWakeUp() })
	if !isTest {
		return false, fmt.Errorf("%s (%T) has no forceWakeUp", name, w)
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	f.ForceWakeUp()
	return true, nil
}

// parent is a work that takes children.
type parent interface {
	basicwork.Work
	AddWork(basicwork.Work) error
}

// addTestWorkThrows is addTestWork<TestBasicWork>(child) on a TestWork and
// reports whether it failed as the C++ throws std::runtime_error. A child
// that is added is not tracked.
func (e *Env) addTestWorkThrows(name, child string) (bool, error) {
	w, err := e.work(name)
	if err != nil {
		return false, err
	}
	p, ok := w.(parent)
	if !ok {
		return false, fmt.Errorf("%s (%T) takes no children", name, w)
	}
	return p.AddWork(testworks.NewDefaultBasicWork(e.app(), child)) != nil, nil
}
