package scheduler

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
	"github.com/stellarwork/stellarwork/internal/vclockhook"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// tree is basicwork's record of the work tree (see package tree).
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()

// Name is the WorkScheduler's work name.
const Name = "work-scheduler"

// ActionName is the action-scheduler queue name of the scheduler's cranks.
const ActionName = "WorkScheduler"

// ErrNotScheduled is returned by ExecuteWork when the scheduler refuses the
// work because it is aborting or done.
var ErrNotScheduled = errors.New("work-scheduler is aborting or done: work not scheduled")

// ErrClockStopped is basicwork.ErrClockStopped: ExecuteWork's and Run's
// error, through a *basicwork.WorkError, when the clock is shut down first.
var ErrClockStopped = basicwork.ErrClockStopped

// WorkScheduler is the root of a work tree: a Work, never retried, whose
// children are the scheduled works. Whenever a child wakes it up, it posts
// one action on the clock that cranks it; the action posts itself again
// while the scheduler reads Running. So a tree makes progress exactly as
// the clock is cranked. It is the port of stellar-core's WorkScheduler.
type WorkScheduler struct {
	work.Work
	scheduled bool
	// looping is set while a Run or an ExecuteWork cranks the clock: a
	// second one, from another goroutine or from inside a crank, is refused
	// before it touches the tree.
	looping atomic.Bool
	crankFn func() // the posted action, bound once
	wakeFn  func() // scheduleOne, bound once
	// unwoundFn is unwound, bound once.
	unwoundFn func()
	// onShutdown is the App's: it shuts the application's managers down.
	onShutdown func()
	// postOnCrank posts on the clock of this package's App without the
	// clock's lock (nil with any other Application).
	postOnCrank vclockhook.Poster
	// self is the clock's post of an action by itself (nil with any other
	// Application), which the action uses instead of postOnCrank while
	// ownSelf is set: the scheduler claims it when it is free as it posts
	// its action, and releases it when it stops posting.
	self    *vclockhook.Self
	ownSelf bool
	// clock is the App's clock, read once (App.Clock never changes), and
	// virtual whether its mode is VirtualTime (it never changes either).
	clock   *vclock.Clock
	virtual bool
}

func newWorkScheduler(app basicwork.Application) *WorkScheduler {
	s := &WorkScheduler{}
	if a, ok := app.(*App); ok {
		s.postOnCrank = vclockhook.OnCrankPoster(a.clock)
		s.self = vclockhook.SelfOf(a.clock)
	}
	s.clock = app.Clock()
	s.virtual = s.clock.Mode() == vclock.VirtualTime
	s.Init(app, Name, basicwork.RetryNever, s)
	s.crankFn = s.crankAction()
	s.wakeFn = s.scheduleOne
	s.unwoundFn = s.unwound
	s.StartWork(nil)
	s.CrankWork()
	return s
}

// DoWork keeps the scheduler Running while a child reads Running, and
// Waiting otherwise.
func (s *WorkScheduler) DoWork() basicwork.State {
	if s.AnyChildRunning() {
		return basicwork.Running
	}
	return basicwork.Waiting
}

// ScheduleWork adds w as a child and returns it, or returns nil, leaving w
// untouched, when the scheduler is aborting or done. It ports stellar-core's
// WorkScheduler::scheduleWork.
//
// ScheduleWork belongs to the goroutine that cranks the clock: call it
// between cranks, or from inside one (a work's hook, an action, a timer
// callback). From any other goroutine, while the clock may be cranked, it is
// a data race on the work tree that nothing detects; post it instead, with
// the clock's PostAction (or App.PostOnMainThread), as the C++ posts to the
// main thread.
func (s *WorkScheduler) ScheduleWork(w basicwork.Work) basicwork.Work {
	if s.IsAborting() || s.IsDone() || w == nil {
		return nil
	}
	if err := s.AddWorkWithCallback(s.wakeFn, w); err != nil {
		return nil
	}
	return w
}

