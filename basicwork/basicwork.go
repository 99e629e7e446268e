package basicwork

import (
	"context"
	"fmt"
	"math"
	"runtime/trace"
	"sync/atomic"
	"time"
	"unsafe"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/internal/tree"
	"github.com/stellarwork/stellarwork/vclock"
)

// Retry budgets, as in stellar-core.
const (
	RetryNever = 0
	RetryOnce  = 1
	RetryAFew  = 5
	RetryALot  = 32
)

// Work is what the library drives: a BasicWork embedded in an implementer's
// type, seen through that outer type so that its overrides are the ones
// called. Only types that embed BasicWork (directly or through Work,
// WorkSequence and the others) implement it.
//
// The On* methods and WakeUp, Shutdown and Status are the overridable methods
// of the C++ class. The library calls them; an implementer defines the ones
// it needs on its own type, and BasicWork supplies the rest.
type Work interface {
	Name() string
	Status() string
	State() State
	IsDone() bool
	IsAborting() bool
	CrankWork()
	StartWork(notify func())
	Shutdown()
	WakeUp(inner func())

	// OnRun does one step of the work and says what state it wants next.
	OnRun() State
	// OnAbort is called, once per crank, while the work is aborting; it
	// returns true when the abort is complete.
	OnAbort() bool
	// OnReset restores the work to its initial condition.
	OnReset()
	// OnSuccess is called on the move to Success.
	OnSuccess()
	// OnFailureRetry is called on a failure that will be retried.
	OnFailureRetry()
	// OnFailureRaise is called on a failure with no retry left.
	OnFailureRaise()
	//
	// If OnSuccess, OnFailureRetry, OnFailureRaise, or OnReset on the way
	// to Failure, Retrying or Aborted, panics, the hooks after it and the
	// transition are completed before the panic goes on: the work is done
	// (or waits for its retry), and its finished OnRun is not run again.

	basicWork() *BasicWork
}

// BasicWork is the state machine of one work: the port of stellar-core's
// BasicWork. An implementer embeds it, calls Init with a pointer to its own
// outer value, and defines OnRun and OnAbort (and any of the other hooks):
//
//	type Leaf struct {
//		basicwork.BasicWork
//		steps int
//	}
//
//	func NewLeaf(app basicwork.Application) *Leaf {
//		w := &Leaf{steps: 3}
//		w.Init(app, "leaf", basicwork.RetryNever, w)
//		return w
//	}
//
//	func (w *Leaf) OnRun() basicwork.State {
//		if w.steps--; w.steps > 0 {
//			return basicwork.Running
//		}
//		return basicwork.Success
//	}
//
//	func (w *Leaf) OnAbort() bool { return true }
//
// BasicWork calls every overridable method through that outer value, as the
// C++ calls its virtual methods, so an override on the outer type is the one
// that runs, also from inside the library.
//
// A BasicWork is used on the crank goroutine only; State, IsDone and
// IsAborting may be read from any goroutine.
//
// Init must come first: CrankWork, StartWork, Shutdown, WakeUp,
// WakeSelfUpCallback, SetupWaitingCallback, Status, Logf and LogEnabled
// panic with a *NotInitialisedError (errors.Is ErrNotInitialised) on a
// work whose Init was not called.
type BasicWork struct {
	// 72 bytes on 64-bit platforms, in the 80-byte size class: an idle
	// leaf costs one allocation of that size. What only some works need is
	// in ext; what the works of an application share is in env.
	self   Work    // the outer work (setSelf)
	env    *appEnv // the application, its clock and logger (envOf)
	name   string
	parent *BasicWork    // the registered parent, or nil
	since  time.Duration // clock time of the last state change
	ext    *extra        // allocated on first need (extra)
	// state holds the InternalState in its low byte (stateMask) and,
	// above it, the default* flags of the hooks the outer type leaves to
	// BasicWork (typeInfo), set once at Init, and notifyParent.
	state atomic.Int32
	slot  int32 // the child's slot in parent
}

// extra is the part of a BasicWork that a plain leaf never needs: its
// retry budget and count (a work with a budget), its timers (a work that
// waits on a timer or retries), its failure cause, the shared wake-up
// callback (a parent's) and a composite's children. Keeping
// it out of BasicWork keeps an idle leaf small (issue 15, workload e).
type extra struct {
	retries      int // at most maxRetries
	maxRetries   int
	retryTimer   *vclock.Timer
	waitingTimer *vclock.Timer
	failure      *failureRecord // SetFailureCause's record (failure.go)
	wakeSelf     func()         // WakeSelfUpCallback(nil), made once
	// notify is the callback StartWork was given, unless it is the
	// registered parent's shared wake-up (notifyParent) or nil.
	notify func()
	kids   tree.Composite[Work] // the children, if a composite declared them
	counts *tree.Counts         // their counts per public state, if declared
}

// numPublic is the number of public states (State values).
const numPublic = int(Failure) + 1

// tree.Counts has one count per public state.
var (
	_ [tree.NumStates - numPublic]struct{}
	_ [numPublic - tree.NumStates]struct{}
)

