package basicwork

import (
	"errors"
	"fmt"
)

// ErrNilWork rejects a nil work wherever a work is required; its text is
// the C++ text.
var ErrNilWork = errors.New("Must provide valid work")

// ErrIllegalTransition matches every *TransitionError with errors.Is.
var ErrIllegalTransition = errors.New("illegal state transition")

// ErrInvariant matches every *InvariantError with errors.Is.
var ErrInvariant = errors.New("work invariant violated")

// InvariantError is the panic value where the C++ asserts: a work used in a
// way its state forbids, such as cranking a done work. Name is the work's
// name; the message names it and its state.
type InvariantError struct {
	Name string
	Msg  string
}

func (e *InvariantError) Error() string { return e.Msg }

// Is makes errors.Is(err, ErrInvariant) true.
func (e *InvariantError) Is(target error) bool { return target == ErrInvariant }

// invariant returns an *InvariantError about the work named name, with a
// formatted message: the panic value where the C++ asserts. The library's
// other packages reach it through package tree.
func invariant(name, format string, args ...any) *InvariantError {
	return &InvariantError{Name: name, Msg: fmt.Sprintf(format, args...)}
}

// ErrNotInitialised matches every *NotInitialisedError with errors.Is.
var ErrNotInitialised = errors.New("work used before Init")

// NotInitialisedError is the panic value of a work used before its Init:
// every entry point (CrankWork, StartWork, Shutdown, WakeUp, Status, adding
// it as a child, scheduling it) checks that Init ran, so that the misuse
// is named instead of surfacing as a nil dereference deep inside. Type is
// the work's type, or the embedded library type when the outer value is not
// at hand; Op is the call.
type NotInitialisedError struct {
	Type string
	Op   string
}

func (e *NotInitialisedError) Error() string {
	return fmt.Sprintf("basicwork: %s on a %s whose Init was not called: call Init(app, name, maxRetries, self) before using the work", e.Op, e.Type)
}

// Is makes errors.Is(err, ErrNotInitialised) true.
func (e *NotInitialisedError) Is(target error) bool { return target == ErrNotInitialised }

// checkInitOf panics with a *NotInitialisedError naming w's type and op if
// w's Init has not been called. The packages that take works from their
// callers call it (through package tree) where they first use one.
func checkInitOf(w Work, op string) {
	if w.basicWork().self == nil {
		panic(&NotInitialisedError{Type: fmt.Sprintf("%T", w), Op: op})
	}
}

// checkInit panics if Init has not been called; the outer type is not
// known here, so the error names BasicWork.
func (b *BasicWork) checkInit(op string) {
	if b.self == nil {
		panic(&NotInitialisedError{Type: "basicwork.BasicWork (embedded)", Op: op})
	}
}
