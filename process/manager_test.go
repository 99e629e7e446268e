package process

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/vclock"
)

// run starts cmdLine and fails the test if it does not start.
func run(t *testing.T, pm *Manager, cmdLine, outFile string) *ExitEvent {
	t.Helper()
	ev, err := pm.RunProcess(cmdLine, outFile)
	if err != nil {
		t.Fatalf("RunProcess(%q): %v", cmdLine, err)
	}
	return ev
}

// TestExitStatus maps exit statuses to results, with the C++ log lines.
func TestExitStatus(t *testing.T) {
	e := newEnv(t, vclock.RealTime, 0)
	ok := run(t, e.pm, "true", "")
	fail := run(t, e.pm, "false", "")
	three := helperCmd(t, "exit", "3")
	ev3 := run(t, e.pm, three, "")
	missing := helperCmd(t, "exit", "127")
	ev127 := run(t, e.pm, missing, "")
	e.crankUntil(t, 10*time.Second, func() bool {
		return ok.Done() && fail.Done() && ev3.Done() && ev127.Done()
	})
	if ok.Err() != nil {
		t.Errorf("true: %v", ok.Err())
	}
	var ee *ExitError
	if !errors.As(fail.Err(), &ee) || ee.Code != 1 || ee.Pid != fail.Pid() {
		t.Errorf("false: %v, want exit 1", fail.Err())
	}
	if !errors.As(ev3.Err(), &ee) || ee.Code != 3 || ee.Signal != 0 {
		t.Errorf("exit 3: %v", ev3.Err())
	}
	e.requireLog(t, zapcore.DebugLevel, fmt.Sprintf("process %d exited 0: true", ok.Pid()))
	e.requireLog(t, zapcore.WarnLevel, fmt.Sprintf("process %d exited 1: false", fail.Pid()))
	e.requireLog(t, zapcore.WarnLevel, fmt.Sprintf("process %d exited 3: %s", ev3.Pid(), three))
	e.requireLog(t, zapcore.WarnLevel, "  likely 'missing command':")
	e.requireLog(t, zapcore.WarnLevel, "    "+missing)
}

// TestErrorsSayWhatFailed: a failed command's error names the command,
// and a start failure's also gives its Go cause, so that the message of
// ExecuteWork's error tells what went wrong without the logs.
func TestErrorsSayWhatFailed(t *testing.T) {
	e := newEnv(t, vclock.RealTime, 0)
	three := helperCmd(t, "exit", "3")
	ev := run(t, e.pm, three, "")
	e.crankUntil(t, 10*time.Second, ev.Done)
	want := fmt.Sprintf("process %d exited 3: %s", ev.Pid(), three)
	if ev.Err() == nil || ev.Err().Error() != want {
		t.Errorf("exit 3: %v, want %q", ev.Err(), want)
	}
	var ee *ExitError
	if !errors.As(ev.Err(), &ee) || ee.CmdLine != three {
		t.Errorf("exit 3: CmdLine of %#v, want %q", ee, three)
	}

	_, err := e.pm.RunProcess("_invalid_ arg", "")
	for _, part := range []string{"could not start", "posix_spawn() failed", `exec: "_invalid_"`, "executable file not found", `"_invalid_ arg"`} {
		if err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("start failure %q does not say %q", err, part)
		}
	}
	if !errors.Is(err, ErrStart) || !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("start failure %v: want ErrStart and exec.ErrNotFound", err)
	}
}

// TestAsyncWait: handlers run on a later crank, also when registered after
// the event is done.
func TestAsyncWait(t *testing.T) {
	e := newEnv(t, vclock.RealTime, 0)
	ev := run(t, e.pm, "true", "")
	var early, late []error
	ev.AsyncWait(func(err error) { early = append(early, err) })
	e.crankUntil(t, 10*time.Second, func() bool { return len(early) == 1 })
	ev.AsyncWait(func(err error) { late = append(late, err) })
	if len(late) != 0 {
		t.Fatal("a handler ran inside AsyncWait")
	}
	e.crankUntil(t, 10*time.Second, func() bool { return len(late) == 1 })
	if early[0] != nil || late[0] != nil {
		t.Errorf("results %v and %v, want nil", early[0], late[0])
	}
}

