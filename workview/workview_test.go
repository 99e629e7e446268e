package workview_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/worksequence"
	"github.com/stellarwork/stellarwork/workview"
)

// tree builds, under the scheduler of app:
//
//	root
//	├─ sleep-10s    waits 10 s, then succeeds
//	├─ flaky        waits 1 s, then fails; 5 retries
//	├─ seq          a sequence of step-a and step-b, 2 s each
//	└─ gate         runs gated (1 s) once the clock reads 4 s
func tree(app *scheduler.App) (*parent, map[string]basicwork.Work) {
	flaky := newSleeper(app, "flaky", time.Second, basicwork.RetryAFew)
	flaky.fail = true
	seq, err := worksequence.New(app, "seq", []basicwork.Work{
		newSleeper(app, "step-a", 2*time.Second, basicwork.RetryNever),
		newSleeper(app, "step-b", 2*time.Second, basicwork.RetryNever),
	})
	if err != nil {
		panic(err)
	}
	clock := app.Clock()
	gate, err := conditionalwork.New(app, "gate",
		func(basicwork.Application) bool { return clock.Elapsed() >= 4*time.Second },
		newSleeper(app, "gated", time.Second, basicwork.RetryNever),
		conditionalwork.WithSleepDelay(time.Second))
	if err != nil {
		panic(err)
	}
	sleep := newSleeper(app, "sleep-10s", 10*time.Second, basicwork.RetryNever)
	root := newParent(app, "root", sleep, flaky, seq, gate)
	app.WorkScheduler().ScheduleWork(root)
	works := map[string]basicwork.Work{"root": root, "sleep-10s": sleep, "flaky": flaky, "seq": seq, "gate": gate}
	return root, works
}

func TestSnapshotAndMetricsAtThreeSeconds(t *testing.T) {
	app := newApp()
	root, _ := tree(app)
	clock := app.Clock()
	crankUntil(app, func() bool { return clock.Elapsed() >= 3*time.Second })
	require.Equal(t, 3*time.Second, clock.Elapsed())

	snap := workview.Snapshot(root, workview.Now(root))
	got := snap.Render()
	t.Log("\n" + got)
	// At 3 s the timers of flaky (its retry's wait) and of gate (its next
	// check) have fired and woken them and root, which are not cranked yet.
	want := `WORK          STATE    IN STATE  RETRIES  STATUS
root          RUNNING      0.0s  0/0      Running: root : 0/4 children completed
├─ sleep-10s  WAITING      3.0s  0/0      Waiting: sleep-10s
├─ flaky      RUNNING      0.0s  1/5      Running: flaky
├─ seq        WAITING      1.0s  0/5      Waiting: step-b
│  ├─ step-a  SUCCESS      1.0s  0/0      Succeeded: step-a
│  └─ step-b  WAITING      1.0s  0/0      Waiting: step-b
└─ gate       RUNNING      0.0s  0/0      Waiting before starting Ready to run: gated
   └─ gated   PENDING      3.0s  0/0      Ready to run: gated
`
	require.Equal(t, want, got)

	m := workview.Collect(root)
	require.Equal(t, snap.Metrics(), m)
	require.Equal(t, 8, m.Total)
	require.Equal(t, 3, m.Running())
	require.Equal(t, 3, m.Waiting())
	require.Equal(t, 1, m.Pending())
	require.Equal(t, 1, m.Succeeded())
	require.Equal(t, 0, m.Failed()+m.Aborted()+m.Aborting())
	require.Equal(t, 1, m.Done())
	require.Equal(t, 3, m.Count(basicwork.InternalWaiting))
	require.Equal(t, 0, m.Count(basicwork.InternalState(99)))
	// Attempts: every started work has one, flaky two (it is on its second).
	require.Equal(t, 8, m.Attempts)
	// Retries left: flaky 5-1, seq 5 (its default budget); the others have none.
	require.Equal(t, 9, m.RetriesLeft)
	require.Equal(t, "works=8 pending=1 running=3 waiting=3 success=1 attempts=8 retries_left=9", m.String())
}

func TestSnapshotFollowsTheTree(t *testing.T) {
	app := newApp()
	root, works := tree(app)
	clock := app.Clock()
	crankUntil(app, func() bool { return clock.Elapsed() >= 3*time.Second })
	// Run what woke up at 3 s, until root waits again: flaky fails its
	// second attempt and waits 2 s (the backoff after one retry), gate
	// checks its condition again and waits.
	crankUntil(app, func() bool { return root.State() == basicwork.Waiting })
	require.Equal(t, 3*time.Second, clock.Elapsed())
	snap := workview.Snapshot(root, workview.Now(root))
	flaky := snap.Find("flaky")
	require.NotNil(t, flaky)
	require.Equal(t, basicwork.InternalWaiting, flaky.State)
	require.Equal(t, "Retrying in 2 sec: flaky", flaky.Status)
	require.Equal(t, 2, flaky.Attempts())
	require.Equal(t, 4, flaky.RetriesLeft())
	require.Equal(t, basicwork.InternalWaiting, snap.Find("gate").State)
	require.Nil(t, snap.Find("nobody"))

	// The sequence is done at 4 s, and root dropped it as its round-robin
	// walk passed it; gated starts at 4 s and is done at 5 s, when flaky
	// starts its third attempt.
	crankUntil(app, func() bool { return works["gate"].IsDone() })
	require.Equal(t, 5*time.Second, clock.Elapsed())
	m := workview.Collect(root)
	require.Equal(t, "works=5 running=1 waiting=2 success=2 attempts=7 retries_left=3", m.String())
	require.Equal(t, []string{"root", "sleep-10s", "flaky", "gate", "gated"}, names(root))

	// flaky uses its 5 retries (1+2+3+5+9 s of backoff, 1 s per attempt)
	// and fails at 26 s, and root with it. By then root's walk has dropped
	// every child as it finished: the tree is root alone.
	crankUntil(app, root.IsDone)
	require.Equal(t, basicwork.Failure, root.State())
	require.Equal(t, 26*time.Second, clock.Elapsed())
	m = workview.Collect(root)
	require.Equal(t, "works=1 failure=1 attempts=1 retries_left=0", m.String())
	require.Equal(t, 1, m.Failed())
	require.Equal(t, 1, m.Done())
	require.Equal(t, 6, baseOf(works["flaky"]).Attempt())
}

// names lists the works of the tree under root, as Walk visits them.
func names(root basicwork.Work) []string {
	var out []string
	workview.Walk(root, func(w basicwork.Work, _ int) bool {
		out = append(out, w.Name())
		return true
	})
	return out
}
