// Package stellarwork is a Go port of stellar-core's work subsystem
// (src/work/): a cooperative, single-threaded finite-state-machine framework
// for long-running, retryable, abortable tasks, driven by a virtual clock.
// This package holds no code; it is the guide. Every state, transition,
// retry and backoff rule, round-robin step, status string and log line is the
// C++ one, so a port of stellar-core logic can be checked against the C++,
// crank by crank.
//
// # The one idea
//
// A work is a state machine that moves only when something cranks it.
// Nothing in the library starts a goroutine, sleeps or reads the wall clock:
// time is what the [vclock.Clock] says, and a test moves it by calling
// [vclock.Clock.Crank]. In [vclock.VirtualTime] mode a crank with nothing to
// run jumps straight to the next timer, so an hour of retries takes a few
// microseconds and is the same on every run.
//
// # A leaf
//
// A leaf embeds [basicwork.BasicWork], calls Init with a pointer to itself
// (the library calls every overridable method through that value, as the
// C++ calls its virtual methods), and defines OnRun and OnAbort:
//
//	type download struct {
//		basicwork.BasicWork
//		left int
//	}
//
//	func newDownload(app basicwork.Application, name string) *download {
//		d := &download{left: 3}
//		d.Init(app, name, basicwork.RetryAFew, d)
//		return d
//	}
//
//	func (d *download) OnRun() basicwork.State {
//		if d.left--; d.left > 0 {
//			return basicwork.Running // crank me again
//		}
//		return basicwork.Success
//	}
//
//	func (d *download) OnAbort() bool { return true }
//
// OnRun returns [basicwork.Running] to be cranked again,
// [basicwork.Waiting] to sleep until something wakes it
// ([basicwork.BasicWork.SetupWaitingCallback] arms a timer that does),
// [basicwork.Success], or [basicwork.Failure], which is retried with
// exponential backoff while retries are left. OnReset puts the work back to
// its first step before every new attempt.
//
// # A parent
//
// A work with children embeds [work.Work] and defines DoWork, which runs
// whenever no child is ready to crank. [work.Work] cranks its children
// round-robin, one per crank, exactly as the C++ Work does. For the common
// shapes there are ready-made works: [work.Group] over a fixed list of
// children, [worksequence.WorkSequence] for one after another,
// [batchwork.NewSeq] and [batchwork.NewSlice] for many children a bounded
// number at a time, [conditionalwork.ConditionalWork] for a work held back
// until a condition holds, [dagwork] for a dependency graph, and
// [process.RunCommandWork] for a child process.
//
// # Running
//
// [scheduler.NewApp] builds the application around a clock: configuration,
// logger (zap), the jitter source of the backoff, and the root of every
// tree, the [scheduler.WorkScheduler]:
//
//	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
//	err := app.WorkScheduler().ExecuteWork(ctx, newDownload(app, "ledger-63"))
//
// [scheduler.WorkScheduler.ExecuteWork] cranks until the work is done and
// returns nil only if it succeeded. A long-running program schedules works
// with [scheduler.WorkScheduler.ScheduleWork] and runs
// [scheduler.WorkScheduler.Run] as its main loop. The clock belongs to the
// goroutine that cranks it; other goroutines hand it work with
// [vclock.Clock.PostAction].
//
// # Cancelling
//
// Cancel the context given to ExecuteWork or Run: the works are shut down,
// exactly as the C++ shutdown does (each child aborted, then its parent),
// and cranked until they are aborted, so nothing of the tree runs after the
// call returns. A single work is stopped with its Shutdown method. A work
// whose abort never ends keeps ExecuteWork cranking: stop the clock, posting
// its Shutdown from another goroutine (see ExecuteWork).
//
// # Watching
//
// [scheduler.WithTransitionListener] sees every change of state of every
// work, with its path in the tree, its attempt and the virtual time.
// Package [workview] counts a tree's works by state and draws it as an
// indented status view.
//
// # Testing with virtual time
//
// Build the application on a [vclock.VirtualTime] clock and crank it in a
// loop, or let ExecuteWork do so: timers fire in virtual time, in the order
// the C++ fires them, and a seeded [basicwork.Rand] (scheduler.WithRand)
// makes the backoff jitter reproducible. No test needs to sleep.
//
// # Recording a parity trace
//
// Package [worktest] writes the trace format of the C++ parity traces
// (docs/TRACES.md): a [worktest.Recorder] builds a virtual-time application
// whose log goes into the trace, and after each crank writes the state of
// the works it tracks. Record the same scenario with stellar-core's
// WorkTests harness and compare the two files byte for byte.
//
// Package worktest/scenario runs scenario files (docs/SCENARIOS.md): small
// datadriven files that build works, crank and check them, each command's
// part of the trace written under it. Register a kind for each of your
// works and run your files from your own go test; the library's 28 parity
// traces are scenario files of this kind (internal/parity).
//
// # Porting a C++ class
//
// Each C++ class of src/work has a Go type of the same name in a package of
// its own, and each virtual method a Go method of the same name in Go
// case: onRun is OnRun, doWork is DoWork, getStatus is Status. Methods that
// are final in C++ must not be redefined on the embedding type; Init checks
// this, and the cmd/workvet analyzer reports it, with overrides that forget
// to call the embedded method. docs/PORTING.md maps every C++ class and
// method to its Go name and lists every deliberate difference.
//
// The packages:
//
//   - [vclock]: the clock (VirtualClock, VirtualTimer).
//   - [basicwork]: one work's state machine (BasicWork), the application
//     interface, backoff and WorkWithCallback.
//   - [work]: a work with children (Work), and Group.
//   - [worksequence]: children one after another (WorkSequence).
//   - [batchwork]: children in parallel, a bounded number at a time
//     (BatchWork).
//   - [conditionalwork]: a work gated on a condition (ConditionalWork).
//   - [scheduler]: the root of a tree (WorkScheduler) and App.
//   - [process]: child processes (ProcessManager, RunCommandWork), owned
//     by the application (process.App).
//   - [historywork]: stellar-core's history file works (get, put, mkdir
//     through archive command templates, gzip, gunzip, batch download).
//   - [dagwork]: works over a dependency graph.
//   - [workview]: counts, snapshots and the status view of a tree.
//   - [worktest]: trace recording and crank helpers for a port's own tests.
//   - worktest/scenario: scenario files of a port's own works.
//
// stellar-core (Apache-2.0, Stellar Development Foundation and
// contributors) is the reference design; see NOTICE.
package stellarwork

// The imports below are only there so that the links of this guide resolve
// in go doc and pkgsite; the package has no code.
import (
	_ "github.com/stellarwork/stellarwork/basicwork"
	_ "github.com/stellarwork/stellarwork/batchwork"
	_ "github.com/stellarwork/stellarwork/conditionalwork"
	_ "github.com/stellarwork/stellarwork/dagwork"
	_ "github.com/stellarwork/stellarwork/historywork"
	_ "github.com/stellarwork/stellarwork/process"
	_ "github.com/stellarwork/stellarwork/scheduler"
	_ "github.com/stellarwork/stellarwork/vclock"
	_ "github.com/stellarwork/stellarwork/work"
	_ "github.com/stellarwork/stellarwork/worksequence"
	_ "github.com/stellarwork/stellarwork/worktest"
	_ "github.com/stellarwork/stellarwork/workview"
)