// more returns the work's extra, allocating it on first use.
func (b *BasicWork) more() *extra {
	if b.ext == nil {
		b.ext = &extra{}
	}
	return b.ext
}

// kids returns the children a composite declared, or nil.
func (b *BasicWork) kids() tree.Composite[Work] {
	if b.ext == nil {
		return nil
	}
	return b.ext.kids
}

// retries returns how many retries the current run has used.
func (b *BasicWork) retries() int {
	if b.ext == nil {
		return 0
	}
	return b.ext.retries
}

// maxRetries returns the retry budget.
func (b *BasicWork) maxRetries() int {
	if b.ext == nil {
		return 0
	}
	return b.ext.maxRetries
}

// retryTimer returns the scheduled retry's timer, or nil.
func (b *BasicWork) retryTimer() *vclock.Timer {
	if b.ext == nil {
		return nil
	}
	return b.ext.retryTimer
}

// setParent registers parent as the work's parent, the child being in
// parent's slot; nil unregisters. A previous, different parent is told with
// ChildLost. The library's composites reach it through package tree.
func (b *BasicWork) setParent(parent *BasicWork, slot int) {
	if slot < 0 || slot > math.MaxInt32 {
		panic(fmt.Sprintf("basicwork: SetParent of %q with slot %d, outside [0, %d]", b.name, slot, math.MaxInt32))
	}
	b.checkNoCycle(parent, "SetParent")
	if old := b.parent; old != nil && parent != nil && old != parent {
		if k := old.kids(); k != nil {
			k.ChildLost(int(b.slot))
		}
	}
	b.parent, b.slot = parent, int32(slot)
}

// checkNoCycle panics if parent is b or has b among its registered
// parents: registered under parent, b would be its own ancestor, and the
// walks up the tree (PathOf, a transition listener's Path) would never
// end. The C++ does not check; a work re-added under its own descendant
// there holds itself through its children. Only a work that has been a
// parent (wasParent) can be an ancestor, so a new child, the usual case,
// costs one test: a chain of works started from the top down is not
// walked once per level.
func (b *BasicWork) checkNoCycle(parent *BasicWork, op string) {
	if b.mayLoop(parent) {
		b.walkForCycle(parent, op)
	}
}

// mayLoop reports whether checkNoCycle has anything to do: b has been a
// parent, or parent is not marked as one yet. It is small enough to be
// inlined where a child is registered.
func (b *BasicWork) mayLoop(parent *BasicWork) bool {
	return b.state.Load()&wasParent != 0 || parent != nil && parent.state.Load()&wasParent == 0
}

// walkForCycle is checkNoCycle's walk, and the mark of parent. A work
// that has been a parent but holds no registered child now (a Work done,
// its children dropped) cannot be an ancestor either: it is not walked
// for, so that a chain of such works added again from the top down is not
// walked once per level.
func (b *BasicWork) walkForCycle(parent *BasicWork, op string) {
	if parent == b || b.state.Load()&wasParent != 0 && b.holdsRegisteredChild() {
		for p := parent; p != nil; p = p.parent {
			if p == b {
				panic(fmt.Sprintf("basicwork: %s: %q is %q or one of its parents, so the tree would loop", op, b.name, parent.name))
			}
		}
	}
	if parent != nil {
		if w := parent.state.Load(); w&wasParent == 0 {
			parent.state.Store(w | wasParent)
		}
	}
}

// holdsRegisteredChild reports whether a child that b's composite holds
// has b as its registered parent; a work that declared no composite is
// taken to (every composite registers only the children it holds).
func (b *BasicWork) holdsRegisteredChild() bool {
	k := b.kids()
	if k == nil {
		return true
	}
	for c := range k.Children() {
		if c.basicWork().parent == b {
			return true
		}
	}
	return false
}

// wasParent, a flag of the state word, says that a work has been
// registered as some work's parent (checkNoCycle).
const wasParent int32 = 1 << 16

// Init sets the work up: app, its name, how many times a failure is retried,
// and self, the outer value that embeds this BasicWork. It must be called
// once, before any other method. It panics on a nil app or self, a self that
// does not embed this BasicWork, or a negative maxRetries; and with a
// *FinalOverrideError (NonVirtual set) if self's type declares Name, State,
// IsDone, IsAborting, CrankWork or StartWork, which port methods that are
// not virtual in C++: the library calls them through self, so such a
// declaration would replace BasicWork's own.
func (b *BasicWork) Init(app Application, name string, maxRetries int, self Work) {
	// The usual Init, tested inline without a call: a work of the last
	// type Init'ed (its record says where it holds its BasicWork, and
	// that it redeclares nothing), with the application whose record
	// cachedEnv finds, no retry budget, Init'ed once. It does what init
	// does then.
	if info := lastTypeInfo.Load(); info != nil && self != nil && info.word == typeWord(self) && info.atFixed &&
		uintptr((*[2]unsafe.Pointer)(unsafe.Pointer(&self))[1])+info.at == uintptr(unsafe.Pointer(b)) &&
		info.nonVirtual == nil && maxRetries == 0 && b.self == nil {
		if e := cachedEnv(app); e != nil {
			b.setSelf(self)
			b.env = e
			b.name = name
			b.state.Store(int32(InternalPending) | info.defaults)
			b.since = e.clock.Elapsed()
			return
		}
	}
	b.init(app, name, maxRetries, self)
}

