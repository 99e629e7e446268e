package process

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/vclock"
)

// testRunCommandWork is the C++ TestRunCommandWork (two retries), counting
// its GetCommand and WakeUp calls: overrides the library must call.
type testRunCommandWork struct {
	RunCommandWork
	command     string
	outFile     string
	getCommands int
	wakeUps     int
}

func newTestRunCommandWork(app Application, name, command string) *testRunCommandWork {
	w := &testRunCommandWork{command: command}
	w.Init(app, name, 2, w)
	return w
}

func (w *testRunCommandWork) GetCommand() CommandInfo {
	w.getCommands++
	return CommandInfo{Command: w.command, OutFile: w.outFile}
}

func (w *testRunCommandWork) WakeUp(inner func()) {
	w.wakeUps++
	w.RunCommandWork.WakeUp(inner)
}

// TestRunCommandWork ports the four sections of the C++ "RunCommandWork
// test", on a REAL_TIME clock as there.
func TestRunCommandWork(t *testing.T) {
	const timeout = 10 * time.Second

	t.Run("one run command work", func(t *testing.T) {
		e := newEnv(t, vclock.RealTime, 0)
		w := newTestRunCommandWork(e.papp, "test-run-command", "date")
		e.wm.ScheduleWork(w)
		e.crankUntil(t, timeout, func() bool {
			return e.wm.AllChildrenSuccessful() && e.wm.State() != basicwork.Running
		})
		if w.State() != basicwork.Success {
			t.Fatalf("state %v, want WORK_SUCCESS", w.State())
		}
		if w.getCommands != 1 {
			t.Errorf("GetCommand called %d times, want 1", w.getCommands)
		}
		if w.wakeUps == 0 {
			t.Error("the outer WakeUp was not called on exit")
		}
		e.requireLog(t, zapcore.DebugLevel, "Running: date")
		if e.pm.NumRunningOrShuttingDownProcesses() != 0 {
			t.Error("a process is still counted")
		}
	})

	t.Run("round robin with other work", func(t *testing.T) {
		e := newEnv(t, vclock.RealTime, 0)
		w := newTestRunCommandWork(e.papp, "test-run-command", "date")
		e.wm.ScheduleWork(w)
		other := testworks.NewDefaultBasicWork(e.app, "test-work")
		e.wm.ScheduleWork(other)
		e.crankUntil(t, timeout, func() bool {
			return e.wm.AllChildrenSuccessful() && e.wm.State() != basicwork.Running
		})
		if w.State() != basicwork.Success || other.State() != basicwork.Success {
			t.Fatalf("states %v and %v, want WORK_SUCCESS", w.State(), other.State())
		}
		if other.RunningCount != other.Steps {
			t.Errorf("test-work ran %d times, want %d", other.RunningCount, other.Steps)
		}
	})

	t.Run("invalid run command", func(t *testing.T) {
		e := newEnv(t, vclock.RealTime, 0)
		w := newTestRunCommandWork(e.papp, "test-run-command", "_invalid_")
		e.wm.ScheduleWork(w)
		// Two retries, after 1 s and 2 s of real time.
		e.crankUntil(t, timeout, func() bool {
			return e.wm.AllChildrenDone() && e.wm.State() != basicwork.Running
		})
		if w.State() != basicwork.Failure {
			t.Fatalf("state %v, want WORK_FAILURE", w.State())
		}
		if w.getCommands != 3 {
			t.Errorf("GetCommand called %d times, want 3 (a run and 2 retries)", w.getCommands)
		}
		e.requireLog(t, zapcore.ErrorLevel, "Error starting process: posix_spawn() failed")
		e.requireLog(t, zapcore.ErrorLevel, "When running: _invalid_")
	})

	t.Run("run command aborted", func(t *testing.T) {
		// A kill grace no crankUntil outlasts: SIGKILL can only come from
		// a shutdown that does not end sleep with SIGTERM, however slow
		// the machine.
		e := newEnv(t, vclock.RealTime, 0, WithKillGrace(time.Hour))
		w := newTestRunCommandWork(e.papp, "test-run-command", "sleep 10")
		e.wm.ScheduleWork(w)
		// The C++ waits 2 s; waiting for the process to run is enough.
		e.crankUntil(t, timeout, func() bool {
			return e.wm.State() != basicwork.Running && e.pm.NumRunningProcesses() > 0
		})
		if w.State() != basicwork.Waiting {
			t.Fatalf("state %v, want WORK_WAITING", w.State())
		}
		if n := e.pm.NumRunningProcesses(); n != 1 {
			t.Fatalf("%d running processes, want 1", n)
		}
		pid := w.exit.Pid()
		if err := syscall.Kill(pid, 0); err != nil {
			t.Fatalf("process %d not running: %v", pid, err)
		}

		e.wm.Shutdown()
		e.crankUntil(t, timeout, func() bool { return e.wm.State() == basicwork.Aborted })
		if w.State() != basicwork.Aborted {
			t.Fatalf("state %v, want WORK_ABORTED", w.State())
		}
		if n := e.pm.NumRunningProcesses(); n != 0 {
			t.Errorf("%d running processes, want 0", n)
		}
		if n := e.pm.NumRunningOrShuttingDownProcesses(); n != 0 {
			t.Errorf("%d running or shutting down processes, want 0", n)
		}
		// The abort completed only once the process was reaped, which
		// SIGTERM ended.
		requireReaped(t, pid)
		if last := w.LastExit(); last == nil || last.Pid() != pid || last.ProcessState() == nil {
			t.Errorf("LastExit %+v, want the aborted process %d", last, pid)
		} else if ws := last.ProcessState().Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
			t.Errorf("sleep ended by %v, want SIGTERM", last.ProcessState())
		}
		e.requireLog(t, zapcore.DebugLevel, "Shutting down (polite): sleep 10")
		if e.hasLog(zapcore.DebugLevel, "Shutting down (forced): sleep 10") {
			t.Error("SIGKILL sent to a process that SIGTERM ends")
		}
	})
}

