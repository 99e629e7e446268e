package process

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/vclock"
)

// DefaultKillGrace is how long, in real time, an aborted process has between
// SIGTERM and SIGKILL unless WithKillGrace says otherwise.
const DefaultKillGrace = 2 * time.Second

// ActionName is the action-scheduler queue name under which the manager
// posts process exits and exit handlers to the crank goroutine.
const ActionName = "ProcessManager"

var (
	// ErrAborted is the result of a process that was shut down, or of a
	// queued one that was cancelled before it started. It is
	// vclock.ErrOperationAborted, as the C++ delivers asio's
	// operation_aborted in both cases.
	ErrAborted = vclock.ErrOperationAborted
	// ErrStart wraps the error of a process that could not be started (the
	// C++ io_error). The cause is wrapped too.
	ErrStart = errors.New("process: could not start")
	// ErrOutFile is the result of a process that exited 0 but whose output
	// file could not be put in place (the C++ try_again).
	ErrOutFile = errors.New("process: output file not written")
	// ErrShutdown is returned by RunProcess once the manager is shut down.
	ErrShutdown = errors.New("process: manager is shut down")
)

// ExitError is the result of a process that exited with a non-zero status
// or was killed by a signal.
type ExitError struct {
	// Pid is the process id.
	Pid int
	// Code is the exit status, or 1 when a signal ended the process, as the
	// C++ collapses every such end into "exit 1".
	Code int
	// Signal is the signal that ended the process, or 0.
	Signal syscall.Signal
	// CmdLine is the command line the process ran.
	CmdLine string
}

// Error describes the exit and names the command, as the C++ log line
// "process PID exited CODE: CMDLINE" does: for example
// "process 42 exited 1: cp /archive/a /download/a".
func (e *ExitError) Error() string {
	var s string
	if e.Signal != 0 {
		s = fmt.Sprintf("process %d killed by signal %d (%v)", e.Pid, int(e.Signal), e.Signal)
	} else {
		s = fmt.Sprintf("process %d exited %d", e.Pid, e.Code)
	}
	if e.CmdLine != "" {
		s += ": " + e.CmdLine
	}
	return s
}

// spawnError is the error of a failed start; its text is the C++ exception
// text, and it unwraps to the Go cause.
type spawnError struct{ cause error }

func (e *spawnError) Error() string { return "posix_spawn() failed" }
func (e *spawnError) Unwrap() error { return e.cause }

// startError is the result of a command that could not be started: it
// wraps ErrStart and err, and its text also gives the Go cause behind the
// C++ exception text (such as `exec: "x": executable file not found in
// $PATH`) and the command line, so that the message says what went wrong.
func startError(err error, cmdLine string) error {
	var se *spawnError
	if errors.As(err, &se) && se.cause != nil {
		return fmt.Errorf("%w: %w: %v (running %q)", ErrStart, err, se.cause, cmdLine)
	}
	return fmt.Errorf("%w: %w (running %q)", ErrStart, err, cmdLine)
}

// lifecycle is where an ExitEvent's process is, as the C++
// ProcessLifecycle. The C++ TRIED_POLITE_SHUTDOWN and TRIED_FORCED_SHUTDOWN
// are one state here; the event's forced flag tells them apart.
type lifecycle int

const (
	lifePending lifecycle = iota
	lifeRunning
	lifeShuttingDown
	lifeTerminated
)

// ExitEvent is one command given to RunProcess: queued, then running, then
// terminated. It is the Go ProcessExitEvent. Its methods belong to the crank
// goroutine.
type ExitEvent struct {
	m        *Manager
	cmdLine  string
	outFile  string
	seq      uint64 // names the temporary output file
	tempFile string

	life      lifecycle
	forced    bool // SIGKILL sent
	aborted   bool // shut down: the result is ErrAborted
	child     *child
	pid       int
	state     *os.ProcessState
	killTimer *time.Timer
	killAt    time.Time // when SIGKILL follows SIGTERM

	done     bool
	err      error
	handlers []func(error)
}