// init is Init's general path.
func (b *BasicWork) init(app Application, name string, maxRetries int, self Work) {
	if app == nil || self == nil || self.basicWork() != b || maxRetries < 0 || b.self != nil {
		b.refuseInit(app, name, maxRetries, self)
	}
	// The type's record: the last Init's, tested inline, or looked up.
	info := lastTypeInfo.Load()
	if info == nil || info.word != typeWord(self) {
		info = lookUpTypeInfo(self)
	}
	checkNonVirtual(info, name)
	if info.atFixed {
		b.setSelf(self)
	} else {
		b.self = self
	}
	// The application's shared record: the usual case tested inline
	// (cachedEnv), or found by envOf.
	e := cachedEnv(app)
	if e == nil {
		e = envOf(app)
	}
	b.env = e
	b.name = name
	if maxRetries != 0 {
		b.more().maxRetries = maxRetries
	}
	b.state.Store(int32(InternalPending) | info.defaults)
	b.since = e.clock.Elapsed()
}

// refuseInit panics with the reason Init refuses its arguments. It is a
// function of its own so that Init's frame stays small.
func (b *BasicWork) refuseInit(app Application, name string, maxRetries int, self Work) {
	switch {
	case app == nil:
		panic(fmt.Sprintf("basicwork: Init of %q with a nil Application", name))
	case self == nil || self.basicWork() != b:
		panic(fmt.Sprintf("basicwork: Init of %q: self must be the value that embeds this BasicWork", name))
	case maxRetries < 0:
		panic(fmt.Sprintf("basicwork: Init of %q with negative maxRetries %d", name, maxRetries))
	default:
		panic(fmt.Sprintf("basicwork: Init called twice on %q", name))
	}
}

func (b *BasicWork) basicWork() *BasicWork { return b }

// App returns the application the work was built with.
func (b *BasicWork) App() Application {
	if b.env == nil {
		return nil // before Init
	}
	return b.env.app
}

// Name returns the work's name.
func (b *BasicWork) Name() string { return b.name }

// InternalState returns the state the machine is in.
func (b *BasicWork) InternalState() InternalState {
	return InternalState(b.state.Load() & stateMask)
}

// stateMask is the part of the state word that holds the InternalState.
const stateMask = 0xff

// defaults reports whether the outer type leaves all the hooks of flags
// to BasicWork's own, empty ones.
func (b *BasicWork) defaults(flags int32) bool { return b.state.Load()&flags == flags }

// storeState moves the machine to st, keeping the flags of the state word.
// Only the crank goroutine changes the state, so the flags read here are
// the ones stored.
func (b *BasicWork) storeState(st InternalState) {
	b.state.Store(b.state.Load()&^stateMask | int32(st))
}

// State returns the public state: Pending and Aborting read as Running,
// Retrying as Waiting.
func (b *BasicWork) State() State {
	// The machine only ever stores one of the NumInternalStates values,
	// in the low bits; the modulo drops the flags above them (stateMask)
	// and lets the compiler drop the bounds check, so that State is
	// inlined into the wrappers of the types that embed BasicWork.
	return publicOf[uint(b.state.Load()&stateMask)%uint(NumInternalStates)]
}

// IsDone reports whether the work is in a terminal state.
func (b *BasicWork) IsDone() bool { return b.InternalState().IsDone() }

// IsAborting reports whether the work is shutting down.
func (b *BasicWork) IsAborting() bool { return b.InternalState() == InternalAborting }

// Attempt returns the number of the current attempt: 1 on the first run,
// one more after each retry.
func (b *BasicWork) Attempt() int { return b.retries() + 1 }

// Since returns the clock time (an offset from the clock's epoch) at which
// the work entered its current state.
func (b *BasicWork) Since() time.Duration { return b.since }

// Retries returns how many retries the current run has used.
func (b *BasicWork) Retries() int { return b.retries() }

// MaxRetries returns the retry budget.
func (b *BasicWork) MaxRetries() int { return b.maxRetries() }

// Status describes the work for people, such as "Running: name" or
// "Retrying in 5 sec: name". A retry that is scheduled reads as retrying.
func (b *BasicWork) Status() string {
	b.checkInit("Status")
	st := b.InternalState()
	if b.retryTimer() != nil {
		st = InternalRetrying
	}
	switch st {
	case InternalPending:
		return "Ready to run: " + b.name
	case InternalRunning:
		return "Running: " + b.name
	case InternalWaiting:
		return "Waiting: " + b.name
	case InternalSuccess:
		return "Succeeded: " + b.name
	case InternalRetrying:
		return fmt.Sprintf("Retrying in %d sec: %s", b.retryETA(), b.name)
	case InternalFailure:
		return "Failed: " + b.name
	case InternalAborting:
		return "Aborting: " + b.name
	case InternalAborted:
		return "Aborted: " + b.name
	}
	panic(fmt.Sprintf("basicwork: %s in unknown state %d", b.name, int(st)))
}

