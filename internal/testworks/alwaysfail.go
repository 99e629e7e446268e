package testworks

import (
	"fmt"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
)

// AlwaysFailWork fails every attempt. Each OnRun writes the note
// "attempt <k> of <name> at t=<ms>" through OnNote (k counts from 1 across
// retries, ms is virtual time) and returns Failure, without sleeping or
// logging. It counts its retries and final failures, and aborts at once.
type AlwaysFailWork struct {
	basicwork.BasicWork
	// Attempts counts the runs of OnRun, across retries.
	Attempts int
	// AttemptTimes holds the virtual time of each run of OnRun, in order.
	AttemptTimes []time.Duration
	// RetryCount counts OnFailureRetry.
	RetryCount int
	// FailureCount counts OnFailureRaise.
	FailureCount int
	// AbortCount counts OnAbort.
	AbortCount int
	// OnNote, if set, receives the notes the work writes.
	OnNote func(text string)
}

// NewAlwaysFailWork returns an AlwaysFailWork retried up to retries times.
func NewAlwaysFailWork(app basicwork.Application, name string, retries int) *AlwaysFailWork {
	w := &AlwaysFailWork{}
	w.Init(app, name, retries, w)
	return w
}

// OnRun writes its note and fails.
func (w *AlwaysFailWork) OnRun() basicwork.State {
	w.Attempts++
	w.AttemptTimes = append(w.AttemptTimes, w.App().Clock().Elapsed())
	if w.OnNote != nil {
		w.OnNote(fmt.Sprintf("attempt %d of %s at t=%d", w.Attempts, w.Name(), w.App().Clock().Elapsed().Milliseconds()))
	}
	return basicwork.Failure
}

// AttemptTime returns the virtual time of attempt k (counting from 1) in
// whole milliseconds, or -1 if there was no such attempt.
func (w *AlwaysFailWork) AttemptTime(k int) int {
	if k < 1 || k > len(w.AttemptTimes) {
		return -1
	}
	return int(w.AttemptTimes[k-1].Milliseconds())
}

// OnAbort completes at once.
func (w *AlwaysFailWork) OnAbort() bool {
	w.AbortCount++
	return true
}

// OnFailureRetry counts.
func (w *AlwaysFailWork) OnFailureRetry() { w.RetryCount++ }

// OnFailureRaise counts.
func (w *AlwaysFailWork) OnFailureRaise() { w.FailureCount++ }