// CmdLine returns the command line the event runs.
func (e *ExitEvent) CmdLine() string { return e.cmdLine }

// Pid returns the process id, or 0 before the process has started.
func (e *ExitEvent) Pid() int { return e.pid }

// Done reports whether the event has its result: the process was reaped, or
// it could not start, or it was cancelled while queued.
func (e *ExitEvent) Done() bool { return e.done }

// Err returns the result once Done: nil when the process exited 0 (and its
// output file, if any, was put in place), an *ExitError, or an error that
// wraps ErrStart, ErrOutFile or is ErrAborted.
func (e *ExitEvent) Err() error { return e.err }

// ProcessState returns how the process ended, once it has been reaped; nil
// before, and for a process that never started.
func (e *ExitEvent) ProcessState() *os.ProcessState { return e.state }

// AsyncWait registers handler to be called with the result (see Err) once
// the event is done. The call is always posted to the crank goroutine, never
// made from inside AsyncWait, also when the event is already done.
func (e *ExitEvent) AsyncWait(handler func(error)) {
	if handler == nil {
		panic("process: AsyncWait with a nil handler")
	}
	e.handlers = append(e.handlers, handler)
	if e.done {
		e.postHandlers()
	}
}

// complete records the result and posts the handlers.
func (e *ExitEvent) complete(err error) {
	if e.done {
		panic(fmt.Sprintf("process: event of %q completed twice", e.cmdLine))
	}
	e.life = lifeTerminated
	e.done = true
	e.err = err
	e.postHandlers()
}

func (e *ExitEvent) postHandlers() {
	hs := e.handlers
	e.handlers = nil
	if len(hs) == 0 {
		return
	}
	err := e.err
	e.m.app.PostOnMainThread(func() {
		for _, h := range hs {
			h(err)
		}
	}, ActionName, vclock.NormalAction)
}

// child is the part of a running process that its watcher goroutine
// shares with the crank goroutine.
type child struct {
	cmd *exec.Cmd
	pid int

	mu        sync.Mutex
	gone      bool // reaped: its pid may be reused, send nothing more
	killGroup bool // aborted: SIGKILL what is left of the group before reaping

	reaped   chan struct{} // closed once reaped, ProcessState set
	finished chan struct{} // closed when the watcher goroutine is done
}

// signalGroup sends sig to the child's process group, unless it has been
// reaped already (then it does nothing and returns nil).
func (c *child) signalGroup(sig syscall.Signal, abort bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if abort {
		c.killGroup = true
	}
	if c.gone {
		return nil
	}
	return syscall.Kill(-c.pid, sig)
}

// Option configures a Manager.
type Option func(*Manager)

// WithKillGrace sets how long, in real time, an aborted process has to exit
// after SIGTERM before its process group gets SIGKILL. The default is
// DefaultKillGrace.
func WithKillGrace(d time.Duration) Option { return func(m *Manager) { m.grace = d } }

// WithTmpDir sets the directory in which the manager creates its own
// temporary directory for output files (one "process-*" directory, created
// on first use, with dir itself if need be, removed by Shutdown), as the C++
// manager takes its TmpDir from the application's TMP_DIR_PATH. Output files are renamed from there;
// an output file on another file system is copied next to its destination
// and renamed there instead. The default is os.TempDir(); NewApp passes the
// application's TmpDir.
func WithTmpDir(dir string) Option { return func(m *Manager) { m.tmpRoot = dir } }

