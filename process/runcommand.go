package process

import (
	"github.com/stellarwork/stellarwork/basicwork"
)

// CommandInfo is what a RunCommandWork runs: a command line (split by
// SplitCommandLine, no shell) and, if not empty, the file that receives its
// standard output.
type CommandInfo struct {
	Command string
	OutFile string
}

// Commander is the outer type of a RunCommandWork: a work that says which
// command to run.
type Commander interface {
	basicwork.Work
	// GetCommand returns the command to run. It is called once per run, on
	// the run's first crank. An empty Command makes the run succeed at once.
	GetCommand() CommandInfo
}

// RunCommandWork is a work that runs one command as a child process and
// succeeds if it exits 0: the port of stellar-core's RunCommandWork. An
// implementer embeds it, defines GetCommand, and calls Init with a pointer
// to its own outer value:
//
//	type Gunzip struct {
//		process.RunCommandWork
//		file string
//	}
//
//	func NewGunzip(app process.Application, file string) *Gunzip {
//		w := &Gunzip{file: file}
//		w.Init(app, "gunzip "+file, basicwork.RetryAFew, w)
//		return w
//	}
//
//	func (w *Gunzip) GetCommand() process.CommandInfo {
//		return process.CommandInfo{Command: "gzip -d " + w.file}
//	}
//
// Its first crank starts the command through the application's Manager
// (Application.ProcessManager) and returns
// Waiting; the work is not cranked while the process runs, and is woken up
// (through the outer value's WakeUp) when the process exits. The next crank
// returns Success if it exited 0 and Failure otherwise, and a command that
// cannot be started fails at once. Failures are retried as for any work, each
// retry running the command again. While aborting, the work shuts the
// process down and its abort completes once the process has been reaped (see
// Manager for how that differs from the C++).
//
// Pid and LastExit tell a test or a log which process runs and how the last
// one ended. A failed run's FailureCause (and so the *basicwork.WorkError of
// scheduler's ExecuteWork) is the command's result: an *ExitError with its
// exit status or signal, or an error wrapping ErrStart or ErrOutFile, or
// ErrShutdown when the manager is shut down.
//
// An outer type that defines its own OnRun, OnAbort or OnReset must call
// the RunCommandWork one.
type RunCommandWork struct {
	basicwork.BasicWork
	pm   *Manager
	self Commander
	done bool
	err  error
	exit *ExitEvent
	last *ExitEvent // the last event that completed, kept across resets
}

// Init sets the work up: the application (whose ProcessManager runs its
// processes), its name, its retry budget (the C++ default is
// basicwork.RetryAFew) and self, the outer value that embeds this
// RunCommandWork. It must be called once, before any other method. It
// panics on a nil app or an app whose ProcessManager is nil, and in the
// cases basicwork.BasicWork.Init panics. It ports the C++ constructor.
func (w *RunCommandWork) Init(app Application, name string, maxRetries int, self Commander) {
	if app == nil {
		panic("process: RunCommandWork Init of " + name + " with a nil Application")
	}
	pm := app.ProcessManager()
	if pm == nil {
		panic("process: RunCommandWork Init of " + name + " with an Application without a ProcessManager")
	}
	w.pm = pm
	w.self = self
	w.BasicWork.Init(app, name, maxRetries, self)
}

// Manager returns the manager the work runs its processes with: its
// application's ProcessManager.
func (w *RunCommandWork) Manager() *Manager { return w.pm }

// Pid returns the process id of the command of the current run from its
// start until its exit has been handled on the crank goroutine (which may
// be a little after the process was reaped), and 0 otherwise: before it
// starts, while it waits in the manager's queue, and once its exit is
// handled.
func (w *RunCommandWork) Pid() int {
	if w.exit == nil || w.exit.Done() {
		return 0
	}
	return w.exit.Pid()
}

// LastExit returns the event of the last command of this work that
// completed (exited, was shut down, or failed to start after waiting in the
// manager's queue), or nil if none has; a command that could not be started
// at once leaves no event. It survives a retry's reset, so that the cause
// of a failure can be read while the retry waits: Err gives the result
// (nil, an *ExitError with the exit status or signal, an error wrapping
// ErrStart or ErrOutFile, or ErrAborted), Pid the process id and
// ProcessState how it ended.
func (w *RunCommandWork) LastExit() *ExitEvent { return w.last }

// OnRun starts the command on the first crank of a run and waits for it;
// once the process has exited it returns Success or Failure.
func (w *RunCommandWork) OnRun() basicwork.State {
	if w.done {
		if w.err != nil {
			w.SetFailureCause(w.err)
			return basicwork.Failure
		}
		return basicwork.Success
	}
	info := w.self.GetCommand()
	if info.Command == "" {
		return basicwork.Success
	}
	ev, err := w.pm.RunProcess(info.Command, info.OutFile)
	if err != nil {
		w.SetFailureCause(err)
		return basicwork.Failure // could not start (the C++ expired event)
	}
	w.exit = ev
	wake := w.WakeSelfUpCallback(nil)
	ev.AsyncWait(func(err error) {
		// Only the process of the current run counts: after a reset, a late
		// exit of an earlier run's process is ignored.
		if w.exit != ev {
			return
		}
		w.last = ev
		if w.IsDone() {
			return // aborted meanwhile
		}
		w.err = err
		w.done = true
		wake()
	})
	return basicwork.Waiting
}

// OnAbort shuts the process down, if one is running, and reports whether it
// is gone.
func (w *RunCommandWork) OnAbort() bool {
	if w.exit == nil {
		return true
	}
	gone := w.pm.TryProcessShutdown(w.exit)
	if gone && w.exit.Done() {
		w.last = w.exit
	}
	return gone
}

// OnReset forgets the run: its process and its result.
func (w *RunCommandWork) OnReset() {
	w.done = false
	w.err = nil
	w.exit = nil
}
