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
// execute callback, <error>", both at ERROR level, and fail the work.
func (w *WorkWithCallback) OnRun() State {
	ok, err := w.callback(w.App())
	if err != nil {
		w.Logf(zapcore.ErrorLevel, "WorkWithCallback %s error: cannot execute callback, %s", w.Name(), err.Error())
		return Failure
	}
	if !ok {
		w.Logf(zapcore.ErrorLevel, "WorkWithCallback %s error: callback failed", w.Name())
		return Failure
	}
	return Success
}

// OnAbort completes at once.
func (w *WorkWithCallback) OnAbort() bool { return true }