// WithHoldVirtualTime makes processes take no virtual time, and makes a
// run with them repeat, on a VirtualTime clock: a deliberate difference
// from the C++, whose idle virtual clock jumps to its next timer whatever
// processes run, and so it is off by default. A program that simulates
// durations with virtual timers next to real processes (cmd/workdemo)
// turns it on, so that its simulated clock does not race ahead of them and
// the same inputs give the same run.
//
// Every running process then holds a background work on the clock
// (vclock's NewBackgroundWork), so that the clock does not jump while it
// runs; and exits are handled in the order the processes started, each
// once nothing else is queued on the clock, so that the works see them in
// the same order, at the same point of the run, whichever process the
// system happened to finish first. (A process shut down is handled at
// once, as without the option.) On a RealTime clock the option does
// nothing.
//
// The cost: an exit waits for a moment when nothing is queued on the clock.
// A work that keeps reading Running (cranked again and again, never
// waiting) holds back every exit until it waits or ends; one that spins
// until a process is done would spin for ever. Works that wait for
// something do so in WAITING, on a timer or a wake-up, as the C++ ones do.
func WithHoldVirtualTime() Option { return func(m *Manager) { m.hold = true } }

// WithStdout sets the standard output of processes run without an output
// file. The default is os.Stdout, which they inherit, as in C++.
func WithStdout(f *os.File) Option { return func(m *Manager) { m.stdout = f } }

// WithStderr sets the standard error of every process. The default is
// os.Stderr, which they inherit, as in C++.
func WithStderr(f *os.File) Option { return func(m *Manager) { m.stderr = f } }

// WithLogger sets the logger of the Process category. The default is the
// application's logger named "Process".
func WithLogger(l *zap.Logger) Option { return func(m *Manager) { m.logger = l } }

// Manager runs commands as child processes and tells works when they exit:
// the Go ProcessManager. At most Config().MaxConcurrentSubprocesses of its
// processes are alive at once (running or being shut down); further commands
// wait in a first-in, first-out queue.
//
// Every method belongs to the crank goroutine. Each process has a watcher
// goroutine that waits for it, reaps it and posts its exit back with the
// application's PostOnMainThread; the manager's state changes only on the
// crank goroutine. Two crank-goroutine callers may take an exit before its
// post arrives, which then does nothing: TryProcessShutdown, polled by an
// aborting work, and Shutdown, which blocks until every watcher is done.
// As in the C++, a running process does not hold a VirtualTime clock: an
// idle crank jumps to the next timer while processes run, so a virtual
// timeout can fire on a process that hangs (WithHoldVirtualTime changes
// that).
//
// Deliberate differences from the C++:
//
//   - Each process runs in a process group of its own (Setpgid). Shutting a
//     process down (TryProcessShutdown, Shutdown) sends SIGTERM to the whole
//     group, then SIGKILL to the group after the kill grace (WithKillGrace,
//     real time) if the process has not exited. Once the process has exited,
//     whatever is left of an aborted process's group gets SIGKILL. The C++
//     sends one SIGTERM to the pid alone and only escalates if asked again.
//   - A shutdown is complete only once the process has been reaped: the
//     event's handlers get ErrAborted then, not when SIGTERM is sent, and
//     TryProcessShutdown returns false until then. The C++ fires the handlers
//     with operation_aborted at once and counts the abort done.
//   - Shutdown returns only once every process has been reaped, escalating
//     to SIGKILL after the grace; the C++ destructor tries three times, 10 ms
//     apart, and gives up.
//   - A process group is signalled only while its leader is unreaped (on
//     Linux the watcher uses waitid with WNOWAIT), so a signal can never
//     reach a process that reused the pid. Elsewhere that guarantee is lost.
//   - Processes get /dev/null as standard input instead of inheriting it: a
//     process outside the terminal's foreground group must not read it.
//   - RunProcess after Shutdown returns ErrShutdown; the C++ queues the
//     command forever.
type Manager struct {
	app    basicwork.Application
	clock  *vclock.Clock
	logger *zap.Logger
	max    int
	grace  time.Duration
	stdout *os.File
	stderr *os.File
	hold   bool // running processes hold virtual time (VirtualTime only)

	// With hold: the started processes not yet handled, in start order,
	// and whether a delivery of the first one's exit is posted.
	held       []*ExitEvent
	delivering bool

	tmpRoot string
	tmpDir  string // created on first use
	tmpSeq  uint64

	isShutdown bool
	pending    []*ExitEvent       // not started yet, first in first out
	procs      map[int]*ExitEvent // started and not reaped, by pid
	maxSeen    int                // the most procs ever held at once
	started    int                // processes started, ever
}

