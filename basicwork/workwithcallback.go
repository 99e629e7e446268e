package basicwork

import (
	"errors"

	"go.uber.org/zap/zapcore"
)

// Callback is the function a WorkWithCallback runs. It returns true for
// success and false for failure; a non-nil error is a failure too, the Go
// counterpart of the C++ callback throwing a runtime_error.
type Callback func(app Application) (bool, error)

// ErrNilCallback rejects a WorkWithCallback without a callback; its text is
// the C++ text.
var ErrNilCallback = errors.New("Must provide a valid function. Use BasicWork if a callback is not needed.")

// ErrCallbackFailed is the failure cause (FailureCause) of a
// WorkWithCallback whose callback returned false without an error. It has
// no C++ counterpart, where the only trace of it is the log line.
var ErrCallbackFailed = errors.New("callback failed")

// WorkWithCallback runs a callback once, and succeeds or fails with it. It
// is never retried and aborts at once. It is the port of stellar-core's
// WorkWithCallback.
type WorkWithCallback struct {
	BasicWork
	callback Callback
}

// NewWorkWithCallback returns a WorkWithCallback, or ErrNilCallback.
func NewWorkWithCallback(app Application, name string, cb Callback) (*WorkWithCallback, error) {
	if cb == nil {
		return nil, ErrNilCallback
	}
	w := &WorkWithCallback{callback: cb}
	w.Init(app, name, RetryNever, w)
	return w, nil
}

// OnRun runs the callback. False logs "WorkWithCallback <name> error:
// callback failed" and an error logs "WorkWithCallback <name> error: cannot
// execute callback, <error>", both at ERROR level, and fail the work. The
// callback's error becomes the work's FailureCause (ErrCallbackFailed for a
// false without an error), and so the Cause of the *WorkError that
// scheduler's ExecuteWork returns.
func (w *WorkWithCallback) OnRun() State {
	ok, err := w.callback(w.App())
	if err != nil {
		w.Logf(zapcore.ErrorLevel, "WorkWithCallback %s error: cannot execute callback, %s", w.Name(), err.Error())
		w.SetFailureCause(err)
		return Failure
	}
	if !ok {
		w.Logf(zapcore.ErrorLevel, "WorkWithCallback %s error: callback failed", w.Name())
		w.SetFailureCause(ErrCallbackFailed)
		return Failure
	}
	return Success
}

// OnAbort completes at once.
func (w *WorkWithCallback) OnAbort() bool { return true }
