// Package work is a work with children: the Go port of stellar-core's Work.
//
// A Work cranks its children round-robin, one child per crank, in the order
// they were added, visiting only those whose public state reads Running
// (which includes Pending and Aborting children). Waiting children are
// skipped and finished children are dropped. When a round finds no child to
// crank, the Work calls its own DoWork once. When DoWork returns Success,
// the Work drops all its children (they have all succeeded), and a reset
// drops them too: keep your own reference to a child whose result you read
// afterwards.
//
// So, as in the C++, a parent with one running child alternates between
// cranking it and running DoWork, and each level of nested Work parents
// halves the rate at which a child is cranked: a child under d nested Works
// is cranked once every 2^d cranks of the root (1,024 at depth 10). Keep
// Work nesting shallow (a batchwork.BatchWork is a Work too); a
// worksequence parent cranks its current child on each of its own cranks.
package work

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/trace"

	"github.com/stellarwork/stellarwork/basicwork"
)

// Interface is what a Work's implementer provides on top of basicwork.Work:
// DoWork, and optionally DoReset (Work has a no-op one). Types that extend
// Work further may make these final: BatchWork's DoWork and DoReset are,
// as in C++, and must not be overridden there.
type Interface interface {
	basicwork.Work
	// DoWork is the work's own step, called when no child is ready to be
	// cranked: add children, look at them, or do local work.
	DoWork() basicwork.State
	// DoReset is extra cleanup when the work is reset.
	DoReset()
}

// ErrAborting is wrapped by the error AddWork returns while the parent is
// aborting. Its text is completed as "<name> is being aborted!".
var ErrAborting = errors.New("is being aborted!")

// AbortingError is the error of adding a child to an aborting work. Its
// message is the C++ text "<name> is being aborted!".
type AbortingError struct{ Name string }

func (e *AbortingError) Error() string { return e.Name + " is being aborted!" }

// Is makes errors.Is(err, ErrAborting) true.
func (e *AbortingError) Is(target error) bool { return target == ErrAborting }

// Work is a basicwork.BasicWork with children. An implementer embeds it,
// calls Init with its own outer value, and defines DoWork (and, if it needs
// one, DoReset). OnRun, OnAbort and OnReset are final, as in C++: they
// crank the children, and Init panics if the outer type declares one.
type Work struct {
	basicwork.BasicWork
	self Interface

	kids   children
	cursor int // the round-robin position: a slot, or -1 for the end

	doneChildren  int
	totalChildren int

	abortChildrenButNotSelf bool
}

// finalType is the type whose OnRun, OnAbort and OnReset are final.
var finalType = reflect.TypeFor[Work]()

// Init sets the work up; see basicwork.BasicWork.Init. self is the outer
// value that embeds this Work. Besides the panics of BasicWork.Init, it
// panics with a *basicwork.FinalOverrideError if self's type (or a type
// between it and this Work) declares OnRun, OnAbort or OnReset, the C++
// finals Work::onRun, onAbort and onReset.
func (w *Work) Init(app basicwork.Application, name string, maxRetries int, self Interface) {
	if self != nil {
		tree.CheckFinal(self, name, finalType,
			"define DoWork (and DoReset) instead: Work's own OnRun cranks the children", "OnRun", "OnAbort", "OnReset")
	}
	w.BasicWork.Init(app, name, maxRetries, self)
	w.self = self
	w.cursor = -1
	w.kids.lastLive = -1
	tree.Declare(&w.BasicWork, &w.kids)
	tree.DeclareCounts(&w.BasicWork, &w.kids.count)
}

// Status is the BasicWork status, followed by " : d/t children completed"
// once the work has had children.
func (w *Work) Status() string {
	s := w.BasicWork.Status() // panics before Init
	if w.totalChildren != 0 {
		s += fmt.Sprintf(" : %d/%d children completed", w.doneChildren, w.totalChildren)
	}
	return s
}