// New returns a manager for app, with app.Config().MaxConcurrentSubprocesses
// as its limit. It panics if that limit is below 1.
func New(app basicwork.Application, opts ...Option) *Manager {
	if app == nil {
		panic("process: New with a nil Application")
	}
	m := &Manager{
		app:     app,
		clock:   app.Clock(),
		max:     app.Config().MaxConcurrentSubprocesses,
		grace:   DefaultKillGrace,
		stdout:  os.Stdout,
		stderr:  os.Stderr,
		tmpRoot: os.TempDir(),
		procs:   make(map[int]*ExitEvent),
	}
	for _, o := range opts {
		o(m)
	}
	if m.max < 1 {
		panic(fmt.Sprintf("process: MaxConcurrentSubprocesses must be at least 1, not %d", m.max))
	}
	if m.logger == nil {
		m.logger = app.Logger().Named("Process")
	}
	return m
}

// App returns the application the manager was built with.
func (m *Manager) App() basicwork.Application { return m.app }

// RunProcess queues cmdLine to run, split into arguments by
// SplitCommandLine, and starts queued commands while the limit allows. If
// outFile is not empty, the process's standard output goes to a temporary
// file that is renamed to outFile once the process has exited; outFile
// must not exist, neither when the process starts nor when it exits.
//
// It returns the event to wait on. When the command was started at once and
// failed to start, it returns nil and the error (wrapping ErrStart), as the
// C++ returns an expired pointer; a queued command that fails to start later
// delivers the error through its event. After Shutdown it returns
// ErrShutdown.
func (m *Manager) RunProcess(cmdLine, outFile string) (*ExitEvent, error) {
	if m.isShutdown {
		return nil, ErrShutdown
	}
	ev := &ExitEvent{m: m, cmdLine: cmdLine, outFile: outFile, seq: m.tmpSeq}
	m.tmpSeq++
	m.pending = append(m.pending, ev)
	m.maybeRunPending()
	if ev.done && ev.err != nil {
		return nil, ev.err
	}
	return ev, nil
}

// NumRunningProcesses returns how many processes have started and not been
// reaped, leaving out those being shut down.
func (m *Manager) NumRunningProcesses() int {
	n := 0
	for _, ev := range m.procs {
		if ev.life == lifeRunning {
			n++
		}
	}
	return n
}

// NumRunningOrShuttingDownProcesses returns how many processes have started
// and not been reaped, including those being shut down. The limit applies
// to this number.
func (m *Manager) NumRunningOrShuttingDownProcesses() int { return len(m.procs) }

// ProcessesStarted returns how many processes the manager has started since
// it was made (those that failed to start are not counted).
func (m *Manager) ProcessesStarted() int { return m.started }

// NumPendingProcesses returns how many commands wait for a free slot.
func (m *Manager) NumPendingProcesses() int { return len(m.pending) }

// IsShutdown reports whether Shutdown has been called.
func (m *Manager) IsShutdown() bool { return m.isShutdown }