// TestStartFailure: a command that cannot start gives its error at once
// when started at once, and through its event when it was queued.
func TestStartFailure(t *testing.T) {
	e := newEnv(t, vclock.RealTime, 1)
	ev, err := e.pm.RunProcess("_invalid_ arg", "")
	if ev != nil || !errors.Is(err, ErrStart) || !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("RunProcess = %v, %v; want nil and ErrStart wrapping exec.ErrNotFound", ev, err)
	}
	first := run(t, e.pm, "sleep 0.1", "")
	queued := run(t, e.pm, "_invalid_", "")
	if e.pm.NumPendingProcesses() != 1 {
		t.Fatalf("%d pending, want 1", e.pm.NumPendingProcesses())
	}
	var got []error
	queued.AsyncWait(func(err error) { got = append(got, err) })
	e.crankUntil(t, 10*time.Second, func() bool { return len(got) == 1 })
	if !first.Done() || first.Err() != nil {
		t.Errorf("first: done %v, %v", first.Done(), first.Err())
	}
	if !errors.Is(got[0], ErrStart) {
		t.Errorf("queued: %v, want ErrStart", got[0])
	}
	e.requireLog(t, zapcore.ErrorLevel, "When running: _invalid_")
}

// TestFIFO: queued commands start in the order they were given.
func TestFIFO(t *testing.T) {
	e := newEnv(t, vclock.RealTime, 1)
	var evs []*ExitEvent
	for i := range 4 {
		evs = append(evs, run(t, e.pm, "true "+strconv.Itoa(i), ""))
	}
	e.crankUntil(t, 10*time.Second, func() bool { return evs[3].Done() })
	var order []string
	for _, le := range e.logs.FilterMessageSnippet("Running: ").All() {
		order = append(order, le.Message)
	}
	want := []string{"Running: true 0", "Running: true 1", "Running: true 2", "Running: true 3"}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("start order %q, want %q", order, want)
	}
}

