package workview_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/worksequence"
	"github.com/stellarwork/stellarwork/workview"
)

func TestTimeInState(t *testing.T) {
	app := newApp()
	w := newSleeper(app, "sleeper", 90*time.Second, basicwork.RetryNever)
	app.WorkScheduler().ScheduleWork(w)
	clock := app.Clock()
	crankUntil(app, func() bool { return w.State() == basicwork.Waiting })
	require.Equal(t, time.Duration(0), baseOf(w).Since())

	crankUntil(app, func() bool { return clock.Elapsed() > 0 })
	require.Equal(t, 90*time.Second, clock.Elapsed())
	// The timer fired: the work is Running again since 90 s.
	n := workview.Snapshot(w, workview.Now(w))
	require.Equal(t, basicwork.InternalRunning, n.State)
	require.Equal(t, 90*time.Second, n.Since)
	require.Equal(t, time.Duration(0), n.InState)

	// Later, and earlier than Since, as the caller says.
	n = workview.Snapshot(w, 95*time.Second+250*time.Millisecond)
	require.Equal(t, 5*time.Second+250*time.Millisecond, n.InState)
	require.Contains(t, n.Render(), "  RUNNING      5.2s  0/0      Running: sleeper\n")
	n = workview.Snapshot(w, time.Second)
	require.Equal(t, time.Duration(0), n.InState)

	crankUntil(app, w.IsDone)
	require.Equal(t, basicwork.InternalSuccess, workview.Snapshot(w, workview.Now(w)).State)
}

// Types that embed the library's works are walked through too.
type mySeq struct{ worksequence.WorkSequence }

type myCond struct {
	*conditionalwork.ConditionalWork
}

func TestEmbeddingTypesAreWalked(t *testing.T) {
	app := newApp()
	inner := newSleeper(app, "inner", time.Second, basicwork.RetryNever)
	c, err := conditionalwork.New(app, "cond", func(basicwork.Application) bool { return true }, inner)
	require.NoError(t, err)
	cond := myCond{c}
	seq := &mySeq{}
	leaf := newSleeper(app, "leaf", time.Second, basicwork.RetryNever)
	require.NoError(t, seq.Init(app, "seq", []basicwork.Work{leaf, cond}, seq))
	root := newParent(app, "root", seq)
	app.WorkScheduler().ScheduleWork(root)
	crankUntil(app, func() bool { return len(root.Children()) == 1 })

	require.Equal(t, []string{"root", "seq", "leaf", "cond", "inner"}, names(root))
	require.Equal(t, []basicwork.Work{inner}, workview.Children(cond))
	require.Equal(t, []basicwork.Work{leaf, cond}, workview.Children(seq))
	require.Nil(t, workview.Children(leaf))

	// The scheduler is a Work: its children are the scheduled works.
	var depths []int
	workview.Walk(app.WorkScheduler(), func(w basicwork.Work, depth int) bool {
		depths = append(depths, depth)
		return w != basicwork.Work(seq) // do not go below seq
	})
	require.Equal(t, []int{0, 1, 2}, depths)
}

func TestRenderLayout(t *testing.T) {
	n := workview.Node{
		Name: "top", State: basicwork.InternalRunning, Status: "Running: top", MaxRetries: 5, InState: 61 * time.Second,
		Children: []workview.Node{
			{Name: "a", State: basicwork.InternalSuccess, Status: "Succeeded: a", InState: 1500 * time.Millisecond,
				Children: []workview.Node{{Name: "a1", State: basicwork.InternalAborted, Status: "Aborted: a1"}}},
			{Name: "b", State: basicwork.InternalFailure, Status: "Failed: b", Retries: 32, MaxRetries: 32, InState: 2 * time.Hour,
				Children: []workview.Node{
					{Name: "b1", State: basicwork.InternalPending, Status: "Ready to run: b1"},
					{Name: "b2", State: basicwork.InternalRetrying, Status: "Retrying in 4 sec: b2"},
				}},
		},
	}
	want := `WORK      STATE     IN STATE  RETRIES  STATUS
top       RUNNING    1m01.0s  0/5      Running: top
├─ a      SUCCESS       1.5s  0/0      Succeeded: a
│  └─ a1  ABORTED       0.0s  0/0      Aborted: a1
└─ b      FAILURE   2h00m00s  32/32    Failed: b
   ├─ b1  PENDING       0.0s  0/0      Ready to run: b1
   └─ b2  RETRYING      0.0s  0/0      Retrying in 4 sec: b2
`
	require.Equal(t, want, n.Render())
	var buf bytes.Buffer
	k, err := n.WriteTo(&buf)
	require.NoError(t, err)
	require.Equal(t, int64(len(want)), k)
	require.Equal(t, want, buf.String())

	m := n.Metrics()
	require.Equal(t, "works=6 pending=1 running=1 aborted=1 retrying=1 success=1 failure=1 attempts=37 retries_left=5", m.String())
	require.Equal(t, 1, m.Waiting(), "Retrying reads as waiting")
	require.Equal(t, "b2", n.Find("b2").Name)
}

func TestFormatDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0.0s"},
		{99 * time.Millisecond, "0.0s"},
		{100 * time.Millisecond, "0.1s"},
		{12345 * time.Millisecond, "12.3s"},
		{59999 * time.Millisecond, "59.9s"},
		{time.Minute, "1m00.0s"},
		{62500 * time.Millisecond, "1m02.5s"},
		{59*time.Minute + 59900*time.Millisecond, "59m59.9s"},
		{time.Hour, "1h00m00s"},
		{2*time.Hour + 3*time.Minute + 4500*time.Millisecond, "2h03m04s"},
		{-1500 * time.Millisecond, "-1.5s"},
	} {
		require.Equal(t, c.want, workview.FormatDuration(c.d), "%v", c.d)
	}
}