// TryProcessShutdown shuts down the process of ev and reports whether it is
// gone. A queued command is cancelled at once: its handlers get ErrAborted
// and the result is true. The first call on a running process sends SIGTERM
// to its process group and arms the SIGKILL that follows after the kill
// grace. Until the process has been reaped, this and later calls return
// false (and send that SIGKILL if the grace has passed); the first call
// after the reap handles the exit at once, without waiting for the
// watcher's post, and returns true, as does any call on a done event. Call
// it again on later cranks, as a work's OnAbort does. It panics on a nil
// ev.
func (m *Manager) TryProcessShutdown(ev *ExitEvent) bool {
	if ev == nil {
		m.logf(zapcore.ErrorLevel, "Process shutdown: must provide valid ProcessExitEvent pointer")
		panic("Invalid ProcessExitEvent")
	}
	switch ev.life {
	case lifePending:
		i := slices.Index(m.pending, ev)
		if i < 0 {
			m.logf(zapcore.WarnLevel, "Pending process not found in queue: %s", ev.cmdLine)
			return true // nothing of ours to wait for
		}
		m.logf(zapcore.DebugLevel, "Cancelling pending: %s", ev.cmdLine)
		m.pending = slices.Delete(m.pending, i, i+1)
		ev.complete(ErrAborted)
		return true
	case lifeTerminated:
		return true
	case lifeShuttingDown:
		return m.pollShutdown(ev)
	}
	if m.procs[ev.pid] != ev {
		m.logf(zapcore.WarnLevel, "Attempt to shut down unknown process: %s", ev.cmdLine)
		return true
	}
	m.logf(zapcore.DebugLevel, "Shutting down (polite): %s", ev.cmdLine)
	m.politeShutdown(ev)
	return m.pollShutdown(ev)
}

// pollShutdown is a later look at a process being shut down: if it has been
// reaped, its exit is handled now, without waiting for the watcher's post
// (a work's OnAbort is cranked in a loop that may hold the crank goroutine
// for a whole time slice); if the grace has passed, SIGKILL goes out now.
// It reports whether the process is gone.
func (m *Manager) pollShutdown(ev *ExitEvent) bool {
	select {
	case <-ev.child.reaped:
		m.handleTermination(ev)
		return true
	default:
	}
	if !time.Now().Before(ev.killAt) {
		m.forcedShutdown(ev)
	}
	return false
}

// Shutdown cancels every queued command, shuts every process down as
// TryProcessShutdown does, and blocks until all of them have been reaped
// (SIGKILL follows SIGTERM after the kill grace). Their handlers are posted
// with ErrAborted. It then removes the manager's temporary directory.
// Calling it again does nothing.
func (m *Manager) Shutdown() {
	if m.isShutdown {
		return
	}
	m.isShutdown = true
	pending := m.pending
	m.pending = nil
	for _, ev := range pending {
		ev.complete(ErrAborted)
	}

	evs := m.sortedProcs()
	for _, ev := range evs {
		if ev.life == lifeRunning {
			m.logf(zapcore.DebugLevel, "Shutting down (polite): %s", ev.cmdLine)
			m.politeShutdown(ev)
		}
	}
	// The grace timers of politeShutdown post their SIGKILL to the crank
	// goroutine, which is blocked here: escalate from here instead.
	grace := time.NewTimer(m.grace)
	defer grace.Stop()
	expired := false
	for _, ev := range evs {
		if expired {
			break
		}
		select {
		case <-ev.child.finished:
		case <-grace.C:
			expired = true
		}
	}
	if expired {
		for _, ev := range evs {
			select {
			case <-ev.child.finished:
			default:
				m.forcedShutdown(ev)
			}
		}
	}
	for _, ev := range evs {
		<-ev.child.finished
		m.handleTermination(ev)
	}
	if m.tmpDir != "" {
		if err := os.RemoveAll(m.tmpDir); err != nil {
			m.logf(zapcore.WarnLevel, "removing %s failed: %v", m.tmpDir, err)
		}
		m.tmpDir = ""
	}
}

func (m *Manager) sortedProcs() []*ExitEvent {
	pids := slices.Sorted(maps.Keys(m.procs))
	evs := make([]*ExitEvent, len(pids))
	for i, pid := range pids {
		evs[i] = m.procs[pid]
	}
	return evs
}

