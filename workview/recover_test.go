package workview_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/workview"
)

// TestRecoverPanicsNodeShowsItsSubtree: a dagwork node run with
// RecoverPanics sits inside a wrapper work of the same name; the status
// view shows the wrapper and, below it, the node's work and that work's
// children, as for a node without the option.
func TestRecoverPanicsNodeShowsItsSubtree(t *testing.T) {
	app := newApp()
	guarded := newParent(app, "guarded",
		newSleeper(app, "inner-a", 2*time.Second, basicwork.RetryNever),
		newSleeper(app, "inner-b", 1*time.Second, basicwork.RetryNever))
	plain := newParent(app, "plain", newSleeper(app, "inner-c", 3*time.Second, basicwork.RetryNever))
	dag, err := dagwork.New(app, "dag", []dagwork.Node{
		{Work: guarded, RecoverPanics: true},
		{Work: plain},
	})
	require.NoError(t, err)
	app.WorkScheduler().ScheduleWork(dag)
	// Run until every sleeper waits on its timer: nothing has finished.
	crankUntil(app, func() bool { return dag.State() == basicwork.Waiting })
	require.Equal(t, time.Duration(0), app.Clock().Elapsed())

	got := workview.Snapshot(dag, workview.Now(dag)).Render()
	t.Log("\n" + got)
	// guarded appears twice: the wrapper (the DAGWork's child), whose
	// status is its work's, and the work itself, with its two children.
	want := `WORK              STATE    IN STATE  RETRIES  STATUS
dag               WAITING      0.0s  0/0      Waiting: dag : 0/2 children completed
├─ guarded        WAITING      0.0s  0/0      Waiting: guarded : 0/2 children completed
│  └─ guarded     WAITING      0.0s  0/0      Waiting: guarded : 0/2 children completed
│     ├─ inner-a  WAITING      0.0s  0/0      Waiting: inner-a
│     └─ inner-b  WAITING      0.0s  0/0      Waiting: inner-b
└─ plain          WAITING      0.0s  0/0      Waiting: plain : 0/1 children completed
   └─ inner-c     WAITING      0.0s  0/0      Waiting: inner-c
`
	require.Equal(t, want, got)
	require.Equal(t, 7, workview.Collect(dag).Total)
	require.Equal(t, "work-scheduler/dag/guarded/guarded/inner-a", basicwork.PathOf(workview.Children(workview.Children(workview.Children(dag)[0])[0])[0]))
}
