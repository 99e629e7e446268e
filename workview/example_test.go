package workview_test

import (
	"fmt"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worksequence"
	"github.com/stellarwork/stellarwork/workview"
)

// fetch waits on the clock, then succeeds; its first attempt fails.
type fetch struct {
	basicwork.BasicWork
	d       time.Duration
	waiting bool
}

func newFetch(app basicwork.Application, name string, d time.Duration) *fetch {
	f := &fetch{d: d}
	f.Init(app, name, basicwork.RetryAFew, f)
	return f
}

func (f *fetch) OnRun() basicwork.State {
	if !f.waiting {
		f.waiting = true
		f.SetupWaitingCallback(f.d)
		return basicwork.Waiting
	}
	if f.Attempt() == 1 {
		return basicwork.Failure
	}
	return basicwork.Success
}

func (f *fetch) OnAbort() bool { return true }
func (f *fetch) OnReset()      { f.waiting = false }

// The status view of a tree: a sequence whose first work failed once and
// waits for its retry. Retry delays are drawn at their lower bound, so the
// view is the same every run.
func ExampleSnapshot() {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.LowerBound{}))
	seq, _ := worksequence.New(app, "checkpoint-63", []basicwork.Work{
		newFetch(app, "download-63", 3*time.Second),
		newFetch(app, "verify-63", time.Second),
	})
	app.WorkScheduler().ScheduleWork(seq)
	// Crank until the first download failed, at 3 s, and the tree waits.
	for clock.Elapsed() < 3*time.Second || seq.State() != basicwork.Waiting {
		clock.Crank(true)
	}
	snap := workview.Snapshot(seq, workview.Now(seq))
	fmt.Print(snap.Render())
	fmt.Println(snap.Metrics())
	// Output:
	// WORK            STATE    IN STATE  RETRIES  STATUS
	// checkpoint-63   WAITING      0.0s  0/5      Retrying in 1 sec: download-63
	// ├─ download-63  WAITING      0.0s  0/5      Retrying in 1 sec: download-63
	// └─ verify-63    PENDING      3.0s  0/5      Ready to run: verify-63
	// works=3 pending=1 waiting=2 attempts=2 retries_left=15
}

// Collect counts the works of a tree by state, and sums their attempts and
// the retries left in their budgets.
func ExampleCollect() {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.LowerBound{}))
	ws := app.WorkScheduler()
	for _, name := range []string{"a", "b", "c"} {
		ws.ScheduleWork(newFetch(app, name, time.Second))
	}
	for clock.Elapsed() < 2*time.Second {
		clock.Crank(true)
	}
	m := workview.Collect(ws)
	fmt.Println(m)
	fmt.Println("waiting:", m.Waiting(), "done:", m.Done())
	// Output:
	// works=4 running=4 attempts=7 retries_left=12
	// waiting: 0 done: 0
}

// Walk visits a tree depth first, parents first.
func ExampleWalk() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	seq, _ := worksequence.New(app, "seq", []basicwork.Work{
		newFetch(app, "one", time.Second),
		newFetch(app, "two", time.Second),
	})
	workview.Walk(seq, func(w basicwork.Work, depth int) bool {
		fmt.Printf("%*s%s\n", 2*depth, "", w.Name())
		return true
	})
	// Output:
	// seq
	//   one
	//   two
}

func ExampleFormatDuration() {
	for _, d := range []time.Duration{1234 * time.Millisecond, 62 * time.Second, 3723 * time.Second} {
		fmt.Println(workview.FormatDuration(d))
	}
	// Output:
	// 1.2s
	// 1m02.0s
	// 1h02m03s
}