// maybeRunPending starts queued commands, first in first out,
// while fewer than the limit are alive.
func (m *Manager) maybeRunPending() {
	for !m.isShutdown && len(m.pending) > 0 && len(m.procs) < m.max {
		ev := m.pending[0]
		m.pending[0] = nil
		m.pending = m.pending[1:]
		m.logf(zapcore.DebugLevel, "Running: %s", ev.cmdLine)
		if err := m.start(ev); err != nil {
			m.logf(zapcore.ErrorLevel, "Error starting process: %s", err.Error())
			m.logf(zapcore.ErrorLevel, "When running: %s", ev.cmdLine)
			ev.complete(startError(err, ev.cmdLine))
			continue
		}
		m.procs[ev.pid] = ev
		m.maxSeen = max(m.maxSeen, len(m.procs))
	}
}

// start starts the process of ev and its watcher goroutine.
func (m *Manager) start(ev *ExitEvent) error {
	if ev.outFile != "" && exists(ev.outFile) {
		return fmt.Errorf("output file %s already exists", ev.outFile)
	}
	args := SplitCommandLine(ev.cmdLine)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout = m.stdout
	cmd.Stderr = m.stderr
	var out *os.File
	if ev.outFile != "" {
		dir, err := m.ensureTmpDir()
		if err != nil {
			return m.spawnFailed(err)
		}
		ev.tempFile = filepath.Join(dir, "temp-"+strconv.FormatUint(ev.seq, 10))
		out, err = os.OpenFile(ev.tempFile, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return m.spawnFailed(err)
		}
		cmd.Stdout = out
	}
	err := cmd.Start()
	if out != nil {
		out.Close() // the child has its own copy
	}
	if err != nil {
		return m.spawnFailed(err)
	}
	pid := cmd.Process.Pid
	if _, ok := m.procs[pid]; ok {
		// Cannot happen while the old one is unreaped; kept from the C++.
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		_ = cmd.Wait()
		return fmt.Errorf("process %d already exists", pid)
	}
	c := &child{cmd: cmd, pid: pid, reaped: make(chan struct{}), finished: make(chan struct{})}
	ev.child = c
	ev.pid = pid
	ev.life = lifeRunning
	m.started++
	if m.holding() {
		m.clock.NewBackgroundWork()
		m.held = append(m.held, ev)
	}
	go m.watch(ev, c)
	return nil
}

func (m *Manager) spawnFailed(err error) error {
	m.logf(zapcore.ErrorLevel, "posix_spawn() failed: %v", err)
	return &spawnError{cause: err}
}

// watch runs on the process's own goroutine: it waits for the process to
// exit, reaps it and posts the exit to the crank goroutine.
func (m *Manager) watch(ev *ExitEvent, c *child) {
	defer close(c.finished)
	if err := waitExited(c.pid); err == nil {
		// The process is a zombie: its group id is still ours. Reap it under
		// the lock, so that no signal goes out after the reap.
		c.mu.Lock()
		if c.killGroup {
			_ = syscall.Kill(-c.pid, syscall.SIGKILL) // what is left of the group
		}
		_ = c.cmd.Wait()
		c.gone = true
		c.mu.Unlock()
	} else {
		_ = c.cmd.Wait()
		c.mu.Lock()
		c.gone = true
		c.mu.Unlock()
	}
	close(c.reaped)
	if m.holding() {
		// The background work is finished when the exit is handled, on
		// the crank goroutine, in start order (deliverHeld).
		m.app.PostOnMainThread(m.scheduleDelivery, ActionName, vclock.NormalAction)
		return
	}
	m.app.PostOnMainThread(func() { m.handleTermination(ev) }, ActionName, vclock.NormalAction)
}

// holding reports whether processes hold virtual time (WithHoldVirtualTime
// on a VirtualTime clock).
func (m *Manager) holding() bool { return m.hold && m.clock.Mode() == vclock.VirtualTime }