// Shutdown shuts down every child that is not done, then the work itself.
// If a child's shutdown panics (a transition listener, say), the other
// children and the work itself are shut down all the same before the panic
// goes on; a child whose Shutdown override panicked before it called the
// embedded one has its shutdown completed first (its embedded BasicWork's
// Shutdown, after its own started children's).
func (w *Work) Shutdown() {
	if w.self == nil {
		tree.CheckInit(w, "Shutdown")
	}
	defer w.BasicWork.Shutdown()
	w.shutdownChildren()
}

// AddWork adds child, starts it and wakes this work up; the child wakes this
// work up whenever it wakes up. It fails while this work is aborting.
//
// Adding a child makes it Running without running it: an OnRun or DoWork
// that adds a child should return Running, not Waiting, so that the child
// gets cranked.
func (w *Work) AddWork(child basicwork.Work) error {
	return w.AddWorkWithCallback(nil, child)
}

// AddWorkWithCallback is AddWork with cb run after each wake-up of this
// work caused by the child. It panics with a *basicwork.NotInitialisedError
// if this work's or the child's Init was not called (the child's type is
// named), with a *basicwork.TransitionError if the child cannot be
// started, and with a message saying the tree would loop if the child is
// this work or one of its parents (before anything changes). If starting
// the child panics (its OnReset does, say) while it
// is still PENDING, the add is rolled back before the panic goes on: the
// child is out of the list, with no parent registered, and may be added
// again.
func (w *Work) AddWorkWithCallback(cb func(), child basicwork.Work) error {
	if w.self == nil {
		tree.CheckInit(w, "AddWork")
	}
	if w.IsAborting() {
		return &AbortingError{Name: w.Name()}
	}
	if child == nil {
		return basicwork.ErrNilWork
	}
	// A child that cannot be started (it runs, waits or aborts elsewhere)
	// panics in StartWork as in C++, but before it is added (Adopt): the
	// C++ adds it first, and a caller that recovers would find it in the
	// tree.
	k := &w.kids
	slot := len(k.slots) + k.base
	if slot > maxSlot && k.base != 0 {
		k.rebase(&w.BasicWork)
		slot = len(k.slots)
	}
	base, prev := tree.Adopt(child, "AddWork of a child", &w.BasicWork, slot)
	cursor := w.cursor
	// addChild, inline: the child goes in the next slot, where Adopt
	// registered it, and the round robin starts at it if it is the only
	// one. It is counted in its state, and active unless it waits.
	if k.live == 0 {
		w.cursor = len(k.slots)
	}
	i := len(k.slots)
	k.slots = append(k.slots, base)
	k.live++
	k.lastLive = i
	if i>>6 >= len(k.active.words) {
		k.active.grow(i + 1)
	}
	// A child just adopted is PENDING (it reads Running), or done if it
	// is added again.
	if base.InternalState() == basicwork.InternalPending {
		k.count[basicwork.Running]++
		k.active.set(i)
	} else {
		st := base.State()
		k.count[st]++
		if st != basicwork.Waiting {
			k.active.set(i)
		}
	}
	if prev == &w.BasicWork {
		// The child is still held in another slot (it is done and the
		// walk has not dropped it yet): only the new slot will hear of
		// its changes.
		k.scanAll = true
	}
	w.totalChildren++
	wakeSelf := w.WakeSelfUpCallback(cb)
	// A plain start, the usual one, cannot panic but in a transition
	// listener, once the child is RUNNING: it needs no deferred undo.
	if started, p := tree.StartAdded(base, &w.BasicWork, wakeSelf, cb == nil); started {
		if p != nil {
			panic(p)
		}
		return nil
	}
	return w.startAdded(child, base, wakeSelf, i, cursor)
}

// startAdded starts child, whose BasicWork is base, just added in slot i,
// with wakeSelf, then calls wakeSelf; if the start panics while the child
// is still PENDING, the add is undone and the round-robin position put
// back to cursor.
func (w *Work) startAdded(child basicwork.Work, base *basicwork.BasicWork, wakeSelf func(), i, cursor int) error {
	started := false
	defer func() {
		// A start that panics before the child left PENDING (its OnReset,
		// say) is undone: the child is taken out again, so that it is not
		// left in the list, never started, to be cranked at every step.
		// One that panics after (a transition listener's) is completed:
		// the child stays, and this work is woken up as it would have
		// been, so that the child gets cranked.
		if started {
			return
		}
		if base.InternalState() == basicwork.InternalPending {
			w.undoAdd(i, cursor)
		} else {
			wakeSelf()
		}
	}()
	child.StartWork(wakeSelf)
	started = true
	wakeSelf()
	return nil
}

// OnRun (final; C++ Work::onRun) cranks the next child that reads Running; when there is none, it
// calls DoWork. If DoWork fails while children are still running, the
// children are aborted first and the work fails once they are done.
func (w *Work) OnRun() basicwork.State {
	if w.abortChildrenButNotSelf {
		if w.OnAbort() {
			w.recordChildFailure()
			return basicwork.Failure
		}
		return basicwork.Running
	}
	// yieldNextRunningChild's two usual cases are taken here, without its
	// call: the child at the round-robin position is RUNNING (it is
	// cranked), or the round is at its end (then DoWork runs).
	// The child at the position is the one the walk returns exactly when
	// it reads Running: a child that reads Running is active, and the
	// walk (a jump or a scan) looks at the position first.
	// The position is -1 at the end of a round, and otherwise a slot: one
	// unsigned test tells the two apart and bounds the slot's read.
	k := &w.kids
	if i := w.cursor; uint(i) < uint(len(k.slots)) {
		if c := k.slots[i]; c != nil {
			// A child RUNNING inside, the usual one, reads Running; one
			// PENDING or ABORTING (which read Running too) is left to
			// the walk, which returns it all the same.
			if c.InternalState() == basicwork.InternalRunning {
				next := -1
				if i < k.lastLive {
					next = i + 1
				}
				w.cursor = next
				c.CrankWork()
				return basicwork.Running
			}
		}
		if c := w.yieldNextRunningChild(); c != nil {
			c.CrankWork()
			return basicwork.Running
		}
	} else {
		// The walk at its end: what yieldNextRunningChild does after its
		// loop, which does not run.
		if k.sparse() {
			k.compact(&w.BasicWork)
		}
		if k.live > 0 {
			w.cursor = 0
		}
	}
	if w.LogEnabled(zapcoreDebug) {
		w.Logf(zapcoreDebug, "Running %s", w.Name())
	}
	var st basicwork.State
	if trace.IsEnabled() {
		st = w.doWorkTraced()
	} else {
		st = w.self.DoWork()
	}
	// Running and Waiting, the usual answers, need nothing more: one
	// unsigned test (an invalid State goes on to the switch, which returns
	// it as it is).
	if uint(st) <= uint(basicwork.Waiting) {
		return st
	}
	switch {
	case st == basicwork.Success:
		if !w.AllChildrenSuccessful() {
			panic(tree.Invariant(w.Name(), "Work error: %s succeeded while a child has not", w.Name()))
		}
		w.clearChildren()
	case st == basicwork.Failure && !w.AllChildrenDone():
		w.Logf(zapcoreDebug, "A child of %s failed: aborting remaining children before failure.", w.Name())
		w.abortChildrenButNotSelf = true
		w.recordChildFailure()
		w.shutdownChildren()
		return basicwork.Running
	case st == basicwork.Failure:
		w.recordChildFailure()
	}
	return st
}

// OnRun's test of DoWork's answer needs Running and Waiting to be the
// States 0 and 1: this does not compile otherwise.
var _ = [1]int{}[basicwork.Running+basicwork.Waiting-1]

