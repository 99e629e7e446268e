package scheduler_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/vclockhook"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// stepper runs steps times, logging each run, and panics on its panicAt-th
// run (0: never).
type stepper struct {
	basicwork.BasicWork
	log            *[]string
	steps, panicAt int
	n              int
}

func (w *stepper) OnRun() basicwork.State {
	w.n++
	*w.log = append(*w.log, fmt.Sprintf("%s %d", w.Name(), w.n))
	if w.n == w.panicAt {
		panic(w.Name() + " panics")
	}
	if w.n >= w.steps {
		return basicwork.Success
	}
	return basicwork.Running
}

func (w *stepper) OnAbort() bool { return true }

// TestSelfPostMatchesDeferredPost plays one random script on two setups of
// one clock and two Apps: in the first, the clock's Self is taken before
// the Apps are made, so that both WorkSchedulers post themselves again
// with a deferred PostOnCrank; in the second, the first WorkScheduler to
// post holds the Self and posts through it, and the other takes it over
// once it is free. Works that step, finish and panic are scheduled on
// either App at random cranks. Every crank must report the same progress
// or panic, the works must run in the same order, and ActionQueueSize and
// both schedulers' states must agree before each crank (vclock's
// TestSelfPostMatchesPostOnCrank compares the action scheduler's
// statistics too).
func TestSelfPostMatchesDeferredPost(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		script := rapid.SliceOfN(rapid.IntRange(0, 9), 1, 60).Draw(t, "script")
		play := func(taken bool) (log, steps []string) {
			c := vclock.New(vclock.VirtualTime)
			if taken {
				vclockhook.SelfOf(c).Fn = func() {}
			}
			apps := []*scheduler.App{scheduler.NewApp(c), scheduler.NewApp(c)}
			crank := func() {
				step := fmt.Sprintf("size %d ws %v %v ", c.ActionQueueSize(),
					apps[0].WorkScheduler().State(), apps[1].WorkScheduler().State())
				func() {
					defer func() {
						if p := recover(); p != nil {
							step += fmt.Sprint("panic ", p)
						}
					}()
					step += fmt.Sprint("progress ", c.Crank(false))
				}()
				steps = append(steps, step)
			}
			for i, op := range script {
				if op < 5 {
					w := &stepper{log: &log, steps: 1 + i%4, panicAt: []int{0, 0, 1, 3}[op%4]}
					app := apps[op%2]
					w.Init(app, fmt.Sprint("w", i), basicwork.RetryNever, w)
					app.WorkScheduler().ScheduleWork(w)
					continue
				}
				crank()
			}
			for i := 0; i < 100 && c.ActionQueueSize() > 0; i++ {
				crank()
			}
			return log, steps
		}
		wantLog, wantSteps := play(true)
		gotLog, gotSteps := play(false)
		require.Equal(t, wantLog, gotLog, "works run")
		require.Equal(t, wantSteps, gotSteps, "cranks")
	})
}
