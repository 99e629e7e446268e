package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// ticker wakes up every second, forever.
type ticker struct {
	basicwork.BasicWork
	ticks int
}

func (w *ticker) OnRun() basicwork.State {
	w.ticks++
	w.SetupWaitingCallback(time.Second)
	return basicwork.Waiting
}

func (w *ticker) OnAbort() bool { return true }

// ExecuteWork runs one work to its end, or until its context is cancelled:
// then the work is shut down, the clock cranked until it has aborted, and
// an error returned that matches the context's error and says how the work
// ended. Here a virtual timer cancels the context after 5.5 s of virtual
// time, which passes in no time.
func ExampleWorkScheduler_ExecuteWork() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	w := &ticker{}
	w.Init(app, "ticker", basicwork.RetryNever, w)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := vclock.NewTimer(app.Clock())
	stop.ExpiresFromNow(5500 * time.Millisecond)
	stop.AsyncWaitFunc(cancel, vclock.OnFailureNoop)

	err := app.WorkScheduler().ExecuteWork(ctx, w)
	fmt.Println("cancelled:", errors.Is(err, context.Canceled))
	var we *basicwork.WorkError
	if errors.As(err, &we) {
		fmt.Println("work:", we.Name, we.State, errors.Is(err, basicwork.ErrWorkAborted))
	}
	fmt.Println("state:", w.State(), "after", w.ticks, "ticks")
	fmt.Println("at:", app.Clock().Elapsed())
	// Output:
	// cancelled: true
	// work: ticker WORK_ABORTED true
	// state: WORK_ABORTED after 6 ticks
	// at: 5.5s
}

// ExecuteWork returns nil only for a work that ends in success. A failure is
// a *basicwork.WorkError that matches basicwork.ErrWorkFailed and carries
// the work's name, final state, status and the cause it recorded: here the
// error of a WorkWithCallback's callback.
func ExampleWorkScheduler_ExecuteWork_failure() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	errDiskFull := errors.New("disk full")
	w, err := basicwork.NewWorkWithCallback(app, "save", func(basicwork.Application) (bool, error) {
		return false, errDiskFull
	})
	if err != nil {
		panic(err)
	}
	err = app.WorkScheduler().ExecuteWork(context.Background(), w)
	fmt.Println(err)
	fmt.Println(errors.Is(err, basicwork.ErrWorkFailed), errors.Is(err, errDiskFull))
	var we *basicwork.WorkError
	if errors.As(err, &we) {
		fmt.Printf("%s | %s | %q | %v\n", we.Name, we.State, we.Status, we.Cause)
	}
	// Output:
	// work save: work failed (Failed: save): disk full
	// true true
	// save | WORK_FAILURE | "Failed: save" | disk full
}

// Run is a program's main loop: it cranks the clock until the context is
// done, then shuts every scheduled work down and cranks until they have
// aborted, so that nothing runs once it returns. A program cancels the
// context on a signal (signal.NotifyContext); here a virtual timer does,
// at 3.5 s.
func ExampleWorkScheduler_Run() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	ws := app.WorkScheduler()

	quick, err := basicwork.NewWorkWithCallback(app, "quick", func(basicwork.Application) (bool, error) {
		return true, nil
	})
	if err != nil {
		panic(err)
	}
	forever := &ticker{}
	forever.Init(app, "forever", basicwork.RetryNever, forever)
	ws.ScheduleWork(quick)
	ws.ScheduleWork(forever)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := vclock.NewTimer(app.Clock())
	stop.ExpiresFromNow(3500 * time.Millisecond)
	stop.AsyncWaitFunc(cancel, vclock.OnFailureNoop)

	err = ws.Run(ctx)
	fmt.Println("Run:", err, errors.Is(err, context.Canceled))
	fmt.Println(quick.Name(), quick.State())
	fmt.Println(forever.Name(), forever.State(), "after", forever.ticks, "ticks")
	fmt.Println(ws.Name(), ws.State())
	// Output:
	// Run: context canceled true
	// quick WORK_SUCCESS
	// forever WORK_ABORTED after 4 ticks
	// work-scheduler WORK_ABORTED
}
