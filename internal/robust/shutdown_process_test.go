package robust

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worksequence"
)

// command is a RunCommandWork running a fixed command line. hook, if set,
// is called first in GetCommand (a place to inject a panic).
type command struct {
	process.RunCommandWork
	cmd  string
	hook func()
}

func newCommand(app process.Application, name, cmd string, retries int) *command {
	w := &command{cmd: cmd}
	w.Init(app, name, retries, w)
	return w
}

func (w *command) GetCommand() process.CommandInfo {
	if w.hook != nil {
		w.hook()
	}
	return process.CommandInfo{Command: w.cmd}
}

// processTree is a scheduler running real processes on a virtual clock: a
// sequence (not stopping at failures) of a short sleep, a command that
// fails and is retried once, and one that succeeds, next to a longer sleep.
type processTree struct {
	clock  *vclock.Clock
	ws     *scheduler.WorkScheduler
	pm     *process.Manager
	works  []basicwork.Work
	devnul *os.File
}

func newProcessTree(t *testing.T, opts ...scheduler.Option) *processTree {
	t.Helper()
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, append([]scheduler.Option{scheduler.WithRand(basicwork.LowerBound{})}, opts...)...)
	// Processes hold virtual time, so that a non-blocking crank that finds
	// nothing to do means the tree is stuck (crankUntil).
	papp := process.NewApp(app, process.WithKillGrace(50*time.Millisecond), process.WithStdout(devnull), process.WithStderr(devnull),
		process.WithTmpDir(t.TempDir()), process.WithHoldVirtualTime())
	pm := papp.ProcessManager()
	short := newCommand(papp, "short", "sleep 0.02", basicwork.RetryNever)
	fails := newCommand(papp, "fails", "false", basicwork.RetryOnce)
	ok := newCommand(papp, "ok", "true", basicwork.RetryNever)
	seq, err := worksequence.New(app, "seq", []basicwork.Work{short, fails, ok},
		worksequence.WithMaxRetries(basicwork.RetryNever), worksequence.WithStopAtFirstFailure(false))
	if err != nil {
		t.Fatal(err)
	}
	long := newCommand(papp, "long", "sleep 0.06", basicwork.RetryNever)
	ws := app.WorkScheduler()
	ws.ScheduleWork(seq)
	ws.ScheduleWork(long)
	return &processTree{clock: clock, ws: ws, pm: pm, works: []basicwork.Work{seq, short, fails, ok, long}, devnul: devnull}
}

func (p *processTree) close() {
	p.pm.Shutdown()
	p.clock.Shutdown()
	p.devnul.Close()
}

// crankUntil cranks without blocking until cond holds; it fails at the
// deadline, or when a crank finds nothing to do and cond does not hold.
func (p *processTree) crankUntil(deadline time.Time, cond func() bool) error {
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out: scheduler %s, %d processes, %d background, %d posted",
				baseOf(p.ws).InternalState(), p.pm.NumRunningOrShuttingDownProcesses(),
				p.clock.BackgroundWorkCount(), p.clock.ActionQueueSize())
		}
		if p.clock.Crank(false) == 0 && !cond() {
			return fmt.Errorf("nothing left to crank: scheduler %s", baseOf(p.ws).InternalState())
		}
	}
	return nil
}

// TestShutdownAtEveryCrankRunCommand is the shutdown at every crank of a
// tree of RunCommandWorks running real processes: for every k up to the
// cranks of a full run, it shuts the scheduler down after crank k. The
// scheduler must reach WORK_ABORTED, and then no process may be left
// (running, shutting down or queued), no background work, no timer armed,
// and, once the manager is shut down, no goroutine.
func TestShutdownAtEveryCrankRunCommand(t *testing.T) {
	defer goleak.VerifyNone(t)
	base := newProcessTree(t)
	cranks := 0
	err := base.crankUntil(time.Now().Add(time.Minute), func() bool {
		cranks++
		return base.ws.AllChildrenDone()
	})
	base.close()
	if err != nil {
		t.Fatal(err)
	}
	if cranks > 400 {
		cranks = 400 // a slow machine: the first 400 cranks are enough
	}
	for k := 0; k <= cranks; k++ {
		p := newProcessTree(t)
		for i := 0; i < k && !p.ws.AllChildrenDone(); i++ {
			p.clock.Crank(false)
		}
		p.ws.Shutdown()
		deadline := time.Now().Add(time.Minute)
		if err := p.crankUntil(deadline, func() bool { return p.ws.State() == basicwork.Aborted }); err != nil {
			p.close()
			t.Fatalf("shutdown after crank %d: %v", k, err)
		}
		var errs []string
		if n := p.pm.NumRunningOrShuttingDownProcesses() + p.pm.NumPendingProcesses(); n != 0 {
			errs = append(errs, fmt.Sprintf("%d processes left", n))
		}
		for _, w := range p.works {
			switch st := baseOf(w).InternalState(); st {
			case basicwork.InternalPending, basicwork.InternalSuccess, basicwork.InternalFailure, basicwork.InternalAborted:
			default:
				errs = append(errs, fmt.Sprintf("%s is %s", w.Name(), st))
			}
		}
		// The watchers post the exits they reaped: let them land.
		if err := p.crankUntil(deadline, func() bool {
			return p.clock.BackgroundWorkCount() == 0 && p.clock.ActionQueueSize() == 0
		}); err != nil {
			errs = append(errs, err.Error())
		}
		if n := p.clock.PendingTimers(); n != 0 {
			errs = append(errs, fmt.Sprintf("%d timers armed", n))
		}
		p.close()
		if len(errs) > 0 {
			t.Fatalf("shutdown after crank %d: %v", k, errs)
		}
	}
	t.Logf("%d shutdowns", cranks+1)
}

