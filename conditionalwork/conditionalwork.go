// Package conditionalwork holds a work back until a condition holds: the
// port of stellar-core's ConditionalWork.
package conditionalwork

import (
	"errors"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
)

// tree is basicwork's record of the work tree (see package tree).
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()

// Condition tells whether the conditioned work may start. It must be
// monotonic: once it has returned true it must keep doing so.
type Condition func(app basicwork.Application) bool

// ErrNilCondition rejects a nil condition in New, with the C++ text. (A
// nil work is rejected with basicwork.ErrNilWork.)
var ErrNilCondition = errors.New("Must provide valid condition function. Use BasicWork if condition is not needed.")

// DefaultSleepDelay is how long the work waits between two checks of the
// condition.
const DefaultSleepDelay = 100 * time.Millisecond

// ConditionalWork checks its condition when cranked; while it is false it
// waits for the sleep delay and checks again. Once true, it drops the
// condition (freeing whatever it captured), starts the conditioned work and
// from then on passes every crank to it. It is never retried.
type ConditionalWork struct {
	basicwork.BasicWork
	condition   Condition
	conditioned basicwork.Work
	sleep       time.Duration
	started     bool
}

// Option configures a ConditionalWork.
type Option func(*options)

type options struct {
	sleep time.Duration
}

// WithSleepDelay sets the wait between checks (default DefaultSleepDelay):
// the C++ constructor's sleepTime.
func WithSleepDelay(d time.Duration) Option { return func(o *options) { o.sleep = d } }

// New returns a ConditionalWork that runs w once condition holds. w must not
// have been started. It returns basicwork.ErrNilWork or ErrNilCondition for a nil
// argument, and panics with a *basicwork.NotInitialisedError if w's Init
// was not called.
func New(app basicwork.Application, name string, condition Condition, w basicwork.Work, opts ...Option) (*ConditionalWork, error) {
	if w == nil {
		return nil, basicwork.ErrNilWork
	}
	if condition == nil {
		return nil, ErrNilCondition
	}
	tree.CheckInit(w, "conditionalwork.New "+name)
	o := options{sleep: DefaultSleepDelay}
	for _, opt := range opts {
		opt(&o)
	}
	c := &ConditionalWork{condition: condition, conditioned: w, sleep: o.sleep}
	c.Init(app, name, basicwork.RetryNever, c)
	tree.Declare(&c.BasicWork, itree.Cranked[basicwork.Work](func(yield func(basicwork.Work) bool) {
		yield(c.conditioned)
	}))
	return c, nil
}

// OnRun cranks the conditioned work once started, and returns its state
// (without cranking it if it is not Running); otherwise it checks the
// condition and either waits or starts the work. When the work fails, its
// error (basicwork.ResultError) becomes the cause of this work's failure,
// so that errors.Is and errors.As on ExecuteWork's error reach the cause
// the work recorded.
func (c *ConditionalWork) OnRun() basicwork.State {
	st := c.step()
	if st == basicwork.Failure && c.FailureCause() == nil {
		c.SetFailureCause(basicwork.ResultError(c.conditioned))
	}
	return st
}

// step is OnRun without the cause.
func (c *ConditionalWork) step() basicwork.State {
	if !c.started {
		// A condition already met and dropped stays met: it is monotonic.
		if c.condition != nil && !c.condition(c.App()) {
			if c.LogEnabled(basicwork.TraceLevel) {
				c.Logf(basicwork.TraceLevel, "Condition for %s is not satisfied: sleeping %d ms", c.Name(), c.sleep.Milliseconds())
			}
			c.SetupWaitingCallback(c.sleep)
			return basicwork.Waiting
		}
		c.Logf(basicwork.TraceLevel, "Condition for %s is satisfied: starting work", c.Name())
		c.start()
	} else if st := c.conditioned.State(); st != basicwork.Running {
		// The conditioned work moved without this work hearing of it: a
		// panic (a transition listener's) cut the crank that moved it
		// short, or this work was woken up while its work waits. Report
		// its state rather than crank a work that is waiting or done (the
		// C++ asserts).
		return st
	}
	c.conditioned.CrankWork()
	return c.conditioned.State()
}

// start starts the conditioned work, registering this work as its parent,
// and drops the condition. A refused start (the work runs, waits or aborts
// elsewhere) panics before anything changes; a start that panics under way
// leaves the condition and the registration as they were, and the next
// crank tries again; one that panics once the work is RUNNING (a
// transition listener's) counts as started (tree.StartChild).
func (c *ConditionalWork) start() {
	tree.StartChild(&c.BasicWork, 0, c.conditioned, c.WakeSelfUpCallback(nil), func() {
		c.started = true
		c.condition = nil
	})
}

// OnAbort cranks the conditioned work, once started, until it is done.
func (c *ConditionalWork) OnAbort() bool {
	if c.started && !c.conditioned.IsDone() {
		c.conditioned.CrankWork()
		return false
	}
	return true
}

// OnReset forgets that the conditioned work was started.
func (c *ConditionalWork) OnReset() { c.started = false }

// Shutdown shuts down the conditioned work if it was started, then this
// work.
func (c *ConditionalWork) Shutdown() {
	defer c.BasicWork.Shutdown() // also if the conditioned work's panics
	if c.started {
		tree.Shutdown(c.conditioned) // completed if an override panics
	}
}

// Status is the conditioned work's status, prefixed with "Waiting before
// starting " until it is started.
func (c *ConditionalWork) Status() string {
	if c.conditioned == nil {
		tree.CheckInit(c, "Status")
	}
	if c.started {
		return c.conditioned.Status()
	}
	return "Waiting before starting " + c.conditioned.Status()
}

// Conditioned returns the work this one runs.
func (c *ConditionalWork) Conditioned() basicwork.Work { return c.conditioned }
