package basicwork

import (
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/vclock"
)

// Application is what every work is handed: the Go counterpart of the C++
// Application& as the work code uses it. Package scheduler has the concrete
// one that programs build.
type Application interface {
	// Clock is the clock that cranks the works and arms their timers. A
	// work reads it once, at Init, as it does the Logger.
	Clock() *vclock.Clock
	// PostOnMainThread queues f to run on the crank goroutine; safe from any
	// goroutine.
	PostOnMainThread(f func(), name string, typ vclock.ActionType)
	// Config holds the settings works read.
	Config() *Config
	// Logger is the logger of the Work category. Levels are zap's, plus
	// TraceLevel. A work reads it once, at Init: it must not be swapped
	// for another afterwards (its level may still change, through an
	// atomic level).
	Logger() *zap.Logger
	// Rand is the random source of retry jitter.
	Rand() Rand
	// TransitionListener returns the function to call on every state
	// change of every work, or nil.
	TransitionListener() TransitionListener
}

// TransitionListener is called on the crank goroutine for every change of
// internal state of every work of an application (RETRYING and ABORTING
// included), after the change. It must not crank the clock.
type TransitionListener func(TransitionEvent)

// TransitionEvent describes one state change.
type TransitionEvent struct {
	// Work is the work that changed state (its outer value).
	Work Work
	// From and To are the internal states before and after.
	From, To InternalState
	// Retries is how many retries the work has used, MaxRetries its budget.
	Retries, MaxRetries int
	// At is the clock time of the change, as an offset from the clock's
	// epoch (virtual time in VirtualTime mode).
	At time.Duration
}

// Name returns the work's name.
func (e TransitionEvent) Name() string { return e.Work.Name() }

// Attempt returns the attempt the work is on: 1 on the first run, one more
// after each retry.
func (e TransitionEvent) Attempt() int { return e.Retries + 1 }

// Path returns the work's place in its tree, "root/.../name", as it is
// when Path is called: it walks the parents then, it does not keep the path
// of the moment of the event. A work a parent has dropped (a child done
// and released, say) has no parent any more, and its Path is its Name. To
// keep the path of the moment, call Path inside the listener.
func (e TransitionEvent) Path() string { return PathOf(e.Work) }

// Config holds the application settings that works read.
type Config struct {
	// MaxConcurrentSubprocesses bounds a BatchWork's batch and the process
	// manager. The C++ default is 16.
	MaxConcurrentSubprocesses int
}

// DefaultMaxConcurrentSubprocesses is the default of
// Config.MaxConcurrentSubprocesses.
const DefaultMaxConcurrentSubprocesses = 16

// DefaultConfig returns a Config with stellar-core's defaults.
func DefaultConfig() Config {
	return Config{MaxConcurrentSubprocesses: DefaultMaxConcurrentSubprocesses}
}

// TraceLevel is the zap level of stellar-core's TRACE log lines, one below
// zap's Debug. zap has no trace level of its own; a logger at DebugLevel drops
// these lines, and one whose level is TraceLevel keeps them.
const TraceLevel = zapcore.DebugLevel - 1

// LevelName returns the stellar-core name of a zap level: TRACE, DEBUG,
// INFO, WARNING (zap's WARN), ERROR; and zap's own name for the others.
func LevelName(l zapcore.Level) string {
	switch l {
	case TraceLevel:
		return "TRACE"
	case zapcore.DebugLevel:
		return "DEBUG"
	case zapcore.InfoLevel:
		return "INFO"
	case zapcore.WarnLevel:
		return "WARNING"
	case zapcore.ErrorLevel:
		return "ERROR"
	}
	return l.CapitalString()
}