// OnReset does nothing; override it to restore the work's initial condition.
func (b *BasicWork) OnReset() {}

// OnSuccess does nothing; override it to act on success.
func (b *BasicWork) OnSuccess() {}

// OnFailureRetry does nothing; override it to act on a retried failure.
func (b *BasicWork) OnFailureRetry() {}

// OnFailureRaise does nothing; override it to act on a final failure.
func (b *BasicWork) OnFailureRaise() {}

// CrankWork moves the machine one step: OnAbort while aborting, OnRun
// otherwise, then the transition they ask for. Cranking a work that is done
// or waiting is a programming error and panics.
func (b *BasicWork) CrankWork() {
	b.checkInit("CrankWork")
	// One table look-up says whether the state runs, aborts or refuses a
	// crank (a done or waiting work).
	st := b.InternalState()
	if k := crankOf[uint(st)%uint(NumInternalStates)]; k != crankRuns {
		if k == crankRefused {
			panic(invariant(b.name, "BasicWork error: cannot crank %s in state %s", b.name, st))
		}
		b.crankAborting()
		return
	}
	var next State
	if trace.IsEnabled() {
		next = b.onRunTraced()
	} else {
		next = b.self.OnRun()
	}
	// Running -> Running, what a work that wants more cranks asks for at
	// each of them, changes nothing: no hook, no log line, no notice, no
	// listener call (changeState does nothing for it either). Returning
	// here keeps the most common step off changeState's longer path. The
	// state is read again: OnRun may have shut the work down.
	if w := b.state.Load(); w&stateMask == int32(InternalRunning) {
		if next == Running {
			return
		}
		// Running -> Success with OnSuccess left to BasicWork, the end of
		// most works, is changeState's first plain move: it is made here
		// without changeState's call and tests.
		if next == Success && w&defaultOnSuccess != 0 {
			if p := b.move(InternalRunning, InternalSuccess); p != nil {
				panic(p)
			}
			return
		}
	}
	b.setState(internalOf(next))
}

// What a crank does in each state (crankOf).
const (
	crankRuns    = iota // OnRun
	crankAborts         // OnAbort (crankAborting)
	crankRefused        // none: the work is done or waiting, CrankWork panics
)

// crankOf is CrankWork's table: what a crank does in each internal state.
var crankOf = [NumInternalStates]uint8{
	InternalPending:  crankRuns,
	InternalRunning:  crankRuns,
	InternalRetrying: crankRuns, // only inside a transition: the C++ does not refuse it
	InternalAborting: crankAborts,
	InternalWaiting:  crankRefused,
	InternalSuccess:  crankRefused,
	InternalFailure:  crankRefused,
	InternalAborted:  crankRefused,
}

// crankAborting is CrankWork's step of an aborting work: OnAbort, its log
// line, and the move to Aborted once OnAbort says the abort is complete.
// It is a function of its own so that CrankWork's frame stays small on
// the path of a running work.
func (b *BasicWork) crankAborting() {
	var done bool
	if trace.IsEnabled() {
		done = b.onAbortTraced()
	} else {
		done = b.self.OnAbort()
	}
	next := InternalAborting
	suffix := ": still aborting"
	if done {
		next = InternalAborted
		suffix = ": done"
	}
	if b.enabled(TraceLevel) {
		b.log(TraceLevel, "Abort progress for "+b.name+suffix)
	}
	b.setState(next)
}

// onRunTraced and onAbortTraced call the hooks inside a runtime/trace
// region, while a trace is being recorded.
func (b *BasicWork) onRunTraced() State {
	defer trace.StartRegion(context.Background(), "run").End()
	return b.self.OnRun()
}

func (b *BasicWork) onAbortTraced() bool {
	defer trace.StartRegion(context.Background(), "abort").End()
	return b.self.OnAbort()
}

// StartWork starts the work, restarting it if it is done: it becomes Running
// with notify as the callback it calls whenever it wakes up.
func (b *BasicWork) StartWork(notify func()) {
	b.checkInit("StartWork")
	// The start of a new work while logging is off, with no extra (no
	// retry, timer or failure cause to reset) and OnReset left to
	// BasicWork: no log line, and the move is changeState's plain Pending
	// -> Running, made here without changeState's call and tests.
	if b.env.logCore == nil && b.ext == nil &&
		b.state.Load()&(stateMask|defaultOnReset) == int32(InternalPending)|defaultOnReset {
		b.setNotify(notify)
		if p := b.move(InternalPending, InternalRunning); p != nil {
			panic(p)
		}
		return
	}
	b.startWork(notify)
}