// TestInjectedPanicRunCommand injects one panic into the process tree of
// TestShutdownAtEveryCrankRunCommand: in the transition listener, at a
// transition sampled over a full run, or in a command's GetCommand, at each
// of its calls. The panic is recovered out of Crank and the tree cranks on:
// it must finish (every scheduled work done) with no second panic, and after
// the scheduler's shutdown no process may be left, no background work, no
// timer armed, nothing posted.
//
// The points are counted in transitions and GetCommand calls, not in
// cranks: how many cranks a run takes depends on how long its processes
// take in real time (a crank that waits for them sleeps a millisecond), so
// a crank number may lie past the end of a run on a loaded machine. The
// transitions and calls are the same on every run: the processes hold
// virtual time and their exits are delivered in start order, so a baseline
// run counts them, and each injected run repeats it up to its panic.
func TestInjectedPanicRunCommand(t *testing.T) {
	defer goleak.VerifyNone(t)
	transitions, calls := 0, 0
	base := newProcessTree(t, scheduler.WithTransitionListener(func(basicwork.TransitionEvent) { transitions++ }))
	for _, w := range base.works {
		if c, ok := w.(*command); ok {
			c.hook = func() { calls++ }
		}
	}
	transitions = 0 // the scheduler's first ones, in NewApp, come before any crank
	err := base.crankUntil(time.Now().Add(time.Minute), base.ws.AllChildrenDone)
	base.close()
	if err != nil {
		t.Fatal(err)
	}
	// Five commands run: short, long, ok, and fails twice (retried once).
	if calls != 5 {
		t.Fatalf("%d GetCommand calls in a full run, want 5", calls)
	}
	const points = 6
	type point struct {
		where string
		k     int
	}
	var at []point
	for i := range points {
		at = append(at, point{"listener", i * transitions / points})
	}
	for k := range calls {
		at = append(at, point{"GetCommand", k})
	}
	for _, pt := range at {
		where, k := pt.where, pt.k
		name := fmt.Sprintf("listener/at-transition-%d-of-%d", k+1, transitions)
		if where == "GetCommand" {
			name = fmt.Sprintf("GetCommand/at-call-%d-of-%d", k+1, calls)
		}
		t.Run(name, func(t *testing.T) {
			// seen counts the listener's or GetCommand's calls once the
			// cranks begin; the panic fires at call k+1.
			cranking, seen, fired := false, 0, false
			fire := func() {
				if !cranking {
					return
				}
				seen++
				if !fired && seen > k {
					fired = true
					panic(boom{where})
				}
			}
			var opts []scheduler.Option
			if where == "listener" {
				opts = append(opts, scheduler.WithTransitionListener(func(basicwork.TransitionEvent) { fire() }))
			}
			p := newProcessTree(t, opts...)
			defer p.close()
			if where == "GetCommand" {
				for _, w := range p.works {
					if c, ok := w.(*command); ok {
						c.hook = fire
					}
				}
			}
			deadline := time.Now().Add(time.Minute)
			var panics []any
			cranking = true
			for !p.ws.AllChildrenDone() {
				if time.Now().After(deadline) {
					t.Fatalf("timed out; panics %v", panics)
				}
				progress := 0
				if v, panicked := catch(func() { progress = p.clock.Crank(false) }); panicked {
					panics = append(panics, v)
					continue
				}
				if progress == 0 && !p.ws.AllChildrenDone() {
					t.Fatalf("nothing left to crank: scheduler %s; panics %v", baseOf(p.ws).InternalState(), panics)
				}
			}
			if !fired {
				t.Fatalf("the panic did not fire in %d calls", seen)
			}
			if len(panics) != 1 {
				t.Fatalf("panics: %v", panics)
			}
			p.ws.Shutdown()
			if err := p.crankUntil(deadline, func() bool {
				return p.ws.State() == basicwork.Aborted && p.clock.BackgroundWorkCount() == 0 && p.clock.ActionQueueSize() == 0
			}); err != nil {
				t.Fatal(err)
			}
			if n := p.pm.NumRunningOrShuttingDownProcesses() + p.pm.NumPendingProcesses(); n != 0 {
				t.Fatalf("%d processes left", n)
			}
			if n := p.clock.PendingTimers(); n != 0 {
				t.Fatalf("%d timers armed", n)
			}
			for _, w := range p.works {
				if !w.IsDone() {
					t.Fatalf("%s ends %s", w.Name(), baseOf(w).InternalState())
				}
			}
		})
	}
}
