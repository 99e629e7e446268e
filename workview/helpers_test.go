package workview_test

import (
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// sleeper waits d on the clock, then succeeds (or fails, if fail is set).
type sleeper struct {
	basicwork.BasicWork
	d       time.Duration
	fail    bool
	started bool
}

func newSleeper(app basicwork.Application, name string, d time.Duration, retries int) *sleeper {
	s := &sleeper{d: d}
	s.Init(app, name, retries, s)
	return s
}

func (s *sleeper) OnRun() basicwork.State {
	if !s.started {
		s.started = true
		s.SetupWaitingCallback(s.d)
		return basicwork.Waiting
	}
	if s.fail {
		return basicwork.Failure
	}
	return basicwork.Success
}

func (s *sleeper) OnAbort() bool { return true }
func (s *sleeper) OnReset()      { s.started = false }

// parent adds its children on its first run and ends with their summed-up
// state.
type parent = work.Group

func newParent(app basicwork.Application, name string, kids ...basicwork.Work) *parent {
	return work.NewGroup(app, name, basicwork.RetryNever, kids...)
}

func newApp() *scheduler.App {
	return scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithRand(basicwork.LowerBound{}))
}

// crankUntil cranks app's clock until cond holds, at most 10000 times.
func crankUntil(app *scheduler.App, cond func() bool) {
	for n := 0; !cond(); n++ {
		if n == 10000 {
			panic("crankUntil: too many cranks")
		}
		app.Clock().Crank(false)
	}
}