// startWork is StartWork's general path: a restart, a log line, a reset
// to run.
func (b *BasicWork) startWork(notify func()) {
	if b.enabled(TraceLevel) {
		b.logLine("Starting ", b.name)
	}
	if b.InternalState() != InternalPending {
		b.setState(InternalPending)
	}
	b.setNotify(notify)
	if b.ext != nil {
		b.ext.failure = nil
	}
	b.setState(InternalRunning)
	if r := b.retries(); r != 0 {
		b.startedWithRetries(r)
	}
}

// startedWithRetries panics: StartWork found r retries used after the
// reset. It is a function of its own, as is logLine, so that StartWork's
// frame stays small.
func (b *BasicWork) startedWithRetries(r int) {
	panic(invariant(b.name, "BasicWork error: %s started with %d retries used", b.name, r))
}

// logLine writes the line prefix+name at TraceLevel.
func (b *BasicWork) logLine(prefix, name string) {
	b.log(TraceLevel, prefix+name)
}

// Shutdown starts aborting the work, unless it is done: the waiting timer is
// cancelled and the state becomes Aborting. Overrides must call it.
func (b *BasicWork) Shutdown() {
	b.checkInit("Shutdown")
	if b.enabled(TraceLevel) {
		b.log(TraceLevel, "Shutting down: "+b.name)
	}
	if !b.IsDone() {
		b.resetWaitingTimer()
		b.setState(InternalAborting)
	}
}

// WakeUp moves a Waiting work back to Running, runs inner if given, then
// the notify callback. It does nothing unless the work is Waiting.
//
// A wake-up is never lost to a panic: if inner panics, notify still runs
// before the panic goes on (the parent hears of the wake-up and cranks
// on); a transition listener's panic goes on only after the waiting timer
// is cancelled, inner has run and notify has been called.
func (b *BasicWork) WakeUp(inner func()) {
	b.checkInit("WakeUp")
	if b.InternalState() != InternalWaiting {
		return
	}
	if b.enabled(TraceLevel) {
		b.log(TraceLevel, "Waking up: "+b.name)
	}
	listenerPanic := b.changeState(InternalRunning)
	b.resetWaitingTimer()
	if inner != nil {
		if b.enabled(TraceLevel) {
			b.log(TraceLevel, b.name+" woke up and is executing its callback")
		}
		b.runInner(inner)
	}
	b.callNotify()
	if listenerPanic != nil {
		panic(listenerPanic)
	}
}

// setSelf stores self, whose data word Init found to point to the struct
// b is part of (typeInfo.atFixed), in b.self without the collector's write
// barrier, which costs about 130 instructions per pointer word while the
// collector marks (issue 15, workload c). The barrier is not needed for
// such a store: the old value is nil (Init runs once), the itab word does
// not point into the heap, and the data word points to the very object
// that holds the field, which is as reachable as the field itself, so the
// store cannot hide an unmarked object from the collector.
func (b *BasicWork) setSelf(self Work) {
	*(*[2]uintptr)(unsafe.Pointer(&b.self)) = *(*[2]uintptr)(unsafe.Pointer(&self))
}

// notifyParent, a flag of the state word, says that the work's notify
// callback is its registered parent's shared wake-up (the parent's
// WakeSelfUpCallback(nil)), which callNotify reaches through the parent.
// A child that a composite starts, the usual case, then keeps no callback
// of its own: no field, and no pointer written at its start, which the
// collector's write barrier makes dear while it marks (issue 15, workload
// c). A Work releases only children that are done or were never started,
// whose notify is not called until they are started again; the other
// composites release through tree.Release, which keeps the callback
// (keepNotify).
const notifyParent int32 = 1 << 15

// setNotify makes notify the callback the work calls when it wakes up:
// as notifyParent if it is the registered parent's shared wake-up, in ext
// otherwise.
func (b *BasicWork) setNotify(notify func()) {
	if notify != nil && b.isParentsWakeUp(notify) {
		b.state.Store(b.state.Load() | notifyParent)
		if x := b.ext; x != nil && x.notify != nil {
			x.notify = nil
		}
		return
	}
	if w := b.state.Load(); w&notifyParent != 0 {
		b.state.Store(w &^ notifyParent)
	}
	if notify != nil {
		b.more().notify = notify
	} else if x := b.ext; x != nil && x.notify != nil {
		x.notify = nil
	}
}

// isParentsWakeUp reports whether notify is the shared wake-up of b's
// registered parent: the same closure, compared by its pointer.
func (b *BasicWork) isParentsWakeUp(notify func()) bool {
	p := b.parent
	return p != nil && p.ext != nil && p.ext.wakeSelf != nil &&
		*(*unsafe.Pointer)(unsafe.Pointer(&notify)) == *(*unsafe.Pointer)(unsafe.Pointer(&p.ext.wakeSelf))
}

// callNotify calls the work's notify callback, if it has one.
func (b *BasicWork) callNotify() {
	if b.state.Load()&notifyParent != 0 {
		if p := b.parent; p != nil {
			p.ext.wakeSelf()
		}
		return
	}
	if x := b.ext; x != nil && x.notify != nil {
		x.notify()
	}
}

