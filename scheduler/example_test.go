package scheduler_test

import (
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// nap waits on the clock once, then succeeds.
type nap struct {
	basicwork.BasicWork
	d      time.Duration
	asleep bool
}

func newNap(app basicwork.Application, name string, d time.Duration) *nap {
	w := &nap{d: d}
	w.Init(app, name, basicwork.RetryNever, w)
	return w
}

func (w *nap) OnRun() basicwork.State {
	if !w.asleep {
		w.asleep = true
		w.SetupWaitingCallback(w.d)
		return basicwork.Waiting
	}
	return basicwork.Success
}

func (w *nap) OnAbort() bool { return true }

// NewApp builds the application around a clock; its options set the
// configuration, the Work logger, the retry jitter source and a transition
// listener.
func ExampleNewApp() {
	cfg := basicwork.DefaultConfig()
	cfg.MaxConcurrentSubprocesses = 4
	logger := zap.New(zapcore.NewCore(
		zapcore.NewConsoleEncoder(zapcore.EncoderConfig{MessageKey: "msg", LevelKey: "level", EncodeLevel: zapcore.CapitalLevelEncoder}),
		zapcore.AddSync(os.Stdout), zapcore.InfoLevel))
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime),
		scheduler.WithConfig(cfg),
		scheduler.WithLogger(logger),
		scheduler.WithRand(basicwork.NewRand(42)),
		scheduler.WithTransitionListener(func(e basicwork.TransitionEvent) {
			fmt.Printf("%v %s: %v -> %v\n", e.At, e.Path(), e.From, e.To)
		}))
	app.Logger().Info("app ready")
	fmt.Println(app.Config().MaxConcurrentSubprocesses, app.Clock().Mode(), app.WorkScheduler().State())
	// Output:
	// 0s work-scheduler: WORK_PENDING -> WORK_RUNNING
	// 0s work-scheduler: WORK_RUNNING -> WORK_WAITING
	// INFO	app ready
	// 4 VIRTUAL_TIME WORK_WAITING
}

// ScheduleWork adds a work to the tree and returns at once; the works make
// progress as the program cranks the clock. Here two works wait in
// parallel: the tree is done after 3 s of virtual time, not 5.
func ExampleWorkScheduler_ScheduleWork() {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	ws := app.WorkScheduler()
	a := ws.ScheduleWork(newNap(app, "two-seconds", 2*time.Second))
	b := ws.ScheduleWork(newNap(app, "three-seconds", 3*time.Second))
	fmt.Println(ws.Status())
	for !a.IsDone() || !b.IsDone() {
		clock.Crank(true)
	}
	fmt.Println(a.Status(), "|", b.Status(), "| at", clock.Elapsed())

	// Once shut down, the scheduler takes no more work.
	ws.Shutdown()
	for ws.State() != basicwork.Aborted {
		clock.Crank(true)
	}
	fmt.Println(ws.ScheduleWork(newNap(app, "late", time.Second)) == nil)
	// Output:
	// Running: work-scheduler : 0/2 children completed
	// Succeeded: two-seconds | Succeeded: three-seconds | at 3s
	// true
}

// SetTransitionListener can be set or removed at any time between cranks.
func ExampleApp_SetTransitionListener() {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	app.SetTransitionListener(func(e basicwork.TransitionEvent) {
		if e.Work != app.WorkScheduler() {
			fmt.Printf("%v %s: %v\n", e.At, e.Name(), e.To)
		}
	})
	w := app.WorkScheduler().ScheduleWork(newNap(app, "nap", time.Second))
	for !w.IsDone() {
		clock.Crank(true)
	}
	// Output:
	// 0s nap: WORK_RUNNING
	// 0s nap: WORK_WAITING
	// 1s nap: WORK_RUNNING
	// 1s nap: WORK_SUCCESS
}
