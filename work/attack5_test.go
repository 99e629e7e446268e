package work_test

import (
	"runtime"
	"testing"
	"weak"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// a5Once succeeds on its first crank.
type a5Once struct{ basicwork.BasicWork }

func (w *a5Once) OnRun() basicwork.State { return basicwork.Success }
func (w *a5Once) OnAbort() bool          { return true }

// a5Hooks5 has hooks of its own: its start and its end take the general
// path.
type a5Hooks5 struct{ a5Once }

func (w *a5Hooks5) OnReset()   {}
func (w *a5Hooks5) OnSuccess() {}

// a5Spin runs for ever.
type a5Spin struct{ a5Once }

func (w *a5Spin) OnRun() basicwork.State { return basicwork.Running }

// a5ResetPanics panics in OnReset: its add is rolled back.
type a5ResetPanics struct{ a5Once }

func (w *a5ResetPanics) OnReset() { panic("reset") }

// TestAttack5FinishedChildrenAreCollectable: a child that a Work's walk
// has dropped (added by the plain start or through its outer StartWork)
// and one whose add was rolled back are not kept reachable by the
// parent, which still runs (a keeper with a child that runs for ever).
func TestAttack5FinishedChildrenAreCollectable(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	k := &keeper{}
	k.Init(app, "keeper", basicwork.RetryNever, k)
	app.WorkScheduler().ScheduleWork(k)
	var gone []func() bool
	spin := &a5Spin{}
	spin.Init(app, "spin", 0, spin)
	require.NoError(t, k.AddWork(spin))
	func() {
		for i := range 200 {
			var c basicwork.Work
			if i%3 == 0 {
				h := &a5Once{}
				h.Init(app, "plain", 0, h)
				p := weak.Make(h)
				gone = append(gone, func() bool { return p.Value() == nil })
				c = h
			} else {
				h := &a5Hooks5{}
				h.Init(app, "hooked", 0, h)
				p := weak.Make(h)
				gone = append(gone, func() bool { return p.Value() == nil })
				c = h
			}
			require.NoError(t, k.AddWork(c))
		}
		r := &a5ResetPanics{}
		r.Init(app, "undone", 0, r)
		p := weak.Make(r)
		gone = append(gone, func() bool { return p.Value() == nil })
		require.Panics(t, func() { _ = k.AddWork(r) })
	}()
	for range 2000 {
		clock.Crank(false)
	}
	require.Equal(t, []basicwork.Work{spin}, k.Children())
	runtime.GC()
	runtime.GC()
	for i, g := range gone {
		require.True(t, g(), "child %d is still reachable", i)
	}
	require.False(t, k.IsDone())
	runtime.KeepAlive(k)
}