// recordChildFailure makes the error of the first child that failed (a
// *basicwork.WorkError, see basicwork.ResultError) the cause of this
// work's failure, unless DoWork recorded one or no child failed: so
// errors.Is and errors.As on ExecuteWork's error reach down to the cause
// the failed child recorded (a command's exit status, say), through every
// parent on the way. It ports nothing: the C++ has no causes.
func (w *Work) recordChildFailure() {
	if w.FailureCause() != nil {
		return
	}
	if c := w.kids.failedChild(); c != nil {
		w.SetFailureCause(basicwork.ResultError(c))
	}
}

// doWorkTraced calls DoWork inside a runtime/trace region, while a trace
// is being recorded.
func (w *Work) doWorkTraced() basicwork.State {
	defer trace.StartRegion(context.Background(), "do-work").End()
	return w.self.DoWork()
}

// OnAbort (final; C++ Work::onAbort) cranks the next aborting child; with none left to crank, the
// abort is complete once every child is done.
func (w *Work) OnAbort() bool {
	if c := w.yieldNextRunningChild(); c != nil {
		if !c.IsAborting() {
			panic(tree.Invariant(w.Name(), "Work error: %s is aborting but its child %s is not", w.Name(), c.Name()))
		}
		c.CrankWork()
		return false
	}
	if w.LogEnabled(traceLevel) {
		w.Logf(traceLevel, "%s: waiting for children to abort.", w.Name())
	}
	return w.AllChildrenDone()
}

// OnReset (final; C++ Work::onReset) drops the (finished) children and calls DoReset.
func (w *Work) OnReset() {
	w.clearChildren()
	w.abortChildrenButNotSelf = false
	w.self.DoReset()
}

// DoReset does nothing; override it for extra cleanup on reset.
func (w *Work) DoReset() {}

// AllChildrenSuccessful reports whether every child succeeded (true with no
// children).
func (w *Work) AllChildrenSuccessful() bool { return w.kids.allSuccessful() }

// AllChildrenDone reports whether every child is done (true with no
// children).
func (w *Work) AllChildrenDone() bool { return w.kids.allDone() }

// AnyChildRaiseFailure reports whether a child failed.
func (w *Work) AnyChildRaiseFailure() bool { return w.kids.anyFailure() }

// AnyChildRunning reports whether a child reads Running. Like the three
// above, it reads counts that the children keep up to date as their states
// change (see children): the cost does not depend on how many children
// there are. The C++ scans its list each time.
func (w *Work) AnyChildRunning() bool { return w.kids.anyRunning() }

// HasChildren reports whether the work holds any child.
func (w *Work) HasChildren() bool { return w.kids.live != 0 }

// CheckChildrenStatus sums the children up as GetWorkStatus does.
func (w *Work) CheckChildrenStatus() basicwork.State {
	if w.AllChildrenSuccessful() {
		return basicwork.Success
	}
	if w.AnyChildRaiseFailure() {
		return basicwork.Failure
	}
	if !w.AnyChildRunning() {
		return basicwork.Waiting
	}
	return basicwork.Running
}

// Children returns the children the work holds now, in order: not the
// finished ones the walk has dropped, and none once the work has succeeded
// or been reset.
func (w *Work) Children() []basicwork.Work {
	out := make([]basicwork.Work, 0, w.kids.live)
	for _, b := range w.kids.slots {
		if b != nil {
			out = append(out, tree.Self(b))
		}
	}
	return out
}

// DoneChildren and TotalChildren are the counts of the status suffix.
func (w *Work) DoneChildren() int { return w.doneChildren }

// TotalChildren returns how many children were ever added since the work
// was built.
func (w *Work) TotalChildren() int { return w.totalChildren }

// shutdownChildren shuts down every child that is not done. If one
// shutdown panics, the children after it are shut down before the panic
// goes on.
func (w *Work) shutdownChildren() { w.shutdownChildrenFrom(0) }

