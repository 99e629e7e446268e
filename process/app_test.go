package process

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// newAppEnv builds an env whose scheduler.App keeps its temporary files
// under tmp (scheduler.WithTmpDir), with no tmp option of the manager's own.
func newAppEnv(t *testing.T, mode vclock.Mode, tmp string) *env {
	t.Helper()
	clock := vclock.New(mode)
	base := scheduler.NewApp(clock, scheduler.WithTmpDir(tmp))
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	papp := NewApp(base, WithStdout(devnull))
	t.Cleanup(func() {
		papp.ProcessManager().Shutdown()
		clock.Shutdown()
		devnull.Close()
	})
	return &env{clock: clock, app: base, papp: papp, wm: base.WorkScheduler(), pm: papp.ProcessManager()}
}

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// TestAppOwnsProcessManager: the manager is the application's. Its
// temporary directory is under the application's TmpDir, and the end of
// WorkScheduler.Run shuts it down: the running process is reaped, the work
// aborted, the temporary directory removed.
func TestAppOwnsProcessManager(t *testing.T) {
	tmp, outDir := t.TempDir(), t.TempDir()
	e := newAppEnv(t, vclock.RealTime, tmp)
	if pm := e.papp.ProcessManager(); pm != e.pm || pm.App() != basicwork.Application(e.app) {
		t.Fatal("ProcessManager is not one manager of the application")
	}
	w := newTestRunCommandWork(e.papp, "sleeper", helperCmd(t, "sleep", "30000"))
	w.outFile = filepath.Join(outDir, "out")
	e.wm.ScheduleWork(w)
	e.crankUntil(t, 10*time.Second, func() bool { return w.Pid() != 0 })
	pid := w.Pid()
	if got := entries(t, tmp); len(got) != 1 || filepath.Ext(got[0]) != "" || got[0][:8] != "process-" {
		t.Fatalf("temporary directory %v under the app's TmpDir, want one process-*", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.wm.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if !e.pm.IsShutdown() {
		t.Fatal("the process manager outlived the application's Run")
	}
	requireReaped(t, pid)
	if w.State() != basicwork.Aborted {
		t.Errorf("work %v, want WORK_ABORTED", w.State())
	}
	if got := entries(t, tmp); len(got) != 0 {
		t.Errorf("left in the app's TmpDir: %v", got)
	}
	if got := entries(t, outDir); len(got) != 0 {
		t.Errorf("partial output left: %v", got)
	}
}

// TestAppTmpDirCreated: the application's TmpDir is created, with its
// parents, when the manager first needs it, as the C++ TmpDirManager makes
// its root; a new user's missing TMP_DIR_PATH used to fail every command
// with an output file.
func TestAppTmpDirCreated(t *testing.T) {
	tmp := filepath.Join(t.TempDir(), "not", "yet")
	out := filepath.Join(t.TempDir(), "out")
	e := newAppEnv(t, vclock.VirtualTime, tmp)
	w := newTestRunCommandWork(e.papp, "print", helperCmd(t, "print", "hello"))
	w.outFile = out
	if err := e.wm.ExecuteWork(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "hello" {
		t.Fatalf("output %q, %v; want hello", b, err)
	}
	if got := entries(t, tmp); len(got) != 1 {
		t.Errorf("the app's TmpDir holds %v, want the manager's directory", got)
	}
	e.app.Shutdown()
	if got := entries(t, tmp); len(got) != 0 {
		t.Errorf("left in the app's TmpDir: %v", got)
	}
}

// TestAppShutdownShutsManagerDown: App.Shutdown (and so WorkScheduler's)
// shuts the manager down after the scheduler has started aborting, as the
// C++ Application shuts its process manager down after its WorkScheduler.
func TestAppShutdownShutsManagerDown(t *testing.T) {
	e := newAppEnv(t, vclock.VirtualTime, t.TempDir())
	var schedulerAborting bool
	e.app.AtShutdown(func() { schedulerAborting = e.wm.IsAborting() })
	w := newTestRunCommandWork(e.papp, "sleeper", "sleep 30")
	e.wm.ScheduleWork(w)
	e.crankUntil(t, 10*time.Second, func() bool { return w.Pid() != 0 })
	pid := w.Pid()
	e.app.Shutdown()
	if !e.pm.IsShutdown() || !schedulerAborting {
		t.Fatalf("manager shut down %v, scheduler aborting when the hooks ran %v", e.pm.IsShutdown(), schedulerAborting)
	}
	requireReaped(t, pid)
	e.crankUntil(t, 10*time.Second, func() bool { return e.wm.State() == basicwork.Aborted })
	if w.LastExit() == nil || !errors.Is(w.LastExit().Err(), ErrAborted) || w.LastExit().Pid() != pid {
		t.Errorf("LastExit %+v, want the aborted process %d", w.LastExit(), pid)
	}
	e.app.Shutdown() // again: nothing
}

// TestPidAndLastExit: Pid is the running process's, LastExit the last
// completed one's, kept across the reset of a retry. Each run's process
// waits for the test to have seen its pid before it exits 3, so that the
// pid is seen in /proc however late the test gets to look.
func TestPidAndLastExit(t *testing.T) {
	e := newEnv(t, vclock.VirtualTime, 0)
	seen := t.TempDir()
	w := newTestRunCommandWork(e.papp, "exit-3", helperCmd(t, "exitwhen", seen, "3"))
	if w.Pid() != 0 || w.LastExit() != nil {
		t.Fatal("a pid or an exit before the work ran")
	}
	e.wm.ScheduleWork(w)
	var pids []int
	e.crankUntil(t, 20*time.Second, func() bool {
		if p := w.Pid(); p != 0 && (len(pids) == 0 || pids[len(pids)-1] != p) {
			pids = append(pids, p)
			if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(p))); err != nil {
				t.Fatalf("Pid %d is not a process: %v", p, err)
			}
			// Only the process with this pid goes on, and exits.
			if err := os.WriteFile(filepath.Join(seen, strconv.Itoa(p)), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return w.IsDone()
	})
	// Two retries: three runs of the command, each seen running.
	if w.State() != basicwork.Failure || len(pids) != 3 {
		t.Fatalf("state %v after pids %v, want WORK_FAILURE after 3", w.State(), pids)
	}
	if w.Pid() != 0 {
		t.Errorf("Pid %d once the process exited, want 0", w.Pid())
	}
	last := w.LastExit()
	var ee *ExitError
	if last == nil || !errors.As(last.Err(), &ee) || ee.Code != 3 || last.Pid() != pids[2] {
		t.Fatalf("LastExit %+v, want exit 3 of pid %d", last, pids[2])
	}
	if last.ProcessState() == nil || last.ProcessState().ExitCode() != 3 {
		t.Errorf("ProcessState %v, want exit status 3", last.ProcessState())
	}
}

// TestOutputOnAnotherFileSystem: an output file on another file system
// than the manager's temporary directory is copied next to its destination
// and renamed there; nothing is left behind. It needs /dev/shm on a file
// system of its own.
func TestOutputOnAnotherFileSystem(t *testing.T) {
	outDir := t.TempDir()
	tmp, err := os.MkdirTemp("/dev/shm", "stellarwork-test-")
	if err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	var a, b syscall.Stat_t
	if syscall.Stat(tmp, &a) != nil || syscall.Stat(outDir, &b) != nil || a.Dev == b.Dev {
		t.Skip("/dev/shm is on the file system of the test's temporary directory")
	}
	e := newAppEnv(t, vclock.VirtualTime, tmp)
	w := newTestRunCommandWork(e.papp, "print", helperCmd(t, "print", "across-devices"))
	w.outFile = filepath.Join(outDir, "out")
	e.wm.ScheduleWork(w)
	e.crankUntil(t, 10*time.Second, w.IsDone)
	if w.State() != basicwork.Success {
		t.Fatalf("state %v: %v", w.State(), w.LastExit().Err())
	}
	if got, err := os.ReadFile(w.outFile); err != nil || string(got) != "across-devices" {
		t.Fatalf("output %q, %v", got, err)
	}
	if got := entries(t, outDir); len(got) != 1 {
		t.Errorf("output directory holds %v, want only out", got)
	}
	e.pm.Shutdown()
	if got := entries(t, tmp); len(got) != 0 {
		t.Errorf("left in the temporary directory: %v", got)
	}
}

// TestCopyAcross: the copy of an output across file systems, on one file
// system: the contents arrive, the source and the intermediate copy go.
func TestCopyAcross(t *testing.T) {
	e := newEnv(t, vclock.VirtualTime, 0)
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "sub", "dst")
	if err := os.WriteFile(src, []byte("payload"), 0o600); err != nil {
		t.Fatal(err)
	}
	// No such directory: an error, and the source is kept.
	if err := e.pm.copyAcross(src, dst); err == nil {
		t.Fatal("copy into a missing directory succeeded")
	}
	if _, err := os.Stat(src); err != nil {
		t.Fatalf("source removed after a failed copy: %v", err)
	}
	if err := os.Mkdir(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := e.pm.copyAcross(src, dst); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(dst); err != nil || string(got) != "payload" {
		t.Fatalf("copied %q, %v", got, err)
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != "sub" {
		t.Errorf("left: %v, want only sub", got)
	}
	if got := entries(t, filepath.Dir(dst)); len(got) != 1 {
		t.Errorf("left next to the destination: %v", got)
	}
}

// TestFailureCause: a failed run's cause is the command's result: its exit
// status, the signal that killed it, or why it could not start; and that is
// what ExecuteWork's error carries.
func TestFailureCause(t *testing.T) {
	e := newEnv(t, vclock.VirtualTime, 0)
	ctx := context.Background()

	exit3 := &testRunCommandWork{command: helperCmd(t, "exit", "3")}
	exit3.Init(e.papp, "exit-3", basicwork.RetryNever, exit3)
	err := e.wm.ExecuteWork(ctx, exit3)
	var ee *ExitError
	if !errors.Is(err, basicwork.ErrWorkFailed) || !errors.As(err, &ee) || ee.Code != 3 || ee.Signal != 0 {
		t.Fatalf("ExecuteWork: %v, want a failure caused by exit 3", err)
	}
	if cause := exit3.FailureCause(); !errors.As(cause, &ee) || ee.Pid != exit3.LastExit().Pid() {
		t.Errorf("FailureCause %v", cause)
	}

	killed := &testRunCommandWork{command: helperCmd(t, "sleep", "30000")}
	killed.Init(e.papp, "killed", basicwork.RetryNever, killed)
	e.wm.ScheduleWork(killed)
	e.crankUntil(t, 10*time.Second, func() bool { return killed.Pid() != 0 })
	if err := syscall.Kill(killed.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	e.crankUntil(t, 10*time.Second, killed.IsDone)
	if cause := killed.FailureCause(); !errors.As(cause, &ee) || ee.Signal != syscall.SIGKILL || ee.Code != 1 {
		t.Errorf("FailureCause %v, want SIGKILL (exit 1, as the C++)", cause)
	}

	invalid := &testRunCommandWork{command: "_invalid_"}
	invalid.Init(e.papp, "invalid", basicwork.RetryNever, invalid)
	if err := e.wm.ExecuteWork(ctx, invalid); !errors.Is(err, ErrStart) {
		t.Errorf("ExecuteWork: %v, want ErrStart", err)
	}
}
