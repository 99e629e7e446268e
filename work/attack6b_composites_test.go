package work_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worksequence"
)

// TestAttack6bEveryCompositeRefusesItsParent: x, a Work that is done,
// adds k, a composite of each kind that holds x; k, cranked, starts x
// under itself, which would make x its own grandparent. Each kind
// refuses before anything changes: x stays done where it was, k stays
// RUNNING with its status as it was, every transition listener's Path
// ends, and a caller that recovers cranks on and is refused again.
// (Before the check, x was registered under k and restarted: the move of
// x to PENDING called the listener with x's Path going round for ever.)
// A DAG node with RecoverPanics turns the refusal, as any panic of the
// node's start, into the node's failure: the DAGWork fails, naming it,
// and x is left alone.
func TestAttack6bEveryCompositeRefusesItsParent(t *testing.T) {
	const refusedStart = `basicwork: SetParent: "x" is "k" or one of its parents, so the tree would loop`
	const refusedAdd = `basicwork: AddWork of a child: "x" is "k" or one of its parents, so the tree would loop`
	for _, tc := range []struct {
		kind string
		make func(app *scheduler.App, x basicwork.Work) (basicwork.Work, error)
		want string // each crank's panic
	}{
		{"sequence", func(app *scheduler.App, x basicwork.Work) (basicwork.Work, error) {
			return worksequence.New(app, "k", []basicwork.Work{x})
		}, refusedStart},
		{"conditional", func(app *scheduler.App, x basicwork.Work) (basicwork.Work, error) {
			return conditionalwork.New(app, "k", func(basicwork.Application) bool { return true }, x)
		}, refusedStart},
		// The DAGWork adds the node's work as its child (AddWork).
		{"dag", func(app *scheduler.App, x basicwork.Work) (basicwork.Work, error) {
			return dagwork.New(app, "k", []dagwork.Node{{Work: x}})
		}, refusedAdd},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			x, k, paths := a6bUnderItsChild(t, tc.make)
			status := k.Status()
			for range 3 {
				require.Equal(t, tc.want, recoveredValue(k.CrankWork))
				require.Equal(t, basicwork.Success, x.State())
				require.Equal(t, "work-scheduler/x", basicwork.PathOf(x))
				require.Equal(t, "work-scheduler/x/k", basicwork.PathOf(k))
				require.Equal(t, basicwork.Running, k.State())
				require.Equal(t, status, k.Status())
			}
			require.NotContains(t, *paths, "work-scheduler/x/k/x")
		})
	}
	t.Run("dag recovering panics", func(t *testing.T) {
		x, k, _ := a6bUnderItsChild(t, func(app *scheduler.App, x basicwork.Work) (basicwork.Work, error) {
			return dagwork.New(app, "k", []dagwork.Node{{Work: x, RecoverPanics: true}})
		})
		// The wrapper is added and started (a crank), then started x in
		// its own start, which panicked; it fails, and so does the DAG.
		for i := 0; i < 10 && !k.IsDone(); i++ {
			require.Nil(t, recoveredValue(k.CrankWork))
		}
		require.Equal(t, basicwork.Failure, k.State())
		// The wrapper has the node's name: the message names x twice.
		require.ErrorContains(t, basicwork.ResultError(k),
			`dagwork: work x panicked in StartWork: basicwork: SetParent: "x" is "x" or one of its parents, so the tree would loop`)
		require.Equal(t, basicwork.Success, x.State())
		require.Equal(t, "work-scheduler/x", basicwork.PathOf(x))
	})
}

// a6bUnderItsChild runs x, a Work, to success in a scheduler whose
// listener records every Path, then has x add k, made by mk to hold x.
func a6bUnderItsChild(t *testing.T, mk func(*scheduler.App, basicwork.Work) (basicwork.Work, error)) (x, k basicwork.Work, paths *[]string) {
	clock, app, paths := a6bListenedApp()
	xw := &cycleWork{}
	xw.Init(app, "x", basicwork.RetryNever, xw)
	app.WorkScheduler().ScheduleWork(xw)
	for !xw.IsDone() {
		clock.Crank(true)
	}
	k, err := mk(app, xw)
	require.NoError(t, err)
	require.NoError(t, xw.AddWork(k))
	require.Equal(t, basicwork.Running, k.State())
	return xw, k, paths
}

// a6bListenedApp returns a virtual clock and an application on it whose
// transition listener appends each event's Path to paths.
func a6bListenedApp() (clock *vclock.Clock, app *scheduler.App, paths *[]string) {
	clock = vclock.New(vclock.VirtualTime)
	paths = new([]string)
	app = scheduler.NewApp(clock, scheduler.WithTransitionListener(func(e basicwork.TransitionEvent) {
		*paths = append(*paths, e.Path())
	}))
	return clock, app, paths
}
