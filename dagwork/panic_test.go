package dagwork_test

// Panic safety of a DAGWork (issue 16, case 8): after a recovered panic of a
// RecoverPanics node, nothing its work started outlives the node, processes
// included; and a panic while a node starts does not consume the node
// unstarted.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// spawner is a Work whose DoWork adds child on its first call and panics on
// the next one (which comes once the child no longer reads Running). With
// badShutdown, its Shutdown panics too, before shutting anything down.
type spawner struct {
	work.Work
	child       basicwork.Work
	added       bool
	badShutdown bool
}

func (w *spawner) DoWork() basicwork.State {
	if !w.added {
		w.added = true
		if err := w.AddWork(w.child); err != nil {
			panic(err)
		}
		return basicwork.Running
	}
	panic("spawner gives up")
}

func (w *spawner) Shutdown() {
	if w.badShutdown {
		panic("spawner cannot shut down")
	}
	w.Work.Shutdown()
}

// TestRecoverPanicsStopsDescendants: a node's work adds a child that waits
// an hour, then its DoWork panics. Before, the DAGWork ended Failed with
// the child still waiting and its timer armed. Now the work is shut down
// and its abort cranked to the end before the node fails: the child is
// aborted, no timer is left, and virtual time did not move. With a work
// whose Shutdown panics too, its child is shut down directly.
func TestRecoverPanicsStopsDescendants(t *testing.T) {
	for _, bad := range []bool{false, true} {
		t.Run(fmt.Sprint("badShutdown=", bad), func(t *testing.T) {
			app, logs := newApp(t)
			child := newWaiter(app, "child", time.Hour)
			w := &spawner{child: child, badShutdown: bad}
			w.Init(app, "spawner", basicwork.RetryNever, w)
			dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: w, RecoverPanics: true}})
			require.NoError(t, err)
			errs := requireDAGFailed(t, execute(t, context.Background(), app, dag, 5*time.Second), dag, "spawner")
			require.ErrorIs(t, errs[0], dagwork.ErrPanicked)
			requireNode(t, dag, "spawner", dagwork.Failed)
			require.Equal(t, basicwork.InternalAborted, internal(child))
			require.Zero(t, app.Clock().PendingTimers(), "no timer is left armed")
			require.Zero(t, app.Clock().Elapsed())
			var msgs []string
			for _, e := range logs.FilterMessageSnippet("panicked").All() {
				msgs = append(msgs, e.Message)
			}
			want := []string{"dagwork: work spawner panicked in OnRun: spawner gives up"}
			if bad {
				want = append(want, "dagwork: work spawner panicked in Shutdown: spawner cannot shut down")
				// Given up on, the work is left as the panic left it.
				require.Equal(t, basicwork.InternalRunning, internal(w))
			} else {
				require.Equal(t, basicwork.InternalAborted, internal(w))
			}
			require.Equal(t, want, msgs)
		})
	}
}

// sleepCmd is a RunCommandWork that runs "sleep 3600".
type sleepCmd struct{ process.RunCommandWork }

func (w *sleepCmd) GetCommand() process.CommandInfo {
	return process.CommandInfo{Command: "sleep 3600"}
}

// sleepChildren returns the pids of this process's children that run
// "sleep 3600", read from /proc.
func sleepChildren(t *testing.T) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	require.NoError(t, err)
	var pids []int
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...
		rest := b[bytes.LastIndexByte(b, ')')+2:]
		f := strings.Fields(string(rest))
		if len(f) < 2 || f[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		dir := filepath.Dir(p)
		cmd, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil || string(cmd) != "sleep\x003600\x00" {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(dir))
		pids = append(pids, pid)
	}
	return pids
}

// TestRecoverPanicsKillsProcess: as above, the child being a real process,
// "sleep 3600". Before, the process outlived Run; now it is killed and
// reaped before ExecuteWork returns: its /proc entry is gone.
func TestRecoverPanicsKillsProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	clock := vclock.New(vclock.RealTime)
	app := scheduler.NewApp(clock)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer devnull.Close()
	papp := process.NewApp(app, process.WithStdout(devnull), process.WithStderr(devnull), process.WithTmpDir(t.TempDir()))
	pm := papp.ProcessManager()
	defer pm.Shutdown()
	cmd := &sleepCmd{}
	cmd.Init(papp, "sleep", basicwork.RetryNever, cmd)
	w := &spawner{child: cmd}
	w.Init(app, "spawner", basicwork.RetryNever, w)
	var pids []int
	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: w, RecoverPanics: true}})
	require.NoError(t, err)
	// The process runs when the panic comes: look for it then.
	app.SetTransitionListener(func(e basicwork.TransitionEvent) {
		if e.Work == basicwork.Work(cmd) && e.To == basicwork.InternalWaiting {
			pids = sleepChildren(t)
		}
	})
	requireDAGFailed(t, execute(t, context.Background(), app, dag, 30*time.Second), dag, "spawner")
	require.Len(t, pids, 1, "the process was running")
	require.Equal(t, basicwork.InternalAborted, internal(cmd))
	_, err = os.Stat(fmt.Sprintf("/proc/%d", pids[0]))
	require.True(t, os.IsNotExist(err), "process %d is gone: %v", pids[0], err)
	require.Empty(t, sleepChildren(t))
	require.Zero(t, pm.NumRunningOrShuttingDownProcesses())
}