// TestRunCommandWorkOutFile runs a command whose standard output goes to a
// file.
func TestRunCommandWorkOutFile(t *testing.T) {
	e := newEnv(t, vclock.RealTime, 0)
	out := filepath.Join(t.TempDir(), "out.txt")
	w := newTestRunCommandWork(e.papp, "print", helperCmd(t, "print", "hello"))
	w.outFile = out
	e.wm.ScheduleWork(w)
	e.crankUntil(t, 10*time.Second, func() bool { return w.IsDone() })
	if w.State() != basicwork.Success {
		t.Fatalf("state %v, want WORK_SUCCESS", w.State())
	}
	b, err := os.ReadFile(out)
	if err != nil || string(b) != "hello" {
		t.Fatalf("out file = %q, %v; want \"hello\"", b, err)
	}
}

// TestRunCommandWorkEmptyCommand: an empty command succeeds at once,
// starting nothing.
func TestRunCommandWorkEmptyCommand(t *testing.T) {
	e := newEnv(t, vclock.VirtualTime, 0)
	w := newTestRunCommandWork(e.papp, "empty", "")
	e.wm.ScheduleWork(w)
	e.crankUntil(t, 5*time.Second, func() bool { return w.IsDone() })
	if w.State() != basicwork.Success {
		t.Fatalf("state %v, want WORK_SUCCESS", w.State())
	}
	if e.hasLog(zapcore.DebugLevel, "Running: ") {
		t.Error("an empty command was run")
	}
}

// TestRunCommandWorkFailureRetried: a command that exits non-zero fails the
// work; each retry (after a reset) runs it again. On a virtual clock the
// retry delays take no real time.
func TestRunCommandWorkFailureRetried(t *testing.T) {
	e := newEnv(t, vclock.VirtualTime, 0)
	w := newTestRunCommandWork(e.papp, "false", "false")
	e.wm.ScheduleWork(w)
	e.crankUntil(t, 10*time.Second, func() bool { return w.IsDone() })
	if w.State() != basicwork.Failure {
		t.Fatalf("state %v, want WORK_FAILURE", w.State())
	}
	if w.getCommands != 3 {
		t.Errorf("GetCommand called %d times, want 3", w.getCommands)
	}
	if w.wakeUps < 3 {
		t.Errorf("WakeUp called %d times, want at least 3", w.wakeUps)
	}
	if w.exit != nil || w.done || w.err != nil {
		t.Error("the reset after the failure left state behind")
	}
	// Each retry waited its backoff (1 s, then 2 s) of virtual time.
	if got := e.clock.Elapsed(); got < 3*time.Second {
		t.Errorf("virtual time %v, want at least 3s", got)
	}
}

// TestRunCommandWorkConcurrencyLimit runs 40 commands with
// MaxConcurrentSubprocesses = 4: never more than 4 run at once, as the
// manager counts them and as the processes themselves saw it, and all 40
// succeed. The limit is reached: each process waits until 4 have started
// (the later ones find them started), so that the first 4 run at once
// however slowly the machine starts them.
func TestRunCommandWorkConcurrencyLimit(t *testing.T) {
	const n, limit = 40, 4
	e := newEnv(t, vclock.RealTime, limit)
	dir, started := t.TempDir(), t.TempDir()
	var works []*testRunCommandWork
	var files []string
	for i := range n {
		f := filepath.Join(dir, fmt.Sprintf("rec-%02d", i))
		files = append(files, f)
		w := newTestRunCommandWork(e.papp, "rec", helperCmd(t, "gather", started, strconv.Itoa(limit), "record", f, "50"))
		works = append(works, w)
		e.wm.ScheduleWork(w)
	}
	maxObserved := 0
	// Only a hang guard: 40 helpers in waves of 4 took 2 to 4.5 s under
	// -race with three busy loops on two cores (pinned to one, or -cpu 1).
	e.crankUntil(t, time.Minute, func() bool {
		maxObserved = max(maxObserved, e.pm.NumRunningOrShuttingDownProcesses())
		return e.wm.AllChildrenDone() && e.wm.State() != basicwork.Running
	})
	for i, w := range works {
		if w.State() != basicwork.Success {
			t.Errorf("work %d: state %v, want WORK_SUCCESS", i, w.State())
		}
	}
	if maxObserved > limit || e.pm.maxSeen > limit {
		t.Errorf("up to %d (sampled %d) processes at once, limit %d", e.pm.maxSeen, maxObserved, limit)
	}
	if e.pm.maxSeen != limit {
		t.Errorf("at most %d processes at once, want the limit %d reached", e.pm.maxSeen, limit)
	}
	// What the processes saw: the most recorded intervals that overlap.
	type point struct {
		at    int64
		delta int
	}
	var points []point
	for _, f := range files {
		var start, end int64
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fmt.Sscan(string(b), &start, &end); err != nil {
			t.Fatal(err)
		}
		points = append(points, point{start, 1}, point{end, -1})
	}
	sortPoints := func(a, b point) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return a.delta - b.delta // ends before starts at the same instant
	}
	slices.SortFunc(points, sortPoints)
	cur, most := 0, 0
	for _, p := range points {
		cur += p.delta
		most = max(most, cur)
	}
	if most > limit {
		t.Errorf("%d processes ran at once, limit %d", most, limit)
	}
	t.Logf("most at once: manager %d, processes %d", e.pm.maxSeen, most)
}