// AddWork is ScheduleWork with an error: it adds w as a scheduled work,
// whose wake-ups post the scheduler's crank, so that w runs as the clock is
// cranked. It returns ErrNotScheduled, leaving w untouched, when the
// scheduler is aborting or done, and the error of work.Work.AddWork
// (basicwork.ErrNilWork for a nil w); it panics as that does. It overrides
// the AddWork promoted from work.Work, whose children never wake the
// scheduler up (no crank is posted, so w never runs); C++ addWork is
// protected and cannot be called on a WorkScheduler from outside. Like
// ScheduleWork, it belongs to the goroutine that cranks the clock. Do not
// call AddWorkWithCallback on the scheduler: its callback replaces the one
// that posts the crank.
func (s *WorkScheduler) AddWork(w basicwork.Work) error {
	if s.IsAborting() || s.IsDone() {
		return ErrNotScheduled
	}
	return s.AddWorkWithCallback(s.wakeFn, w)
}

// ExecuteWork schedules w and cranks the clock, blocking, until w is done
// or the clock is stopped. It is stellar-core's WorkScheduler::executeWork,
// which returns nothing; here the outcome is an error:
//
//   - nil if w ended in Success;
//   - a *basicwork.WorkError if w ended in Failure (errors.Is matches
//     basicwork.ErrWorkFailed) or Aborted (basicwork.ErrWorkAborted), with
//     w's name, final state, status and FailureCause;
//   - a *basicwork.WorkError matching ErrClockStopped if the clock was shut
//     down before w was done;
//   - ErrNotScheduled if the scheduler is aborting or done (w is untouched).
//
// If ctx is cancelled first, w is shut down and the clock cranked until w is
// done (or the clock stopped); the error is then a *basicwork.WorkError
// whose Cause is ctx.Err(), so that errors.Is(err, context.Canceled) (or
// context.DeadlineExceeded) holds, and errors.As still gives w's final
// state, normally InternalAborted. A context's deadline is wall time, in
// either mode of the clock: on a VirtualTime clock, bound a work by virtual
// time with a timer of the clock (vclock.NewTimer) that shuts it down.
//
// The context bounds the wait for w, not its abort: once w is shut down,
// ExecuteWork cranks until w is done or the clock is stopped, however long
// that takes. A work whose OnAbort never returns true, or a child that
// never wakes its parent up (a WakeUp override that drops the wake-up, or a
// WakeUp(nil) called by hand on the scheduler, the stall that ROBUSTNESS.md
// describes), keeps ExecuteWork cranking, or blocked in Crank, after ctx is
// done. Stop the clock to end it: ExecuteWork then returns the error above
// (it matches ctx.Err() and basicwork.ErrClockStopped), with w's state at
// that point. vclock.Clock.Shutdown belongs to the crank
// goroutine, like every Clock method but the few its package doc lists;
// from another goroutine, post it:
//
//	clock.PostAction(clock.Shutdown, "shutdown", vclock.NormalAction)
//
// The crank that ExecuteWork runs next (busy or blocked, it takes posts)
// then stops the clock.
//
// ExecuteWork, like Run and ScheduleWork, belongs to the goroutine that
// cranks the clock. Called while a Crank of the clock runs (from inside it:
// a work's hook, an action or a timer callback, where it would wait for
// ever on the crank it is called from; or from another goroutine), or while
// a Run or another ExecuteWork of this scheduler cranks the clock, it
// panics at once, before it touches the tree, with a *basicwork.InvariantError
// naming w and the misuse. The check is atomic: no data race. From another
// goroutine, post the work to the crank goroutine with the clock's
// PostAction instead.
func (s *WorkScheduler) ExecuteWork(ctx context.Context, w basicwork.Work) error {
	clock := s.App().Clock()
	s.claim("ExecuteWork", w, clock, true)
	defer s.looping.Store(false)
	if s.scheduleOwned(clock, w) == nil {
		return ErrNotScheduled
	}
	// A blocking crank waits for a post: on cancellation, post a no-op so
	// that it returns and the loop sees the context.
	stop := context.AfterFunc(ctx, func() {
		clock.PostAction(func() {}, "ExecuteWork", vclock.NormalAction)
	})
	defer stop()
	for !clock.IsStopped() && !w.IsDone() {
		if ctx.Err() != nil {
			// An aborting child reads Running, but nothing told the
			// scheduler, which may be waiting: wake it as a child would,
			// also if w's Shutdown override panics (tree.Shutdown then
			// completes w's shutdown before the panic goes on).
			func() {
				defer s.WakeUp(s.wakeFn)
				tree.Shutdown(w)
			}()
			for !clock.IsStopped() && !w.IsDone() {
				clock.Crank(true)
			}
			b := tree.Base(w)
			return &basicwork.WorkError{Name: w.Name(), State: b.InternalState(), Status: w.Status(), Cause: ctx.Err()}
		}
		clock.Crank(true)
	}
	return basicwork.ResultError(w)
}