// TestStartPanicDoesNotConsumeNode: a transition listener panics when the
// second node's work starts. The caller recovers the panic out of Crank and
// cranks on: the node, whose work did start, runs to its end, and the graph
// succeeds. Before, the node was taken off the ready queue before its start,
// which then left it Pending for ever.
func TestStartPanicDoesNotConsumeNode(t *testing.T) {
	{
		app, _ := newApp(t)
		var log []string
		a, b := newLogWork(app, "a", &log), newLogWork(app, "b", &log)
		dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: a}, {Work: b}}, dagwork.WithMaxConcurrency(1))
		require.NoError(t, err)
		panics := 0
		app.SetTransitionListener(func(e basicwork.TransitionEvent) {
			if e.Work == basicwork.Work(b) && e.To == basicwork.InternalRunning && panics == 0 {
				panics++
				panic("listener")
			}
		})
		require.Equal(t, 1, scheduleRecovering(app, dag))
		require.Equal(t, basicwork.Success, dag.State())
		require.Equal(t, []string{"a", "b"}, log)
		requireNode(t, dag, "b", dagwork.Success)
	}
}

// TestNodeListenerPanicDoesNotConsumeNode: the same with the DAGWork's own
// node listener, panicking when the node becomes Running: the node's
// bookkeeping is complete before the listener is told, so the DAGWork
// goes on.
func TestNodeListenerPanicDoesNotConsumeNode(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	panics := 0
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: newLogWork(app, "a", &log)},
		{Work: newLogWork(app, "b", &log)},
	}, dagwork.WithMaxConcurrency(1), dagwork.WithNodeListener(func(e dagwork.NodeEvent) {
		if e.Name == "b" && e.To == dagwork.Running && panics == 0 {
			panics++
			panic("node listener")
		}
	}))
	require.NoError(t, err)
	require.Equal(t, 1, scheduleRecovering(app, dag))
	require.Equal(t, basicwork.Success, dag.State())
	require.Equal(t, []string{"a", "b"}, log)
}

// scheduleRecovering schedules w and cranks until it is done (100 cranks at
// most), recovering panics out of Crank; it returns how many it recovered.
func scheduleRecovering(app *scheduler.App, w basicwork.Work) int {
	app.WorkScheduler().ScheduleWork(w)
	recovered := 0
	for k := 0; k < 100 && !w.IsDone(); k++ {
		if crankRecovering(app.Clock()) != nil {
			recovered++
		}
	}
	return recovered
}

// TestNodeListenerPanicOnSuccessReadiesDependents: the node listener
// panics when a node succeeds. The dependents of that node are still made
// ready, then the panic goes on; a caller that recovers cranks on to the
// end. Before, the panic cut the bookkeeping short: the dependent stayed
// Pending for ever, and the DAGWork's end panicked on it.
func TestNodeListenerPanicOnSuccessReadiesDependents(t *testing.T) {
	app, _ := newApp(t)
	var log []string
	panics := 0
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: newLogWork(app, "a", &log)},
		{Work: newLogWork(app, "b", &log), Deps: []string{"a"}},
		{Work: newFailWork(app, "c")},
		{Work: newLogWork(app, "d", &log), Deps: []string{"c"}},
	}, dagwork.WithMaxConcurrency(1), dagwork.WithNodeListener(func(e dagwork.NodeEvent) {
		if (e.To == dagwork.Success || e.To == dagwork.Failed) && panics < 2 {
			panics++
			panic("node listener on " + e.Name)
		}
	}))
	require.NoError(t, err)
	require.Equal(t, 2, scheduleRecovering(app, dag))
	require.Equal(t, basicwork.Failure, dag.State())
	require.Equal(t, []string{"a", "b"}, log)
	requireNode(t, dag, "b", dagwork.Success)
	requireNode(t, dag, "d", dagwork.Blocked)
}

// crankRecovering cranks clock once, without blocking, and returns what it
// panicked with, or nil.
func crankRecovering(clock *vclock.Clock) (v any) {
	defer func() { v = recover() }()
	clock.Crank(false)
	return nil
}
