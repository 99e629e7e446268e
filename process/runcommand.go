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
//	func NewGunzip(pm *process.Manager, file string) *Gunzip {
//		w := &Gunzip{file: file}
//		w.Init(pm, "gunzip "+file, basicwork.RetryAFew, w)
//		return w
//	}
//
//	func (w *Gunzip) GetCommand() process.CommandInfo {
//		return process.CommandInfo{Command: "gzip -d " + w.file}
//	}
//
// Its first crank starts the command through the Manager and returns
// Waiting; the work is not cranked while the process runs, and is woken up
// (through the outer value's WakeUp) when the process exits. The next crank
// returns Success if it exited 0 and Failure otherwise, and a command that
// cannot be started fails at once. Failures are retried as for any work, each
// retry running the command again. While aborting, the work shuts the
// process down and its abort completes once the process has been reaped (see
// Manager for how that differs from the C++).
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
}

// Init sets the work up: the manager that runs its processes (whose
// application the work uses), its name, its retry budget (the C++ default
// is basicwork.RetryAFew) and self, the outer value that embeds this
// RunCommandWork. It must be called once, before any other method. It
// panics on a nil pm, and in the cases basicwork.BasicWork.Init panics.
//
// The C++ constructor takes the application and reaches the process
// manager through it; basicwork.Application has no process manager, so it
// is passed here instead.
func (w *RunCommandWork) Init(pm *Manager, name string, maxRetries int, self Commander) {
	if pm == nil {
		panic("process: RunCommandWork Init of " + name + " with a nil Manager")
	}
	w.pm = pm
	w.self = self
	w.BasicWork.Init(pm.App(), name, maxRetries, self)
}

// Manager returns the manager the work runs its processes with.
func (w *RunCommandWork) Manager() *Manager { return w.pm }

// OnRun starts the command on the first crank of a run and waits for it;
// once the process has exited it returns Success or Failure.
func (w *RunCommandWork) OnRun() basicwork.State {
	if w.done {
		if w.err != nil {
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
		return basicwork.Failure // could not start (the C++ expired event)
	}
	w.exit = ev
	wake := w.WakeSelfUpCallback(nil)
	ev.AsyncWait(func(err error) {
		// Only the process of the current run counts: after a reset, a late
		// exit of an earlier run's process is ignored.
		if w.exit != ev || w.IsDone() {
			return
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
	return w.pm.TryProcessShutdown(w.exit)
}

// OnReset forgets the run: its process and its result.
func (w *RunCommandWork) OnReset() {
	w.done = false
	w.err = nil
	w.exit = nil
}
