package basicwork

import "fmt"

// State is the public state of a work: what OnRun returns and what State
// reports. The order of the values is the C++ order.
type State int

const (
	// Running: the work wants more cranks. Pending and Aborting works read
	// as Running too (see InternalState.Public).
	Running State = iota
	// Waiting: the work must not be cranked until something wakes it up.
	Waiting
	// Aborted is terminal: the work was shut down.
	Aborted
	// Success is terminal.
	Success
	// Failure is terminal, once no retries are left.
	Failure
)

var stateNames = [...]string{"WORK_RUNNING", "WORK_WAITING", "WORK_ABORTED", "WORK_SUCCESS", "WORK_FAILURE"}

// String returns the C++ name of the state, such as "WORK_RUNNING".
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// IsDone reports whether s is terminal: Success, Failure or Aborted.
func (s State) IsDone() bool { return s == Success || s == Failure || s == Aborted }

// InternalState is the state a work's machine is really in. It adds Pending,
// Retrying and Aborting to the public states.
type InternalState int32

const (
	// InternalPending: created (or reset after finishing) and not started.
	InternalPending InternalState = iota
	// InternalRunning: started and ready to be cranked.
	InternalRunning
	// InternalWaiting: not to be cranked until woken up (also while a retry
	// is scheduled).
	InternalWaiting
	// InternalAborting: shut down, being cranked until OnAbort says done.
	InternalAborting
	// InternalAborted: terminal, shut down.
	InternalAborted
	// InternalRetrying: OnRun failed and a retry is left; it lasts only
	// until the retry timer is set, then the work is Waiting.
	InternalRetrying
	// InternalSuccess: terminal.
	InternalSuccess
	// InternalFailure: terminal, no retry left.
	InternalFailure
)

var internalNames = [...]string{
	"WORK_PENDING", "WORK_RUNNING", "WORK_WAITING", "WORK_ABORTING",
	"WORK_ABORTED", "WORK_RETRYING", "WORK_SUCCESS", "WORK_FAILURE",
}

// NumInternalStates is the number of internal states.
const NumInternalStates = len(internalNames)

// String returns the C++ name of the state, such as "WORK_PENDING".
func (s InternalState) String() string {
	if s >= 0 && int(s) < len(internalNames) {
		return internalNames[s]
	}
	return fmt.Sprintf("InternalState(%d)", int(s))
}

// Public maps an internal state to what State reports: Pending, Running and
// Aborting read as Running; Waiting and Retrying read as Waiting.
func (s InternalState) Public() State {
	if s < 0 || int(s) >= NumInternalStates {
		panic(fmt.Sprintf("basicwork: unknown internal state %d", int(s)))
	}
	return publicOf[s]
}

// publicOf is Public as a table: State asks it several times per crank, and
// a lookup is a few instructions where the switch it replaces was a dozen
// or more (issue 15, workload c).
var publicOf = [NumInternalStates]State{
	InternalPending:  Running,
	InternalRunning:  Running,
	InternalWaiting:  Waiting,
	InternalAborting: Running,
	InternalAborted:  Aborted,
	InternalRetrying: Waiting,
	InternalSuccess:  Success,
	InternalFailure:  Failure,
}

// IsDone reports whether s is terminal.
func (s InternalState) IsDone() bool {
	return uint(s) < 32 && 1<<uint(s)&doneStates != 0
}

// doneStates is the set of terminal states, one bit per state: IsDone is
// asked several times per crank, and a mask is a test where the three
// comparisons were a chain of branches.
const doneStates = 1<<InternalSuccess | 1<<InternalFailure | 1<<InternalAborted

// internalOf maps what OnRun returned to the state the machine moves to.
// It is a table lookup, small enough to be inlined into CrankWork.
func internalOf(s State) InternalState {
	if uint(s) < uint(len(internalFrom)) {
		return internalFrom[s]
	}
	panic(unknownState(s))
}

// internalFrom is internalOf's table, indexed by State.
var internalFrom = [...]InternalState{
	Running: InternalRunning,
	Waiting: InternalWaiting,
	Aborted: InternalAborted,
	Success: InternalSuccess,
	Failure: InternalFailure,
}

// unknownState is the panic value (not inlined, so that internalOf is) of OnRun returning s, not a State.
//
//go:noinline
func unknownState(s State) error {
	return &InvariantError{Msg: fmt.Sprintf("basicwork: OnRun returned an unknown state %d", int(s))}
}

// Transition is one edge of the state machine.
type Transition struct {
	From, To InternalState
}

// transitions lists the 16 legal edges, in the C++ order.
var transitions = [...]Transition{
	{InternalPending, InternalRunning},
	{InternalPending, InternalAborting},
	{InternalRunning, InternalRunning},
	{InternalRunning, InternalWaiting},
	{InternalRunning, InternalSuccess},
	{InternalRunning, InternalFailure},
	{InternalRunning, InternalRetrying},
	{InternalRunning, InternalAborting},
	{InternalWaiting, InternalRunning},
	{InternalWaiting, InternalAborting},
	{InternalRetrying, InternalWaiting},
	{InternalSuccess, InternalPending},
	{InternalFailure, InternalPending},
	{InternalAborting, InternalAborting},
	{InternalAborting, InternalAborted},
	{InternalAborted, InternalPending},
}

var allowed = func() (a [NumInternalStates][NumInternalStates]bool) {
	for _, t := range transitions {
		a[t.From][t.To] = true
	}
	return a
}()

// Transitions returns the legal transitions of the machine, 16 of them.
func Transitions() []Transition {
	out := make([]Transition, len(transitions))
	copy(out, transitions[:])
	return out
}

// IsAllowed reports whether the machine may move from from to to.
func IsAllowed(from, to InternalState) bool {
	if uint(from) >= uint(NumInternalStates) || uint(to) >= uint(NumInternalStates) {
		return false
	}
	return allowed[from][to]
}

// TransitionError is the panic value of an illegal transition. Its message is
// the C++ text.
type TransitionError struct {
	Transition
}

// Error returns "BasicWork error: illegal state transition FROM -> TO".
func (e *TransitionError) Error() string {
	return fmt.Sprintf("BasicWork error: illegal state transition %s -> %s", e.From, e.To)
}

// Is makes errors.Is(err, ErrIllegalTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrIllegalTransition }
