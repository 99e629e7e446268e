package robust

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

// rawWork embeds BasicWork and defines its hooks, but its Init is never
// called.
type rawWork struct{ basicwork.BasicWork }

func (w *rawWork) OnRun() basicwork.State { return basicwork.Success }
func (w *rawWork) OnAbort() bool          { return true }

// rawParent is a Work whose Init is never called.
type rawParent struct{ work.Work }

func (w *rawParent) DoWork() basicwork.State { return basicwork.Success }

// notInit runs f and returns the *NotInitialisedError it panicked with.
func notInit(t *testing.T, f func()) *basicwork.NotInitialisedError {
	t.Helper()
	v, panicked := catch(f)
	require.True(t, panicked, "no panic")
	err, ok := v.(error)
	require.True(t, ok, "panic with %T %v, not an error", v, v)
	var e *basicwork.NotInitialisedError
	require.True(t, errors.As(err, &e), "panic with %v", err)
	require.Contains(t, err.Error(), "whose Init was not called: call Init(")
	return e
}

// TestBadInputUseBeforeInit: a work whose Init was never called, handed to
// the entry points that take works from a caller, panics with a
// *basicwork.NotInitialisedError naming its type and saying Init. Before,
// ExecuteWork died on a nil dereference deep in the logger check. Nothing
// is added, so the tree cranks on.
func TestBadInputUseBeforeInit(t *testing.T) {
	t.Run("ScheduleWork", func(t *testing.T) {
		app := newApp()
		e := notInit(t, func() { app.WorkScheduler().ScheduleWork(&rawWork{}) })
		require.Equal(t, "*robust.rawWork", e.Type)
		require.False(t, app.WorkScheduler().HasChildren())
		// The scheduler still runs a work scheduled afterwards.
		w := testworks.NewDefaultBasicWork(app, "w")
		require.NoError(t, app.WorkScheduler().ExecuteWork(context.Background(), w))
		require.Equal(t, basicwork.Success, w.State())
	})
	t.Run("ExecuteWork", func(t *testing.T) {
		app := newApp()
		e := notInit(t, func() { _ = app.WorkScheduler().ExecuteWork(context.Background(), &rawWork{}) })
		require.Equal(t, "*robust.rawWork", e.Type)
	})
	t.Run("AddWork of a child", func(t *testing.T) {
		app := newApp()
		p := testworks.NewWork(app, "parent")
		p.StartWork(nil)
		e := notInit(t, func() { _ = p.AddWork(&rawWork{}) })
		require.Equal(t, "*robust.rawWork", e.Type)
		require.Zero(t, p.TotalChildren())
	})
	t.Run("AddWork to a parent", func(t *testing.T) {
		app := newApp()
		e := notInit(t, func() { _ = (&rawParent{}).AddWork(testworks.NewDefaultBasicWork(app, "c")) })
		require.Equal(t, "*work.Work", e.Type)
		require.Equal(t, "AddWork", e.Op)
	})
	t.Run("a parent's CrankWork, StartWork, Shutdown, WakeUp, Status", func(t *testing.T) {
		for op, f := range map[string]func(p *rawParent){
			"CrankWork": func(p *rawParent) { p.CrankWork() },
			"StartWork": func(p *rawParent) { p.StartWork(nil) },
			"Shutdown":  func(p *rawParent) { p.Shutdown() },
			"WakeUp":    func(p *rawParent) { p.WakeUp(nil) },
			"Status":    func(p *rawParent) { _ = p.Status() },
		} {
			e := notInit(t, func() { f(&rawParent{}) })
			require.Equal(t, op, e.Op)
		}
	})
	t.Run("a work in a sequence", func(t *testing.T) {
		app := newApp()
		e := notInit(t, func() {
			_, _ = worksequence.New(app, "seq", []basicwork.Work{testworks.NewDefaultBasicWork(app, "a"), &rawWork{}})
		})
		require.Equal(t, "*robust.rawWork", e.Type)
		require.Equal(t, "work sequence seq, position 1", e.Op)
	})
	t.Run("a conditioned work", func(t *testing.T) {
		app := newApp()
		e := notInit(t, func() {
			_, _ = conditionalwork.New(app, "cond", func(basicwork.Application) bool { return true }, &rawWork{})
		})
		require.Equal(t, "*robust.rawWork", e.Type)
	})
	t.Run("a batch child", func(t *testing.T) {
		app := newApp()
		e := notInit(t, func() {
			batchwork.NewSlice(app, "batch", basicwork.RetryNever, []basicwork.Work{&rawWork{}})
		})
		require.Equal(t, "*robust.rawWork", e.Type)
		require.Equal(t, "batchwork.NewSlice batch, position 0", e.Op)
		b := batchwork.NewSeq(app, "batch", basicwork.RetryNever, slices.Values([]basicwork.Work{&rawWork{}}))
		b.StartWork(nil)
		e = notInit(t, func() { b.CrankWork() })
		require.Equal(t, "*robust.rawWork", e.Type)
		require.Zero(t, b.NumWorksInBatch())
		b.ResetIter() // releases the pulled iterator's goroutine
	})
}