// scheduleDelivery posts deliverHeld unless it is posted already.
func (m *Manager) scheduleDelivery() {
	if m.delivering {
		return
	}
	m.delivering = true
	m.app.PostOnMainThread(m.deliverHeld, ActionName, vclock.NormalAction)
}

// deliverHeld handles the exit of the first process started and not yet
// handled, once it has been reaped and nothing else is queued on the
// clock; then it schedules itself again for the next one, if reaped. Until
// the queue is empty it posts itself again, behind what is queued.
func (m *Manager) deliverHeld() {
	m.delivering = false
	if len(m.held) == 0 {
		return
	}
	if m.clock.ActionQueueSize() > 0 {
		m.scheduleDelivery()
		return
	}
	select {
	case <-m.held[0].child.reaped:
	default:
		return // its watcher posts when it is reaped
	}
	m.handleTermination(m.held[0])
	if len(m.held) > 0 {
		select {
		case <-m.held[0].child.reaped:
			m.scheduleDelivery()
		default:
		}
	}
}

// handleTermination handles the exit of a reaped process on the crank
// goroutine: it maps the exit status, puts the output file in place, frees
// the slot, starts what the slot allows and completes the event. It does
// nothing if the exit was handled already (by Shutdown).
func (m *Manager) handleTermination(ev *ExitEvent) {
	if ev.life == lifeTerminated {
		return
	}
	if m.procs[ev.pid] != ev {
		m.logf(zapcore.DebugLevel, "failed to find process with pid %d", ev.pid)
		return
	}
	if ev.killTimer != nil {
		ev.killTimer.Stop()
		ev.killTimer = nil
	}
	ev.life = lifeTerminated
	ev.state = ev.child.cmd.ProcessState
	if i := slices.Index(m.held, ev); i >= 0 {
		m.held = slices.Delete(m.held, i, i+1)
		m.clock.FinishedBackgroundWork()
	}
	err := m.exitStatus(ev)
	if ev.aborted {
		// Whatever the process wrote is partial: no output file.
		err = ErrAborted
		m.discard(ev)
	} else if !m.finish(ev) && err == nil {
		err = ErrOutFile
	}
	delete(m.procs, ev.pid)
	m.maybeRunPending()
	ev.complete(err)
}

// exitStatus maps how the process ended to its result, logging as the C++.
func (m *Manager) exitStatus(ev *ExitEvent) error {
	ps := ev.state
	if ps == nil {
		return &ExitError{Pid: ev.pid, Code: 1, CmdLine: ev.cmdLine}
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Exited() {
		e := &ExitError{Pid: ev.pid, Code: 1, CmdLine: ev.cmdLine}
		if ok && ws.Signaled() {
			e.Signal = ws.Signal()
		}
		return e
	}
	code := ws.ExitStatus()
	if code == 0 {
		m.logf(zapcore.DebugLevel, "process %d exited %d: %s", ev.pid, code, ev.cmdLine)
	} else {
		m.logf(zapcore.WarnLevel, "process %d exited %d: %s", ev.pid, code, ev.cmdLine)
	}
	if runtime.GOOS == "linux" && code == 127 {
		// The shell convention for a command that was not found.
		for _, line := range []string{"", "************", "", "  likely 'missing command':", "",
			"    " + ev.cmdLine, "", "************", ""} {
			m.logf(zapcore.WarnLevel, "%s", line)
		}
	}
	if code == 0 {
		return nil
	}
	return &ExitError{Pid: ev.pid, Code: code, CmdLine: ev.cmdLine}
}

// finish renames the temporary output file to the output file, and reports
// whether that went well (or there was none).
func (m *Manager) finish(ev *ExitEvent) bool {
	if ev.outFile == "" {
		return true
	}
	if exists(ev.outFile) {
		m.logf(zapcore.WarnLevel, "Outfile already exists: %s", ev.outFile)
		return false
	}
	err := os.Rename(ev.tempFile, ev.outFile)
	if errors.Is(err, syscall.EXDEV) {
		// The output is on another file system: copy the temporary file
		// next to it, then rename that copy, so that the output appears
		// whole or not at all.
		err = m.copyAcross(ev.tempFile, ev.outFile)
	}
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			m.logf(zapcore.ErrorLevel, "%s -> %s rename failed, error: %d", ev.tempFile, ev.outFile, int(errno))
		} else {
			m.logf(zapcore.ErrorLevel, "%s -> %s rename failed, error: %v", ev.tempFile, ev.outFile, err)
		}
		return false
	}
	return true
}