// keepNotify, called before b's parent is unregistered, moves a
// notifyParent callback into ext if b may still call it (b is neither
// done nor pending), so that it still reaches the parent that started b.
func (b *BasicWork) keepNotify() {
	if w := b.state.Load(); w&notifyParent != 0 {
		if st := InternalState(w & stateMask); st != InternalPending && !st.IsDone() && b.parent != nil {
			b.state.Store(w &^ notifyParent)
			b.more().notify = b.parent.ext.wakeSelf
		}
	}
}

// runInner runs a wake-up's inner callback; if it panics, the notify
// callback runs before the panic goes on, so that the wake-up reaches the
// parent all the same.
func (b *BasicWork) runInner(inner func()) {
	ok := false
	defer func() {
		if !ok {
			b.callNotify()
		}
	}()
	inner()
	ok = true
}

// wakeSelfUp wakes the work up through its outer WakeUp, as the callbacks
// of WakeSelfUpCallback and the retry timer do. An override of WakeUp that
// panics before it has woken the work (it is still Waiting) would lose the
// wake-up: the embedded WakeUp then completes it before the panic goes on.
func (b *BasicWork) wakeSelfUp(inner func()) {
	if b.defaults(defaultWakeUp) && b.InternalState() != InternalWaiting {
		return // BasicWork's WakeUp, the outer one, would do nothing
	}
	ok := false
	defer func() {
		if !ok && b.InternalState() == InternalWaiting {
			b.WakeUp(inner)
		}
	}()
	b.self.WakeUp(inner)
	ok = true
}

// WakeSelfUpCallback returns a callback that wakes this work up (through its
// outer WakeUp) and then runs inner. If the outer WakeUp panics before the
// work is awake, the embedded WakeUp completes the wake-up before the panic
// goes on.
func (b *BasicWork) WakeSelfUpCallback(inner func()) func() {
	// The shared callback, once made (after Init, then), is returned
	// inline.
	if inner == nil && b.ext != nil && b.ext.wakeSelf != nil {
		return b.ext.wakeSelf
	}
	return b.makeWakeSelfUpCallback(inner)
}

// makeWakeSelfUpCallback is WakeSelfUpCallback's path that makes a
// callback.
func (b *BasicWork) makeWakeSelfUpCallback(inner func()) func() {
	b.checkInit("WakeSelfUpCallback")
	if inner == nil {
		// Every caller without an inner callback can share one closure.
		x := b.more()
		if x.wakeSelf == nil {
			x.wakeSelf = func() {
				// wakeSelfUp's first test, here: a parent that is not
				// waiting and leaves WakeUp to BasicWork, as a parent
				// adding a child mostly is, has nothing to do.
				if b.defaults(defaultWakeUp) && b.InternalState() != InternalWaiting {
					return
				}
				b.wakeSelfUp(nil)
			}
		}
		return x.wakeSelf
	}
	return func() { b.wakeSelfUp(inner) }
}

// SetupWaitingCallback arms a timer that wakes the work up after d. Call it
// from OnRun before returning Waiting. If the timer is already armed it only
// logs a warning. The work must be Running.
func (b *BasicWork) SetupWaitingCallback(d time.Duration) {
	b.checkInit("SetupWaitingCallback")
	if st := b.InternalState(); st != InternalRunning {
		panic(invariant(b.name, "BasicWork error: %s sets up a waiting callback in state %s", b.name, st))
	}
	x := b.more()
	if x.waitingTimer != nil {
		if b.enabled(zapcore.WarnLevel) {
			b.log(zapcore.WarnLevel, b.name+": waiting timer is already set (no-op)")
		}
		return
	}
	x.waitingTimer = vclock.NewTimer(b.env.clock)
	x.waitingTimer.ExpiresFromNow(d)
	x.waitingTimer.AsyncWaitFunc(b.WakeSelfUpCallback(nil), vclock.OnFailureNoop)
}

func (b *BasicWork) resetWaitingTimer() {
	if x := b.ext; x != nil && x.waitingTimer != nil {
		x.waitingTimer.Cancel()
		x.waitingTimer = nil
	}
}

// reset cancels a scheduled retry and calls OnReset.
func (b *BasicWork) reset() {
	b.cancelRetry()
	if !b.defaults(defaultOnReset) {
		b.self.OnReset()
	}
}

// cancelRetry is the library's part of reset, before OnReset: its log
// line, and the cancel of a scheduled retry.
func (b *BasicWork) cancelRetry() {
	if b.enabled(TraceLevel) {
		b.log(TraceLevel, "resetting "+b.name)
	}
	if x := b.ext; x != nil && x.retryTimer != nil {
		x.retryTimer.Cancel()
		x.retryTimer = nil
	}
}

// setState is the one place the machine changes state. A failure with
// retries left becomes Retrying; the hooks run before the state changes, so
// that a shutdown issued from a hook is seen. A transition listener's panic,
// and that of a hook on the move to a done or retrying state (OnSuccess,
// OnFailureRaise, OnFailureRetry, OnReset), goes on once the transition is
// complete.
func (b *BasicWork) setState(st InternalState) {
	if p := b.changeState(st); p != nil {
		panic(p)
	}
}