// TestOutFile: standard output goes to a temporary file that is renamed to
// the output file on exit; an output file that exists when the process
// starts, or when it exits, fails the command.
func TestOutFile(t *testing.T) {
	tmpRoot := t.TempDir()
	e := newEnv(t, vclock.RealTime, 0, WithTmpDir(tmpRoot))
	dir := t.TempDir()

	out := filepath.Join(dir, "out")
	ev := run(t, e.pm, helperCmd(t, "print", "some-output"), out)
	e.crankUntil(t, 10*time.Second, ev.Done)
	if ev.Err() != nil {
		t.Fatal(ev.Err())
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "some-output" {
		t.Fatalf("out file = %q, %v", b, err)
	}

	// It exists now: a second command that writes to it cannot start.
	_, err := e.pm.RunProcess("true", out)
	if !errors.Is(err, ErrStart) {
		t.Fatalf("RunProcess with an existing out file: %v, want ErrStart", err)
	}
	e.requireLog(t, zapcore.ErrorLevel, "Error starting process: output file "+out+" already exists")

	// Created while the process runs: the output is not put in place.
	late := filepath.Join(dir, "late")
	ev = run(t, e.pm, helperCmd(t, "sleep", "300"), late)
	if err := os.WriteFile(late, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.crankUntil(t, 10*time.Second, ev.Done)
	if !errors.Is(ev.Err(), ErrOutFile) {
		t.Fatalf("out file created meanwhile: %v, want ErrOutFile", ev.Err())
	}
	e.requireLog(t, zapcore.WarnLevel, "Outfile already exists: "+late)

	// Shutdown removes the temporary directory.
	e.pm.Shutdown()
	if ents, err := os.ReadDir(tmpRoot); err != nil || len(ents) != 0 {
		t.Errorf("temporary directory left: %v, %v", ents, err)
	}
}

// TestTryProcessShutdownPending cancels a queued command at once.
func TestTryProcessShutdownPending(t *testing.T) {
	e := newEnv(t, vclock.RealTime, 1)
	running := run(t, e.pm, "sleep 30", "")
	queued := run(t, e.pm, "sleep 31", "")
	var got []error
	queued.AsyncWait(func(err error) { got = append(got, err) })
	if !e.pm.TryProcessShutdown(queued) {
		t.Fatal("cancelling a queued command is not immediate")
	}
	if !queued.Done() || queued.Err() != ErrAborted || e.pm.NumPendingProcesses() != 0 {
		t.Fatalf("queued: done %v, %v", queued.Done(), queued.Err())
	}
	e.requireLog(t, zapcore.DebugLevel, "Cancelling pending: sleep 31")
	e.crankUntil(t, 5*time.Second, func() bool { return len(got) == 1 })
	if got[0] != ErrAborted {
		t.Errorf("handler got %v, want ErrAborted", got[0])
	}

	pid := running.Pid()
	e.crankUntil(t, 5*time.Second, func() bool { return e.pm.TryProcessShutdown(running) })
	if running.Err() != ErrAborted {
		t.Errorf("running: %v, want ErrAborted", running.Err())
	}
	requireReaped(t, pid)
}

// TestAbortEscalatesToSIGKILL: a process that ignores SIGTERM gets SIGKILL
// once the grace has passed, and the abort is complete only once it has
// been reaped.
func TestAbortEscalatesToSIGKILL(t *testing.T) {
	const grace = 300 * time.Millisecond
	e := newEnv(t, vclock.RealTime, 0, WithKillGrace(grace))
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := helperCmd(t, "ignoreterm", ready)
	ev := run(t, e.pm, cmd, "")
	waitForFile(t, ready)

	start := time.Now()
	if e.pm.TryProcessShutdown(ev) {
		t.Fatal("abort complete before the process exited")
	}
	if e.pm.NumRunningProcesses() != 0 || e.pm.NumRunningOrShuttingDownProcesses() != 1 {
		t.Errorf("counts %d and %d, want 0 running and 1 shutting down",
			e.pm.NumRunningProcesses(), e.pm.NumRunningOrShuttingDownProcesses())
	}
	e.crankUntil(t, 10*time.Second, func() bool { return e.pm.TryProcessShutdown(ev) })
	if d := time.Since(start); d < grace {
		t.Errorf("abort complete after %v, before the grace %v", d, grace)
	}
	if ev.Err() != ErrAborted {
		t.Errorf("result %v, want ErrAborted", ev.Err())
	}
	ws := ev.ProcessState().Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("process ended by %v, want SIGKILL", ev.ProcessState())
	}
	requireReaped(t, ev.Pid())
	e.requireLog(t, zapcore.DebugLevel, "Shutting down (polite): "+cmd)
	e.requireLog(t, zapcore.DebugLevel, "Shutting down (forced): "+cmd)
}

// TestAbortKillsProcessGroup: aborting a process also ends the processes
// it started in its group.
func TestAbortKillsProcessGroup(t *testing.T) {
	e := newEnv(t, vclock.RealTime, 0)
	pidFile := filepath.Join(t.TempDir(), "pid")
	ev := run(t, e.pm, helperCmd(t, "spawn", pidFile), "")
	grandchild, err := strconv.Atoi(waitForFile(t, pidFile))
	if err != nil {
		t.Fatal(err)
	}
	if pgid, err := syscall.Getpgid(grandchild); err != nil || pgid != ev.Pid() {
		t.Fatalf("grandchild group %d, %v; want %d", pgid, err, ev.Pid())
	}
	e.crankUntil(t, 10*time.Second, func() bool { return e.pm.TryProcessShutdown(ev) })
	// The leader is reaped; the grandchild, which only init may reap, is
	// gone or a zombie (which keeps the group id in use).
	if err := syscall.Kill(ev.Pid(), 0); err != syscall.ESRCH {
		t.Errorf("kill(%d, 0) = %v, want ESRCH", ev.Pid(), err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !processGone(grandchild) {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d still runs", grandchild)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestShutdown: Shutdown cancels queued commands, ends every process (with
// SIGKILL for one that ignores SIGTERM) and returns once all are reaped.
func TestShutdown(t *testing.T) {
	const grace = 300 * time.Millisecond
	e := newEnv(t, vclock.RealTime, 3, WithKillGrace(grace))
	ready := filepath.Join(t.TempDir(), "ready")
	stubborn := run(t, e.pm, helperCmd(t, "ignoreterm", ready), "")
	a := run(t, e.pm, "sleep 30", "")
	b := run(t, e.pm, "sleep 31", "")
	queued := run(t, e.pm, "sleep 32", "")
	waitForFile(t, ready)
	evs := []*ExitEvent{stubborn, a, b, queued}
	results := map[*ExitEvent]error{}
	for _, ev := range evs {
		ev.AsyncWait(func(err error) { results[ev] = err })
	}
	if e.pm.NumRunningProcesses() != 3 || e.pm.NumPendingProcesses() != 1 {
		t.Fatalf("%d running, %d pending; want 3 and 1", e.pm.NumRunningProcesses(), e.pm.NumPendingProcesses())
	}

	start := time.Now()
	e.pm.Shutdown()
	if d := time.Since(start); d < grace {
		t.Errorf("Shutdown took %v, less than the grace for the stubborn process", d)
	}
	if !e.pm.IsShutdown() || e.pm.NumRunningOrShuttingDownProcesses() != 0 || e.pm.NumPendingProcesses() != 0 {
		t.Fatal("processes left after Shutdown")
	}
	for _, ev := range evs[:3] {
		requireReaped(t, ev.Pid())
	}
	for _, ev := range evs {
		if !ev.Done() || ev.Err() != ErrAborted {
			t.Errorf("%s: done %v, %v", ev.CmdLine(), ev.Done(), ev.Err())
		}
	}
	if n := e.clock.BackgroundWorkCount(); n != 0 {
		t.Errorf("%d background works left", n)
	}
	e.crankUntil(t, 5*time.Second, func() bool { return len(results) == len(evs) })
	for ev, err := range results {
		if err != ErrAborted {
			t.Errorf("%s: handler got %v", ev.CmdLine(), err)
		}
	}
	if _, err := e.pm.RunProcess("true", ""); err != ErrShutdown {
		t.Errorf("RunProcess after Shutdown: %v, want ErrShutdown", err)
	}
	e.pm.Shutdown() // again: nothing
}

// TestVirtualTimeJumpsWhileProcessRuns: as in the C++, a running process
// does not hold a virtual clock. A 1 s virtual timer armed while `sleep 30`
// runs fires on the next idle crank, at virtual time 1 s, while the process
// still runs: the C++ VirtualClock::crank jumps to its next timer whenever a
// crank found nothing to do, and its process manager takes no
// background-work count. Were the timer to wait for the process, the 10 s
// of crankUntil would run out long before the 30 s of sleep (no wall-time
// bound on the firing itself, which a loaded machine could break).
func TestVirtualTimeJumpsWhileProcessRuns(t *testing.T) {
	e := newEnv(t, vclock.VirtualTime, 0)
	ev := run(t, e.pm, "sleep 30", "")
	if n := e.clock.BackgroundWorkCount(); n != 0 {
		t.Fatalf("%d background works while a process runs, want 0", n)
	}
	fired := false
	timer := vclock.NewTimer(e.clock)
	timer.ExpiresFromNow(time.Second)
	timer.AsyncWaitFunc(func() { fired = true }, vclock.OnFailureNoop)

	e.crankUntil(t, 10*time.Second, func() bool { return fired })
	if e.clock.Elapsed() != time.Second {
		t.Errorf("virtual time %v when the timer fired, want 1s", e.clock.Elapsed())
	}
	if ev.Done() || processGone(ev.Pid()) {
		t.Fatalf("sleep 30 has ended (done %v) before the timer fired", ev.Done())
	}
}

// TestVirtualTimeHeldByRunningProcess: with WithHoldVirtualTime, a running
// process is background work, so an idle crank does not jump to a far timer
// until the process has exited.
func TestVirtualTimeHeldByRunningProcess(t *testing.T) {
	e := newEnv(t, vclock.VirtualTime, 0, WithHoldVirtualTime())
	fired := false
	timer := vclock.NewTimer(e.clock)
	timer.ExpiresFromNow(time.Hour)
	timer.AsyncWaitFunc(func() { fired = true }, vclock.OnFailureNoop)

	ev := run(t, e.pm, "sleep 0.2", "")
	if n := e.clock.BackgroundWorkCount(); n != 1 {
		t.Fatalf("%d background works, want 1", n)
	}
	// The watcher posts the exit, then finishes its background work: wait
	// for both. No crank in between may jump, as either is outstanding.
	e.crankUntil(t, 10*time.Second, func() bool {
		return ev.Done() && e.clock.BackgroundWorkCount() == 0
	})
	if fired || e.clock.Elapsed() != 0 {
		t.Fatalf("virtual time moved to %v while the process ran (timer fired: %v)", e.clock.Elapsed(), fired)
	}
	if ev.Err() != nil {
		t.Fatal(ev.Err())
	}
	e.crankUntil(t, 5*time.Second, func() bool { return fired })
	if e.clock.Elapsed() != time.Hour {
		t.Errorf("virtual time %v, want 1h", e.clock.Elapsed())
	}
}

// TestHoldDeliversExitsInStartOrder: with WithHoldVirtualTime, exits are
// handled in the order the processes started, whichever ends first, and
// all before the virtual clock moves.
func TestHoldDeliversExitsInStartOrder(t *testing.T) {
	e := newEnv(t, vclock.VirtualTime, 0, WithHoldVirtualTime())
	fired := false
	timer := vclock.NewTimer(e.clock)
	timer.ExpiresFromNow(time.Second)
	timer.AsyncWaitFunc(func() { fired = true }, vclock.OnFailureNoop)
	var order []string
	for _, cmd := range []string{"sleep 0.3", "sleep 0.1", "true"} {
		ev := run(t, e.pm, cmd, "")
		ev.AsyncWait(func(err error) {
			if err != nil {
				t.Errorf("%s: %v", cmd, err)
			}
			order = append(order, cmd+fmt.Sprintf(" at %v", e.clock.Elapsed()))
		})
	}
	e.crankUntil(t, 10*time.Second, func() bool { return fired })
	want := []string{"sleep 0.3 at 0s", "sleep 0.1 at 0s", "true at 0s"}
	if !slices.Equal(order, want) {
		t.Errorf("exits handled %q, want %q", order, want)
	}
	if n := e.clock.BackgroundWorkCount(); n != 0 {
		t.Errorf("%d background works left", n)
	}
}
