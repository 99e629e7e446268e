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

// Invariant returns an *InvariantError about the work named name, with a
// formatted message. Packages that extend the framework panic with it where
// the C++ asserts.
func Invariant(name, format string, args ...any) *InvariantError {
	return &InvariantError{Name: name, Msg: fmt.Sprintf(format, args...)}
}