// changeState is setState, returning a hook's or a transition listener's
// panic (a hook's first, if both panicked) instead
// of raising it, for callers that have more to do first.
func (b *BasicWork) changeState(st InternalState) (listenerPanic any) {
	// The plain moves, legal and with no hook to run: Running to Success
	// with OnSuccess left to BasicWork, Pending to Running with nothing to
	// reset (no log line, no retry, no OnReset of its own), Running to
	// Waiting and back. Most works' lives are made of them.
	switch cur := b.InternalState(); {
	case cur == InternalRunning && st == InternalSuccess && b.defaults(defaultOnSuccess),
		cur == InternalPending && st == InternalRunning && b.ext == nil && b.env.logCore == nil && b.defaults(defaultOnReset),
		cur == InternalRunning && st == InternalWaiting,
		cur == InternalWaiting && st == InternalRunning:
		return b.move(cur, st)
	}
	return b.changeStateHooks(st)
}

// changeStateHooks is changeState for the moves that are not plain: a
// failure, a retry, an abort, a hook or a reset to run, an illegal move.
func (b *BasicWork) changeStateHooks(st InternalState) (listenerPanic any) {
	if st == InternalFailure && b.ext != nil && b.ext.retries < b.ext.maxRetries {
		st = InternalRetrying
	}
	cur := b.InternalState()
	if !IsAllowed(cur, st) {
		panic(&TransitionError{Transition{cur, st}})
	}
	if cur == InternalPending && st == InternalRunning {
		// Without a logger core or an extra there is no log line to write
		// and no retry to cancel, and an OnReset left to BasicWork does
		// nothing: then the reset is these tests.
		if b.env.logCore != nil || b.ext != nil || !b.defaults(defaultOnReset) {
			b.reset()
		}
		if b.ext != nil {
			b.ext.retries = 0
		}
	}
	var hookPanic any
	switch st {
	case InternalSuccess:
		if !b.defaults(defaultOnSuccess) {
			hookPanic = b.doneHooks(st)
		}
	case InternalFailure, InternalRetrying, InternalAborted:
		hookPanic = b.doneHooks(st)
	}
	if cur = b.InternalState(); cur != st {
		listenerPanic = b.move(cur, st)
	}
	if st == InternalRetrying {
		if p := b.waitForRetry(); listenerPanic == nil {
			listenerPanic = p
		}
	}
	if hookPanic != nil {
		return hookPanic
	}
	return listenerPanic
}

// move moves the machine from cur to st, a different state: its log line,
// the parent's notice, the time of the change and the transition
// listener. It returns what the listener panicked with: a listener that
// panics must not leave the machine half-way (a RETRYING work with no
// retry timer), so its panic goes on only once the transition is
// complete.
func (b *BasicWork) move(cur, st InternalState) (listenerPanic any) {
	if b.enabled(zapcore.DebugLevel) {
		b.logMove(cur, st)
	}
	b.storeState(st)
	if p := b.parent; p != nil && p.ext != nil {
		// cur and st are states, so the modulo only drops the bounds checks.
		if from, to := publicOf[uint(cur)%uint(NumInternalStates)], publicOf[uint(st)%uint(NumInternalStates)]; from != to {
			x := p.ext
			if n := x.counts; n != nil {
				// The parent's counts, kept here; its notice only for
				// what they do not tell (tree.Composite.ChildState).
				n[from]--
				n[to]++
				if from == Waiting || to == Waiting || to == Failure {
					x.kids.ChildState(int(b.slot), int(from), int(to))
				}
			} else if x.kids != nil {
				x.kids.ChildState(int(b.slot), int(from), int(to))
			}
		}
	}
	b.since = b.env.clock.Elapsed()
	var l TransitionListener
	if p := b.env.listen; p != nil {
		l = *p
	} else {
		l = b.env.app.TransitionListener()
	}
	if l != nil {
		listenerPanic = b.tellListener(l, cur, st)
	}
	return listenerPanic
}

// logMove writes move's log line. It is a function of its own so that
// move's frame stays small when the line is not written.
func (b *BasicWork) logMove(cur, st InternalState) {
	b.log(zapcore.DebugLevel, "work "+b.name+" : "+cur.String()+" -> "+st.String())
}

// Hooks that doneHooks calls, in the order of the C++.
const (
	hookSuccess = iota
	hookFailureRaise
	hookFailureRetry
	hookReset
)

// hookDefault is the typeInfo flag of each hook of doneHooks.
var hookDefault = [...]int32{
	hookSuccess:      defaultOnSuccess,
	hookFailureRaise: defaultOnFailureRaise,
	hookFailureRetry: defaultOnFailureRetry,
	hookReset:        defaultOnReset,
}

