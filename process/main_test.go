package process

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// helperArg, as the first argument of the test binary, makes it a helper
// process instead of running the tests.
const helperArg = "stellarwork-process-helper"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == helperArg {
		os.Exit(helperMain(os.Args[2:]))
	}
	// Helpers are this binary: under -race, spare each the race runtime's
	// default one-second sleep at exit.
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
	goleak.VerifyTestMain(m)
}

// helperMain is the body of a helper process:
//
//	print TEXT           write TEXT to stdout
//	exit N               exit N
//	exitwhen DIR N       wait until DIR/PID exists (PID its own), then
//	                     exit N
//	sleep MS             sleep MS milliseconds
//	record FILE MS       sleep MS milliseconds, then write the wall-clock
//	                     start and end (Unix ns) to FILE
//	gather DIR N CMD...  create DIR/PID (PID its own), wait until DIR
//	                     holds N files or more, then do CMD...
//	ignoreterm FILE      ignore SIGTERM, create FILE, sleep a minute
//	spawn FILE           start a helper that sleeps a minute (in this
//	                     process group), write its pid to FILE, sleep a
//	                     minute
func helperMain(args []string) int {
	ms := func(s string) time.Duration {
		n, err := strconv.Atoi(s)
		if err != nil {
			panic(err)
		}
		return time.Duration(n) * time.Millisecond
	}
	switch args[0] {
	case "print":
		fmt.Print(args[1])
	case "exit":
		n, _ := strconv.Atoi(args[1])
		return n
	case "exitwhen":
		for {
			if _, err := os.Stat(filepath.Join(args[1], strconv.Itoa(os.Getpid()))); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		n, _ := strconv.Atoi(args[2])
		return n
	case "sleep":
		time.Sleep(ms(args[1]))
	case "gather":
		if err := os.WriteFile(filepath.Join(args[1], strconv.Itoa(os.Getpid())), nil, 0o600); err != nil {
			panic(err)
		}
		n, _ := strconv.Atoi(args[2])
		for {
			if des, err := os.ReadDir(args[1]); err == nil && len(des) >= n {
				break
			}
			time.Sleep(time.Millisecond)
		}
		return helperMain(args[3:])
	case "record":
		start := time.Now().UnixNano()
		time.Sleep(ms(args[2]))
		end := time.Now().UnixNano()
		writeFileAtomic(args[1], fmt.Sprintf("%d %d", start, end))
	case "ignoreterm":
		signal.Ignore(syscall.SIGTERM)
		writeFileAtomic(args[1], "ready")
		time.Sleep(time.Minute)
	case "spawn":
		exe, _ := os.Executable()
		c := exec.Command(exe, helperArg, "sleep", "60000")
		if err := c.Start(); err != nil {
			return 2
		}
		writeFileAtomic(args[1], strconv.Itoa(c.Process.Pid))
		time.Sleep(time.Minute)
	default:
		return 2
	}
	return 0
}

func writeFileAtomic(path, content string) {
	if err := os.WriteFile(path+".tmp", []byte(content), 0o600); err != nil {
		panic(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		panic(err)
	}
}

// helperCmd returns the command line that runs the test binary as a helper.
func helperCmd(t *testing.T, args ...string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(exe, " \t\n\v\f\r") {
		t.Skipf("test binary path %q has whitespace", exe)
	}
	return strings.Join(append([]string{exe, helperArg}, args...), " ")
}

// env is one test's clock, application, scheduler and process manager.
type env struct {
	clock *vclock.Clock
	app   *scheduler.App
	papp  *App // app with pm as its ProcessManager
	wm    *scheduler.WorkScheduler
	pm    *Manager
	logs  *observer.ObservedLogs
}

// newEnv builds an env; maxProcs 0 keeps the default limit. The manager is
// shut down and the clock stopped when the test ends.
func newEnv(t *testing.T, mode vclock.Mode, maxProcs int, opts ...Option) *env {
	t.Helper()
	clock := vclock.New(mode)
	cfg := basicwork.DefaultConfig()
	if maxProcs > 0 {
		cfg.MaxConcurrentSubprocesses = maxProcs
	}
	core, logs := observer.New(zapcore.DebugLevel)
	app := scheduler.NewApp(clock, scheduler.WithConfig(cfg), scheduler.WithLogger(zap.New(core)))
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]Option{WithStdout(devnull), WithTmpDir(t.TempDir())}, opts...)
	papp := NewApp(app, opts...)
	pm := papp.ProcessManager()
	t.Cleanup(func() {
		pm.Shutdown()
		clock.Shutdown()
		devnull.Close()
	})
	return &env{clock: clock, app: app, papp: papp, wm: app.WorkScheduler(), pm: pm, logs: logs}
}

// crankUntil cranks the clock, blocking, until cond holds, and fails the
// test after timeout (of real time). A watchdog posts a no-op at the
// deadline so that a blocked crank returns.
func (e *env) crankUntil(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	watchdog := time.AfterFunc(timeout, func() {
		e.clock.PostAction(func() {}, "watchdog", vclock.NormalAction)
	})
	defer watchdog.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", timeout)
		}
		e.clock.Crank(true)
	}
}

// hasLog reports whether a line with exactly this message was logged at
// level l.
func (e *env) hasLog(l zapcore.Level, msg string) bool {
	return e.logs.Filter(func(le observer.LoggedEntry) bool {
		return le.Level == l && le.Message == msg
	}).Len() > 0
}

func (e *env) requireLog(t *testing.T, l zapcore.Level, msg string) {
	t.Helper()
	if !e.hasLog(l, msg) {
		var all []string
		for _, le := range e.logs.All() {
			all = append(all, le.Level.String()+" "+le.Message)
		}
		t.Fatalf("no %s log %q; logs:\n%s", l, msg, strings.Join(all, "\n"))
	}
}

// processGone reports whether pid no longer runs: no such process, or a
// zombie (a grandchild we cannot reap).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return os.IsNotExist(err)
	}
	// The state follows the parenthesised command name.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

// requireReaped checks that pid and its process group no longer exist.
func requireReaped(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("kill(%d, 0) = %v, want ESRCH", pid, err)
	}
	if err := syscall.Kill(-pid, 0); err != syscall.ESRCH {
		t.Errorf("kill(-%d, 0) = %v, want ESRCH", pid, err)
	}
}

// waitForFile polls for a file a helper process creates.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not created within 10s", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
