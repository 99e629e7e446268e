package scheduler_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// scripted follows its script, one entry per crank: 'r' Running, 'w'
// waiting 1 s on its timer, 's' Success, 'f' Failure. A failure with a
// retry left waits for the retry; each attempt starts the script again.
type scripted struct {
	basicwork.BasicWork
	script string
	at     int
}

func (w *scripted) OnRun() basicwork.State {
	c := w.script[w.at]
	w.at++
	switch c {
	case 'r':
		return basicwork.Running
	case 'w':
		w.SetupWaitingCallback(time.Second)
		return basicwork.Waiting
	case 's':
		return basicwork.Success
	}
	return basicwork.Failure
}
func (w *scripted) OnAbort() bool { return true }
func (w *scripted) OnReset()      { w.at = 0 }

// TestChildStatusMatchesScan: AnyChildRunning, AllChildrenDone,
// AllChildrenSuccessful, AnyChildRaiseFailure and CheckChildrenStatus,
// which look only at the children that do not wait (issue 15, item 4),
// agree after every crank with a scan of every child, as the C++ computes
// them, for random scripts of many works scheduled at random cranks, some
// of them shut down.
func TestChildStatusMatchesScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		clock := vclock.New(vclock.VirtualTime)
		app := scheduler.NewApp(clock, scheduler.WithRand(basicwork.LowerBound{}))
		ws := app.WorkScheduler()
		n := rapid.IntRange(1, 12).Draw(t, "works")
		var works []*scripted
		for i := range n {
			body := rapid.StringMatching(`[rw]{0,4}[sf]`).Draw(t, fmt.Sprint("script", i))
			w := &scripted{script: body}
			w.Init(app, fmt.Sprint("w", i), rapid.IntRange(0, 1).Draw(t, fmt.Sprint("retries", i)), w)
			works = append(works, w)
		}
		scheduleAt := rapid.SliceOfN(rapid.IntRange(0, 20), n, n).Draw(t, "scheduleAt")
		shutdownAt := rapid.SliceOfN(rapid.IntRange(-1, 30), n, n).Draw(t, "shutdownAt")
		for crank := 0; crank < 400; crank++ {
			for i, w := range works {
				if scheduleAt[i] == crank {
					ws.ScheduleWork(w)
				}
				if shutdownAt[i] == crank && baseOf(w).InternalState() != basicwork.InternalPending {
					w.Shutdown()
					ws.WakeUp(nil)
				}
			}
			clock.Crank(false)
			checkChildStatus(t, ws, crank)
		}
	})
}

// checkChildStatus compares the scheduler's answers with a scan.
func checkChildStatus(t *rapid.T, ws *scheduler.WorkScheduler, crank int) {
	running, done, success, failure := false, true, true, false
	for _, c := range ws.Children() {
		st := c.State()
		running = running || st == basicwork.Running
		done = done && st.IsDone()
		success = success && st == basicwork.Success
		failure = failure || st == basicwork.Failure
	}
	want := basicwork.Running
	switch {
	case success:
		want = basicwork.Success
	case failure:
		want = basicwork.Failure
	case !running:
		want = basicwork.Waiting
	}
	got := []bool{ws.AnyChildRunning(), ws.AllChildrenDone(), ws.AllChildrenSuccessful(), ws.AnyChildRaiseFailure()}
	if exp := []bool{running, done, success, failure}; fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Fatalf("crank %d: running, done, successful, failure = %v, a scan says %v", crank, got, exp)
	}
	if st := ws.CheckChildrenStatus(); st != want {
		t.Fatalf("crank %d: CheckChildrenStatus %v, a scan says %v", crank, st, want)
	}
}