// doneHooks runs the hooks of the move to st (Success, Failure, Retrying or
// Aborted), in the C++ order: OnSuccess; OnFailureRaise then the reset;
// OnFailureRetry then the reset; the reset. Each runs even if the one
// before it panicked, and the first panic is returned rather than raised:
// the caller completes the transition first. A hook that panicked would
// otherwise leave the work Running after its OnRun had finished, and the
// next crank would run that finished step again (and a failure would be
// retried at once, with no reset, backoff or retry counted).
func (b *BasicWork) doneHooks(st InternalState) (panicked any) {
	switch st {
	case InternalSuccess:
		return b.hook(hookSuccess)
	case InternalFailure:
		panicked = b.hook(hookFailureRaise)
	case InternalRetrying:
		panicked = b.hook(hookFailureRetry)
	}
	// The reset: the library's part is not user code, and a panic of its
	// own (an invariant) goes on at once; OnReset is.
	b.cancelRetry()
	if p := b.hook(hookReset); panicked == nil {
		panicked = p
	}
	return panicked
}

// hook calls one hook of doneHooks and returns what it panicked with.
func (b *BasicWork) hook(h int) (panicked any) {
	// An empty hook (BasicWork's own, as the outer type does not override
	// it) is not called.
	if b.defaults(hookDefault[h]) {
		return nil
	}
	defer func() { panicked = recover() }()
	switch h {
	case hookSuccess:
		b.self.OnSuccess()
	case hookFailureRaise:
		b.self.OnFailureRaise()
	case hookFailureRetry:
		b.self.OnFailureRetry()
	default:
		b.self.OnReset()
	}
	return nil
}

// tellListener calls l with the transition from -> to and returns what it
// panicked with, if it did. The event is built here rather than in
// setState, which then keeps a small frame on its path without a listener.
func (b *BasicWork) tellListener(l TransitionListener, from, to InternalState) (panicked any) {
	defer func() { panicked = recover() }()
	l(TransitionEvent{Work: b.self, From: from, To: to, Retries: b.retries(), MaxRetries: b.maxRetries(), At: b.since})
	return nil
}

// waitForRetry arms the retry timer with the backoff delay and waits. It
// returns a transition listener's panic on the move to Waiting, once the
// timer's callback is in place.
func (b *BasicWork) waitForRetry() (listenerPanic any) {
	x := b.more()
	if x.retryTimer != nil {
		panic(invariant(b.name, "Retry timer for %s already exists!", b.name))
	}
	t := vclock.NewTimer(b.env.clock)
	x.retryTimer = t
	delay := ExponentialBackoff(uint64(x.retries), b.env.app.Rand())
	t.ExpiresFromNow(delay)
	if b.enabled(zapcore.DebugLevel) {
		b.log(zapcore.DebugLevel, fmt.Sprintf("Scheduling retry #%d/%d in %d sec, for %s",
			x.retries+1, x.maxRetries, int64(delay/time.Second), b.name))
	}
	listenerPanic = b.changeState(InternalWaiting)
	// The callback runs on firing and on cancellation alike, as in C++.
	t.AsyncWait(func(error) {
		st := b.InternalState()
		if st != InternalWaiting && st != InternalAborted && st != InternalAborting {
			panic(invariant(b.name, "BasicWork error: retry timer of %s fired in state %s", b.name, st))
		}
		if st == InternalWaiting {
			x.retries++
			if rt := x.retryTimer; rt != nil {
				x.retryTimer = nil
				rt.Cancel() // the C++ destroys the timer here
			}
			b.wakeSelfUp(nil)
		}
	})
	return listenerPanic
}

// retryETA returns the whole seconds left before the scheduled retry.
func (b *BasicWork) retryETA() uint64 {
	rt := b.retryTimer()
	if rt == nil {
		return 0
	}
	clock := b.env.clock
	left := rt.ExpiryTime().Sub(clock.Now())
	if left < 0 {
		return 0
	}
	return uint64(left / time.Second)
}

func (b *BasicWork) enabled(l zapcore.Level) bool {
	c := b.env.logCore
	return c != nil && c.Enabled(l)
}

// LogEnabled reports whether the Work logger writes lines at level l. Check
// it before building a message on a hot path: a call to Logf boxes its
// arguments even when the level is off.
func (b *BasicWork) LogEnabled(l zapcore.Level) bool {
	// A logger that logs nothing (logCore nil) answers inline: this is
	// small enough for the compiler to inline into the caller.
	if b.self != nil && b.env.logCore == nil {
		return false
	}
	return b.logEnabled(l)
}

// logEnabled is LogEnabled when a logger may log, or the work is not
// Init'ed (then it panics).
func (b *BasicWork) logEnabled(l zapcore.Level) bool {
	b.checkInit("LogEnabled")
	return b.enabled(l)
}

func (b *BasicWork) log(l zapcore.Level, msg string) {
	b.env.logger.Log(l, msg)
}

// Logf writes a line to the Work logger at level l, formatting it only when
// the level is enabled. Implementers use it for their own log lines.
func (b *BasicWork) Logf(l zapcore.Level, format string, args ...any) {
	b.checkInit("Logf")
	if b.enabled(l) {
		b.env.logger.Log(l, fmt.Sprintf(format, args...))
	}
}