func (w *Work) shutdownChildrenFrom(from int) {
	for i := from; i < len(w.kids.slots); i++ {
		if b := w.kids.slots[i]; b != nil && !b.IsDone() {
			w.shutdownChild(tree.Self(b), i)
		}
	}
}

// shutdownChild shuts c, in slot i, down; if that panics, it shuts down the
// children after it first.
func (w *Work) shutdownChild(c basicwork.Work, i int) {
	ok := false
	defer func() {
		if !ok {
			w.shutdownChildrenFrom(i + 1)
		}
	}()
	tree.Shutdown(c) // completed if an override panics
	ok = true
}

func (w *Work) clearChildren() {
	if !w.AllChildrenDone() {
		panic(tree.Invariant(w.Name(), "Work error: %s drops its children while some are not done", w.Name()))
	}
	w.doneChildren += w.kids.live
	w.kids.clear(&w.BasicWork)
	w.cursor = -1
}

// undoAdd takes out the child just added in slot i, whose start failed,
// and puts the round-robin position back to cursor.
func (w *Work) undoAdd(i, cursor int) {
	w.kids.remove(&w.BasicWork, i)
	if i == len(w.kids.slots)-1 {
		w.kids.slots = w.kids.slots[:i]
	}
	w.totalChildren--
	w.cursor = cursor
}

// yieldNextRunningChild walks on from the round-robin position to the next
// child that reads Running, dropping done children on the way, and returns
// its BasicWork. At the end of the children it rewinds and returns nil.
//
// The walk keeps its position, the slots and how many children it dropped
// in locals, and writes the position, the live count and the done count
// back once, where it stops: nothing it calls on the way (State, the
// in-place release) reads them.
func (w *Work) yieldNextRunningChild() *basicwork.BasicWork {
	k := &w.kids
	if i := w.cursor; i >= 0 {
		slots, last, owner, base := k.slots, k.lastLive, &w.BasicWork, k.base
		// After a ChildLost the bitmap is not kept, and the walk asks next,
		// which scans, at every step.
		words := k.active.words
		if k.scanAll {
			words = nil
		}
		dropped := 0
		for {
			// The child at the position itself is the usual next one: its
			// bit is tested here, without the call.
			wd := i >> 6
			if uint(wd) >= uint(len(words)) || words[wd]&(1<<(i&63)) == 0 {
				if i = k.next(i); i < 0 {
					break
				}
				wd = i >> 6
			}
			c := slots[i]
			st := c.State()
			if st == basicwork.Running {
				// Where the walk goes on from: the next child, or the end
				// if this was the last one (a child added later is then
				// not reached in this round, as with the C++ list's end
				// iterator).
				w.cursor = -1
				if i < last {
					w.cursor = i + 1
				}
				k.live -= dropped
				w.doneChildren += dropped
				return c
			}
			if st.IsDone() {
				// remove, inline: the walk drops a done child, and clears
				// its bit (bitmap.clear) in the words it holds.
				// release, inline: a Work that does not scan holds each
				// child registered here in the slot it is registered
				// under (a child taken over, or held twice, makes it
				// scan), so only the parent is tested then.
				if p := parentOf(c); *p == owner {
					if s := slotOf(c); words != nil || int(*s) == i+base {
						*p, *s = nil, 0
					}
				}
				slots[i] = nil
				if uint(wd) < uint(len(words)) {
					if words[wd] &^= 1 << (i & 63); words[wd] == 0 {
						k.active.summary[wd>>6] &^= 1 << (wd & 63)
					}
				}
				k.count[st]--
				dropped++
			}
			if i >= last {
				break
			}
			i++
		}
		k.live -= dropped
		w.doneChildren += dropped
		if dropped != 0 && slots[last] == nil {
			k.dropEmptyTail()
		}
	}
	if k.sparse() {
		k.compact(&w.BasicWork)
	}
	w.cursor = -1
	if k.live > 0 {
		w.cursor = 0
	}
	return nil
}
