package scheduler_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// listenerApp embeds an App and answers TransitionListener itself. It shares
// the App's EnvCache but is not its owner (scheduler.NewApp declares it), so its works must
// ask it for the listener rather than read the App's field.
type listenerApp struct {
	*scheduler.App
	mine basicwork.TransitionListener
}

func (a *listenerApp) TransitionListener() basicwork.TransitionListener { return a.mine }

// oneRun succeeds on its first run.
type oneRun struct{ basicwork.BasicWork }

func (w *oneRun) OnRun() basicwork.State { return basicwork.Success }
func (w *oneRun) OnAbort() bool          { return true }

// A work of the App itself reports to the App's listener, one set after
// the work was Init'ed included; a work of an application that embeds the
// App and answers TransitionListener itself reports to that application's
// listener only. Each work makes two transitions here (PENDING to RUNNING
// at StartWork, RUNNING to SUCCESS at its one crank).
func TestListenerOfTheOwnerAndOfAnEmbeddingApp(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	t.Cleanup(func() {
		app.Shutdown()
		clock.Shutdown()
	})
	wrap := &listenerApp{App: app}
	var ofApp, ofWrap []string
	wrap.mine = func(e basicwork.TransitionEvent) { ofWrap = append(ofWrap, e.Name()) }

	own := &oneRun{}
	own.Init(app, "own", basicwork.RetryNever, own)
	other := &oneRun{}
	other.Init(wrap, "other", basicwork.RetryNever, other)
	app.SetTransitionListener(func(e basicwork.TransitionEvent) { ofApp = append(ofApp, e.Name()) })

	for _, w := range []*oneRun{own, other} {
		w.StartWork(nil)
		w.CrankWork()
		require.Equal(t, basicwork.Success, w.State())
	}
	require.Equal(t, []string{"own", "own"}, ofApp)
	require.Equal(t, []string{"other", "other"}, ofWrap)
}