// discard removes the temporary output file of a process that was shut
// down, so that no partial output is ever put in place.
func (m *Manager) discard(ev *ExitEvent) {
	if ev.tempFile == "" {
		return
	}
	if err := os.Remove(ev.tempFile); err != nil && !os.IsNotExist(err) {
		m.logf(zapcore.WarnLevel, "removing %s failed: %v", ev.tempFile, err)
	}
}

// copyAcross puts the contents of tempFile at outFile through a temporary
// copy in outFile's directory, and removes tempFile. On failure it removes
// the copy and leaves tempFile for Shutdown to remove.
func (m *Manager) copyAcross(tempFile, outFile string) error {
	src, err := os.Open(tempFile)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.CreateTemp(filepath.Dir(outFile), "."+filepath.Base(outFile)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(dst.Name(), outFile)
	}
	if err != nil {
		os.Remove(dst.Name())
		return err
	}
	m.logf(zapcore.DebugLevel, "%s -> %s copied across file systems", tempFile, outFile)
	os.Remove(tempFile)
	return nil
}

// politeShutdown sends SIGTERM to the process group of ev and arms the
// SIGKILL that follows after the grace.
func (m *Manager) politeShutdown(ev *ExitEvent) {
	ev.life = lifeShuttingDown
	ev.aborted = true
	if err := ev.child.signalGroup(syscall.SIGTERM, true); err != nil {
		m.logKillFailed("SIGTERM", ev.pid, err)
	}
	// A shutdown that is not polled still escalates: the timer posts it.
	ev.killAt = time.Now().Add(m.grace)
	ev.killTimer = time.AfterFunc(m.grace, func() {
		m.app.PostOnMainThread(func() {
			if ev.life == lifeShuttingDown {
				m.forcedShutdown(ev)
			}
		}, ActionName, vclock.NormalAction)
	})
}

// forcedShutdown sends SIGKILL to the process group of ev, once.
func (m *Manager) forcedShutdown(ev *ExitEvent) {
	if ev.forced {
		return
	}
	ev.forced = true
	m.logf(zapcore.DebugLevel, "Shutting down (forced): %s", ev.cmdLine)
	if err := ev.child.signalGroup(syscall.SIGKILL, true); err != nil {
		m.logKillFailed("SIGKILL", ev.pid, err)
	}
}

func (m *Manager) logKillFailed(sig string, pid int, err error) {
	errno, _ := err.(syscall.Errno)
	m.logf(zapcore.WarnLevel, "kill (%s) failed for pid %d, errno %d = '%s'", sig, pid, int(errno), err.Error())
}

// ensureTmpDir creates the manager's temporary directory on first use,
// and the directory it goes in if need be, as the C++ TmpDirManager makes
// its root.
func (m *Manager) ensureTmpDir() (string, error) {
	if m.tmpDir == "" {
		if err := os.MkdirAll(m.tmpRoot, 0o755); err != nil {
			return "", err
		}
		dir, err := os.MkdirTemp(m.tmpRoot, "process-*")
		if err != nil {
			return "", err
		}
		m.tmpDir = dir
	}
	return m.tmpDir, nil
}

func (m *Manager) logf(l zapcore.Level, format string, args ...any) {
	if m.logger.Core().Enabled(l) {
		m.logger.Log(l, fmt.Sprintf(format, args...))
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
