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
package basicwork