// Run is the main loop of a program: it cranks the clock, blocking, until
// ctx is done; then it shuts the scheduler down and cranks until the
// scheduler is aborted (or the clock stopped), so that nothing is left
// running when it returns ctx.Err(). If the clock is shut down before ctx
// is done, Run returns at once a *basicwork.WorkError about the scheduler
// that matches ErrClockStopped. The outcome of each scheduled work is its
// own: read it from the work, or use ExecuteWork.
//
// As for ExecuteWork, the shutdown on cancellation is not bounded: a work
// that never finishes its abort keeps Run cranking until the clock is
// stopped.
//
// Like ExecuteWork, Run belongs to the goroutine that cranks the clock: it
// panics at once, with a *basicwork.InvariantError, if it is called from
// inside a crank, from another goroutine while the clock is cranked, or
// while another Run or ExecuteWork of this scheduler runs.
func (s *WorkScheduler) Run(ctx context.Context) error {
	clock := s.App().Clock()
	s.claim("Run", s, clock, false)
	defer s.looping.Store(false)
	stop := context.AfterFunc(ctx, func() {
		clock.PostAction(func() {}, "Run", vclock.NormalAction)
	})
	defer stop()
	for ctx.Err() == nil && !clock.IsStopped() {
		clock.Crank(true)
	}
	if ctx.Err() == nil {
		return &basicwork.WorkError{Name: s.Name(), State: s.InternalState(), Status: s.Status()}
	}
	s.Shutdown()
	for !clock.IsStopped() && s.State() != basicwork.Aborted {
		clock.Crank(true)
	}
	return ctx.Err()
}

// claim starts a Run or an ExecuteWork (op, for work w) of the scheduler:
// it marks the scheduler as looping and checks that no Crank of clock runs,
// with atomic operations only, and panics naming the misuse if either is
// taken. With own set it keeps the clock's crank-owner bit, which
// scheduleOwned gives back; the caller clears looping when it returns.
func (s *WorkScheduler) claim(op string, w basicwork.Work, clock *vclock.Clock, own bool) {
	name := "<nil>"
	if w != nil {
		name = w.Name()
	}
	const use = "ExecuteWork, Run and ScheduleWork belong to the goroutine that cranks the clock; from another goroutine, post to it with the clock's PostAction"
	if !s.looping.CompareAndSwap(false, true) {
		panic(tree.Invariant(name, "scheduler: %s(%s) called while a Run or an ExecuteWork of this scheduler cranks the clock: from another goroutine, a data race on the work tree; from inside its crank (a work's hook, an action or a timer callback), a wait for ever on the crank it is called from. %s", op, name, use))
	}
	if !vclockhook.TryOwn(clock) {
		s.looping.Store(false)
		panic(tree.Invariant(name, "scheduler: %s(%s) called from inside a crank (a work's hook, an action or a timer callback), where it would wait for ever on the crank it is called from, or from another goroutine while the clock is cranked, a data race on the work tree. %s", op, name, use))
	}
	if !own {
		vclockhook.Disown(clock)
	}
}

// scheduleOwned is ScheduleWork while the caller holds the crank-owner bit
// of clock (claim): it gives the bit back, also if ScheduleWork panics. No
// Crank of clock can run while w is added.
func (s *WorkScheduler) scheduleOwned(clock *vclock.Clock, w basicwork.Work) basicwork.Work {
	defer vclockhook.Disown(clock)
	return s.ScheduleWork(w)
}

// Shutdown aborts every child and the scheduler itself, and posts a crank
// so that the abort proceeds; then it runs the application's AtShutdown
// hooks (App.AtShutdown). It does nothing once the scheduler is done.
func (s *WorkScheduler) Shutdown() {
	if s.IsDone() {
		return
	}
	s.Work.Shutdown()
	s.scheduleOne()
	if s.onShutdown != nil {
		s.onShutdown()
	}
}

