// Command workdemo runs a small work tree in virtual time and prints, after
// each crank of the clock, the status of every work.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// step is a leaf that takes a number of steps of simulated time, failing
// its first attempts as told.
type step struct {
	basicwork.BasicWork
	steps, left, failFirst, attempts int
	cost                             time.Duration
}

func newStep(app basicwork.Application, name string, steps, failFirst int) *step {
	s := &step{steps: steps, left: steps, failFirst: failFirst, cost: 10 * time.Millisecond}
	s.Init(app, name, basicwork.RetryAFew, s)
	return s
}

func (s *step) OnRun() basicwork.State {
	s.App().Clock().SleepFor(s.cost)
	if s.left--; s.left > 0 {
		return basicwork.Running
	}
	s.attempts++
	if s.attempts <= s.failFirst {
		return basicwork.Failure
	}
	return basicwork.Success
}

func (s *step) OnAbort() bool { return true }
func (s *step) OnReset()      { s.left = s.steps }

// parent waits for its children.
type parent struct{ work.Work }

func newParent(app basicwork.Application, name string) *parent {
	p := &parent{}
	p.Init(app, name, basicwork.RetryNever, p)
	return p
}

func (p *parent) DoWork() basicwork.State { return p.CheckChildrenStatus() }

func main() {
	maxCranks := flag.Int("max-cranks", 1000, "stop after this many cranks")
	flag.Parse()

	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.NewRand(1)))
	ws := app.WorkScheduler()

	root := newParent(app, "catchup")
	ws.ScheduleWork(root)
	leaves := []basicwork.Work{
		newStep(app, "download-ledgers", 4, 0),
		newStep(app, "download-transactions", 3, 1),
		newStep(app, "verify-chain", 2, 0),
	}
	for _, l := range leaves {
		if err := root.AddWork(l); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	tracked := append([]basicwork.Work{ws, root}, leaves...)
	for n := 1; !root.IsDone() && n <= *maxCranks; n++ {
		p := clock.Crank(true)
		fmt.Printf("crank %d progress=%d t=%v\n", n, p, clock.Elapsed())
		for _, w := range tracked {
			fmt.Printf("  %s\n", w.Status())
		}
	}
	fmt.Printf("done: %s after %v of virtual time\n", root.State(), clock.Elapsed())
}
