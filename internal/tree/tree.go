// Package tree is the library's one record of a work tree, kept out of the
// public API: each work's parent (and its slot there) and each composite's
// children. The record lives in every basicwork.BasicWork; basicwork
// registers the functions that read and change it (an Access) when it is
// initialised, and the library's own packages reach them through Get:
//
//   - the composites (work.Work, WorkSequence, ConditionalWork, the
//     dagwork panic guard) declare their children once, at Init, with
//     Declare, and register themselves as the parent of a child they start;
//   - basicwork.PathOf walks up through the parents, workview walks down
//     through the children, and work.Work hears from its children when
//     their public state changes to or from Waiting, or to Failure (its
//     round robin, its first failed child), while basicwork keeps the
//     counts per state that it declared (Counts) itself.
//
// The C++ has no counterpart: there a parent holds its children in a list
// and a child holds nothing.
package tree

import (
	"iter"
	"reflect"
)

// Composite is what a work that holds children declares about itself: the
// children it holds, in order, and what it does when one of them changes
// its public state, or is taken over by another parent. The library's
// composites implement it on an unexported type, so that its methods are not
// promoted to the types that embed them.
type Composite[W any] interface {
	// Children yields the works held now, in order.
	Children() iter.Seq[W]
	// ChildState is called when the child registered in slot changes its
	// public state (what State reports) from from to to, both values of
	// basicwork.State; the child's State already reads to. If the
	// composite declared Counts (Access.DeclareCounts), basicwork keeps
	// them itself and calls ChildState only for a change from or to
	// basicwork.Waiting, or to basicwork.Failure.
	ChildState(slot int, from, to int)
	// ChildLost is called when another parent takes the child in slot over.
	ChildLost(slot int)
}

// NumStates is the number of public states, the basicwork.State values
// (basicwork checks that it is).
const NumStates = 5

// Counts is how many of a composite's children read each public state,
// indexed by basicwork.State. A composite that declares them
// (Access.DeclareCounts) counts a child in when it adds it and out when
// it drops it; basicwork moves the child's count from one state to the
// other at each change of its public state, without a call.
type Counts [NumStates]int

// Access is the set of functions basicwork hands the library's packages. W
// is basicwork.Work and B is *basicwork.BasicWork.
type Access[W, B any] struct {
	// Base returns the BasicWork inside w.
	Base func(w W) B
	// Declare records c as the children of the composite whose BasicWork is
	// b. Called once, from the composite's Init.
	Declare func(b B, c Composite[W])
	// DeclareCounts records n as the Counts of the composite whose
	// BasicWork is b, which declared its children first. Called once,
	// from the composite's Init.
	DeclareCounts func(b B, n *Counts)
	// Children yields the children w declares, or nothing for a leaf.
	Children func(w W) iter.Seq[W]
	// Cranks reports whether w declared a Cranked composite: it cranks its
	// children itself, one at a time, and its status is that of the child
	// it is on.
	Cranks func(w W) bool
	// SetParent registers the work whose BasicWork is parent as child's
	// parent, the child being in its slot; a nil parent unregisters. A
	// previous, different parent is told with ChildLost. It returns the
	// previous parent (nil if none). It panics on a slot outside
	// [0, math.MaxInt32].
	SetParent func(child W, parent B, slot int) (prev B)
	// Adopt is CheckInit (with op), CheckStartable and SetParent in one
	// call, what a composite does first when it adds a child: it panics
	// as they do, before anything changed, and returns child's BasicWork
	// and its previous parent (nil if none).
	Adopt func(child W, op string, parent B, slot int) (base, prev B)
	// Release unregisters parent from the child whose BasicWork is child
	// if child is registered there in slot, and does nothing otherwise:
	// what a composite does when it drops a child.
	Release func(child B, parent B, slot int)
	// Renumber moves the child whose BasicWork is child to slot if parent
	// is its registered parent, and does nothing otherwise: what a
	// composite does when it renumbers its slots.
	Renumber func(child B, parent B, slot int)
	// ParentAt and SlotAt are where, inside the BasicWork a B points to, a
	// work keeps its registered parent (a B, nil if none) and its slot
	// there (an int32), in bytes from the BasicWork's start: a composite
	// that drops or renumbers a child on every crank tests and writes them
	// itself (Link), without the call through Release or Renumber.
	ParentAt, SlotAt uintptr
	// Self returns the outer value of the work whose BasicWork is b.
	Self func(b B) W
	// Parent returns the BasicWork of child's registered parent (nil if
	// none) and the child's slot in it.
	Parent func(child W) (parent B, slot int)
	// StartChild registers parent as w's parent in slot and starts w with
	// notify, undoing the registration if the start panics before w leaves
	// PENDING (see basicwork's child.go).
	StartChild func(parent B, slot int, w W, notify, started func())
	// StartAdded starts child, which the composite whose BasicWork is
	// parent has just added, with notify and then calls notify, if that
	// start cannot run user code but a transition listener (a new work
	// whose type leaves StartWork and OnReset to BasicWork, logging off):
	// it returns true and what the listener panicked with, to be raised
	// then. Otherwise it does nothing and returns false: the composite
	// starts the child through its outer StartWork. shared says notify is
	// parent's WakeSelfUpCallback(nil).
	StartAdded func(child, parent B, notify func(), shared bool) (started bool, listenerPanic any)
	// Shutdown shuts child down through its outer Shutdown, as a parent
	// shuts a child down; if that panics before child is aborting, child's
	// shutdown is completed before the panic goes on (see basicwork's
	// child.go).
	Shutdown func(child W)
	// CheckStartable panics with the *basicwork.TransitionError StartWork
	// would give if w cannot be started.
	CheckStartable func(w W)
	// CheckInit panics with a *basicwork.NotInitialisedError naming w's
	// type and op if w's Init has not been called.
	CheckInit func(w W, op string)
	// CheckFinal panics with a *basicwork.FinalOverrideError if self's
	// type, or a type on the way down to the embedded final, declares one
	// of methods.
	CheckFinal func(self W, name string, final reflect.Type, hint string, methods ...string)
	// Invariant returns a *basicwork.InvariantError about the work named
	// name, for a panic where the C++ asserts.
	Invariant func(name, format string, args ...any) error
}

// registered is the Access basicwork registered.
var registered any

// Register records a; basicwork calls it when it is initialised.
func Register[W, B any](a *Access[W, B]) { registered = a }

// Get returns the Access basicwork registered. The library's packages call
// it in a package-level variable's initialiser, which runs after basicwork
// is initialised since they import it.
func Get[W, B any]() *Access[W, B] { return registered.(*Access[W, B]) }

// Cranked is the Composite of a work that cranks its children itself, one
// at a time (a WorkSequence, a ConditionalWork, the dagwork panic guard),
// and whose status is that of the child it is on: it yields the children
// the function yields and needs none of the notices, as it never skips a
// waiting child.
type Cranked[W any] func(yield func(W) bool)

// Children yields what c yields.
func (c Cranked[W]) Children() iter.Seq[W] { return iter.Seq[W](c) }

// ChildState does nothing.
func (Cranked[W]) ChildState(int, int, int) {}

// ChildLost does nothing.
func (Cranked[W]) ChildLost(int) {}