// scheduleOne posts the crank action unless one is already posted.
func (s *WorkScheduler) scheduleOne() {
	if s.scheduled {
		return
	}
	s.scheduled = true
	s.claimSelf()
	s.App().PostOnMainThread(s.crankFn, ActionName, vclock.NormalAction)
}

// claimSelf makes the clock's Self the scheduler's if it is free.
func (s *WorkScheduler) claimSelf() {
	if s.self == nil || s.ownSelf || s.self.Fn != nil {
		return
	}
	s.self.Fn, s.self.Name, s.self.Typ, s.self.Unwound = s.crankFn, ActionName, vclock.NormalAction, s.unwoundFn
	s.ownSelf = true
}

// unscheduled notes that the action is no longer posted, and gives the
// clock's Self back if the scheduler holds it.
func (s *WorkScheduler) unscheduled() {
	s.scheduled = false
	if s.ownSelf {
		s.ownSelf = false
		*s.self = vclockhook.Self{}
	}
}

// unwound is the end of the action that a panic out of a work's hook
// skipped, when the action uses the clock's Self: the action scheduler
// calls it on the panic's way up, where the action's deferred end would
// have run. It posts the action again if the tree
// still reads Running, as the action's deferred end does otherwise.
func (s *WorkScheduler) unwound() {
	if s.State() != basicwork.Running {
		s.unscheduled()
		return
	}
	s.postOnCrank.PostOnCrank(s.crankFn, ActionName, vclock.NormalAction)
}

// crankAction returns the posted action: crank the tree at least once,
// and again while it reads Running and the clock does not ask to yield;
// then post again if it still reads Running.
//
// If a work's hook panics, the panic goes on up through Crank, as the C++
// would end the process; but the scheduler posts itself again first, so a
// caller that recovers finds the tree as it was and can keep cranking.
//
// With the clock's Self (the App's clock, one scheduler at a time), the
// action posts itself again by setting Self.Posted, and the crank makes
// the post when the action has returned; if it panics, the action
// scheduler's bookkeeping after it calls unwound: no call and no defer on
// the usual crank. Otherwise (crankDeferred) the
// post is a call, deferred so that it is made also when a hook panics.
//
// The action is a closure with the body inside, rather than a method
// value: a method value adds a call through a wrapper, on every crank.
// (It is not inlined: the copy of the closure inlined into the caller did
// not get its own calls inlined.)
//
//go:noinline
func (s *WorkScheduler) crankAction() func() {
	return func() {
		if !s.ownSelf {
			s.claimSelf()
			if !s.ownSelf {
				s.crankDeferred()
				return
			}
		}
		s.self.Running = true
		s.CrankWork()
		// Again while the tree reads Running and the clock does not ask
		// to yield. The C++ tests the state first; both are reads. A
		// virtual clock always asks to yield, so it is asked first, once.
		if !s.virtual {
			for s.State() == basicwork.Running && !s.clock.ShouldYield() {
				s.CrankWork()
			}
		}
		s.self.Running = false
		// The action is no longer posted; it posts itself again if the
		// tree still reads Running. (scheduled is true while the action
		// runs: it is cleared here, or stays set for the new post.)
		if s.State() != basicwork.Running {
			s.unscheduled()
			return
		}
		s.self.Posted = true
	}
}

// crankDeferred is the action's body for a scheduler without the clock's
// Self: its end is a deferred closure with the re-post inside, rather than
// a deferred method call, which goes through a wrapper.
func (s *WorkScheduler) crankDeferred() {
	defer func() {
		// The action is no longer posted; it posts itself again if
		// the tree still reads Running, also when a hook panicked.
		// (scheduled is true while the action runs: it is cleared
		// here, or stays set for the new post.)
		if s.State() != basicwork.Running {
			s.unscheduled()
			return
		}
		if s.postOnCrank != nil {
			// Without the clock's lock: the same action, order and
			// crank.
			s.postOnCrank.PostOnCrank(s.crankFn, ActionName, vclock.NormalAction)
		} else {
			s.App().PostOnMainThread(s.crankFn, ActionName, vclock.NormalAction)
		}
	}()
	for {
		s.CrankWork()
		if s.virtual || s.State() != basicwork.Running || s.clock.ShouldYield() {
			return
		}
	}
}
