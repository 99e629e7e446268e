// Package basicwork is the state machine of one work: the Go port of
// stellar-core's BasicWork, the base of every long-running, retryable,
// abortable task in its work framework.
//
// A work makes progress only when it is cranked. Each crank calls the
// implementer's OnRun (or OnAbort while it is shutting down), which returns
// the state it wants next. BasicWork turns that into one of the legal
// transitions between eight internal states, retries failures with
// exponential backoff on the application's clock, and tells whoever started
// it (its parent) when it wakes up. It never starts a goroutine, sleeps or
// reads the wall clock.
//
// The legal transitions:
//
//	PENDING  -> RUNNING, ABORTING
//	RUNNING  -> RUNNING, WAITING, SUCCESS, FAILURE, RETRYING, ABORTING
//	WAITING  -> RUNNING, ABORTING
//	RETRYING -> WAITING
//	SUCCESS, FAILURE, ABORTED -> PENDING
//	ABORTING -> ABORTING, ABORTED
//
// Any other transition panics with a *TransitionError whose message is the
// C++ text, "BasicWork error: illegal state transition FROM -> TO".
//
// # State diagram
//
// The same table as a Mermaid state diagram, each edge labelled with what
// triggers it (TransitionsMermaid returns it, TransitionsDOT returns it for
// Graphviz; docs/STATES.md draws it):
//
//	stateDiagram-v2
//	    [*] --> WORK_PENDING: Init
//	    WORK_PENDING --> WORK_RUNNING: StartWork
//	    WORK_PENDING --> WORK_ABORTING: Shutdown
//	    WORK_RUNNING --> WORK_RUNNING: OnRun returns Running
//	    WORK_RUNNING --> WORK_WAITING: OnRun returns Waiting
//	    WORK_RUNNING --> WORK_SUCCESS: OnRun returns Success
//	    WORK_RUNNING --> WORK_FAILURE: OnRun returns Failure, no retry left
//	    WORK_RUNNING --> WORK_RETRYING: OnRun returns Failure, a retry left
//	    WORK_RUNNING --> WORK_ABORTING: Shutdown
//	    WORK_WAITING --> WORK_RUNNING: WakeUp
//	    WORK_WAITING --> WORK_ABORTING: Shutdown
//	    WORK_RETRYING --> WORK_WAITING: retry timer armed
//	    WORK_SUCCESS --> WORK_PENDING: StartWork again
//	    WORK_FAILURE --> WORK_PENDING: StartWork again
//	    WORK_ABORTING --> WORK_ABORTING: OnAbort returns false
//	    WORK_ABORTING --> WORK_ABORTED: OnAbort returns true
//	    WORK_ABORTED --> WORK_PENDING: StartWork again
//
// SUCCESS, FAILURE and ABORTED are the terminal states (IsDone): a work
// leaves them only when it is started again, by a parent's retry or
// restart. RETRYING lasts only until the retry timer is armed; while the
// work waits for its retry it is WAITING and its Status reads
// "Retrying in N sec: name".
//
// # Observing works
//
// A TransitionListener (scheduler.WithTransitionListener) sees every change
// of internal state of every work, with the virtual time of the change.
// Since, Attempt, Retries and MaxRetries describe where a work is now, and
// package workview turns a whole tree into counts and a status view.
//
// # Panics in hooks
//
// A hook that panics (OnRun, OnAbort, a callback) does not end the process,
// as a C++ exception there would: the panic goes up through vclock's Crank
// to its caller, the tree left as it was (a move to a done or retrying
// state, or a Shutdown, that a hook's panic interrupts is completed first).
// A caller that recovers the panic can crank on.
package basicwork
