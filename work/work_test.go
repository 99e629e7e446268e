package work_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

func newApp() *scheduler.App {
	return scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithRand(basicwork.LowerBound{}))
}

// crankUntilDone cranks w by hand, as its parent would, until it is done.
func crankUntilDone(t *testing.T, w basicwork.Work) {
	t.Helper()
	for n := 0; !w.IsDone(); n++ {
		require.Less(t, n, 1000)
		require.Equal(t, basicwork.Running, w.State(), "a work cranked by hand must not wait")
		w.CrankWork()
	}
}

// custom is a Work that overrides DoWork, DoReset and Shutdown on its own
// type and records the calls.
type custom struct {
	work.Work
	doWork func(c *custom) basicwork.State
	calls  []string
}

func newCustom(app basicwork.Application, name string, doWork func(c *custom) basicwork.State) *custom {
	c := &custom{doWork: doWork}
	c.Init(app, name, basicwork.RetryNever, c)
	return c
}

func (c *custom) count(name string) int {
	n := 0
	for _, x := range c.calls {
		if x == name {
			n++
		}
	}
	return n
}

func (c *custom) DoWork() basicwork.State {
	c.calls = append(c.calls, "DoWork")
	return c.doWork(c)
}

func (c *custom) DoReset() { c.calls = append(c.calls, "DoReset") }

func (c *custom) Shutdown() {
	c.calls = append(c.calls, "Shutdown")
	c.Work.Shutdown()
}

func TestStatusSuffix(t *testing.T) {
	app := newApp()
	p := testworks.NewWork(app, "parent")
	require.Equal(t, "Ready to run: parent", p.Status())
	p.StartWork(nil)
	// No suffix until the work has had children.
	require.Equal(t, "Running: parent", p.Status())

	a := testworks.NewDefaultBasicWork(app, "a")
	b := testworks.NewBasicWork(app, "b", false, 1, basicwork.RetryNever)
	require.NoError(t, p.AddTestWork(a))
	require.NoError(t, p.AddTestWork(b))
	require.Equal(t, "Running: parent : 0/2 children completed", p.Status())

	// Round robin: a, b (b succeeds), then DoWork sees a still running.
	p.CrankWork()
	p.CrankWork()
	require.Equal(t, basicwork.Success, b.State())
	// b is counted once the round passes over it again.
	require.Equal(t, "Running: parent : 0/2 children completed", p.Status())
	p.CrankWork() // DoWork: Running
	p.CrankWork() // a
	require.Equal(t, "Running: parent : 0/2 children completed", p.Status())
	p.CrankWork() // b is dropped as done; DoWork
	require.Equal(t, "Running: parent : 1/2 children completed", p.Status())
	crankUntilDone(t, p)
	require.Equal(t, "Succeeded: parent : 2/2 children completed", p.Status())
	require.Equal(t, 2, p.DoneChildren())
	require.Equal(t, 2, p.TotalChildren())
	require.False(t, p.HasChildren())
}

func TestStatusSuffixWhileWaitingAndAborting(t *testing.T) {
	app := newApp()
	p := testworks.NewWork(app, "parent")
	p.StartWork(nil)
	c := testworks.NewWaitingWork(app, "c")
	require.NoError(t, p.AddTestWork(c))
	p.CrankWork() // c waits on its timer
	p.CrankWork() // DoWork: no child reads Running, so the parent waits
	require.Equal(t, "Waiting: parent : 0/1 children completed", p.Status())
	p.Shutdown()
	require.Equal(t, "Aborting: parent : 0/1 children completed", p.Status())
	crankUntilDone(t, p)
	require.Equal(t, "Aborted: parent : 1/1 children completed", p.Status())
}

func TestDoWorkOverrideIsCalled(t *testing.T) {
	app := newApp()
	steps := 0
	c := newCustom(app, "c", func(*custom) basicwork.State {
		if steps++; steps < 3 {
			return basicwork.Running
		}
		return basicwork.Success
	})
	c.StartWork(nil)
	crankUntilDone(t, c)
	require.Equal(t, 3, c.count("DoWork"))
	require.Equal(t, basicwork.Success, c.State())
}

func TestDoResetOverrideIsCalled(t *testing.T) {
	app := newApp()
	c := newCustom(app, "c", func(*custom) basicwork.State { return basicwork.Failure })
	// Work's OnReset (on start, and on the final failure) calls the outer
	// DoReset.
	c.StartWork(nil)
	require.Equal(t, 1, c.count("DoReset"))
	c.CrankWork()
	require.Equal(t, basicwork.Failure, c.State())
	require.Equal(t, 2, c.count("DoReset"))
}

func TestShutdownOverrideIsCalledByParent(t *testing.T) {
	t.Run("parent shutdown", func(t *testing.T) {
		app := newApp()
		p := testworks.NewWork(app, "parent")
		p.StartWork(nil)
		c := newCustom(app, "c", func(*custom) basicwork.State { return basicwork.Running })
		require.NoError(t, p.AddTestWork(c))
		p.Shutdown()
		require.Equal(t, 1, c.count("Shutdown"))
		require.True(t, c.IsAborting())
	})
	t.Run("parent fails while a child runs", func(t *testing.T) {
		app := newApp()
		failing := testworks.NewBasicWork(app, "failing", true, 1, basicwork.RetryNever)
		c := newCustom(app, "c", func(*custom) basicwork.State { return basicwork.Running })
		p := testworks.NewWork(app, "parent")
		p.StartWork(nil)
		require.NoError(t, p.AddTestWork(failing))
		require.NoError(t, p.AddTestWork(c))
		p.CrankWork() // failing fails
		p.CrankWork() // c: DoWork, Running
		p.CrankWork() // DoWork of the parent sees the failure
		require.Equal(t, 1, c.count("Shutdown"))
		crankUntilDone(t, p)
		require.Equal(t, basicwork.Failure, p.State())
		require.Equal(t, basicwork.Aborted, c.State())
	})
	t.Run("work scheduler shutdown", func(t *testing.T) {
		app := newApp()
		c := newCustom(app, "c", func(*custom) basicwork.State { return basicwork.Running })
		require.NotNil(t, app.WorkScheduler().ScheduleWork(c))
		app.WorkScheduler().Shutdown()
		require.Equal(t, 1, c.count("Shutdown"))
	})
}

func TestAddWorkErrors(t *testing.T) {
	app := newApp()
	p := testworks.NewWork(app, "parent")
	p.StartWork(nil)
	require.ErrorIs(t, p.AddWork(nil), basicwork.ErrNilWork)
	p.Shutdown()
	err := p.AddWork(testworks.NewDefaultBasicWork(app, "late"))
	require.ErrorIs(t, err, work.ErrAborting)
	var ae *work.AbortingError
	require.True(t, errors.As(err, &ae))
	require.EqualError(t, err, "parent is being aborted!")
	require.False(t, p.HasChildren())
}

// fixed is a work driven to the public state st: started, then cranked
// once (its OnRun returns st), or shut down and cranked for Aborted.
type fixed struct {
	basicwork.BasicWork
	st basicwork.State
}

func (f *fixed) OnRun() basicwork.State { return f.st }
func (f *fixed) OnAbort() bool          { return true }

// drive moves f to f.st.
func (f *fixed) drive() {
	f.StartWork(nil)
	switch f.st {
	case basicwork.Running:
		return
	case basicwork.Aborted:
		f.Shutdown()
	}
	f.CrankWork()
}

func TestWorkUtils(t *testing.T) {
	app := newApp()
	mk := func(states ...basicwork.State) []basicwork.Work {
		var out []basicwork.Work
		for _, s := range states {
			f := &fixed{st: s}
			f.Init(app, s.String(), basicwork.RetryNever, f)
			f.drive()
			if f.State() != s {
				t.Fatalf("%s driven to %s", s, f.State())
			}
			out = append(out, f)
		}
		return out
	}
	const (
		R = basicwork.Running
		W = basicwork.Waiting
		S = basicwork.Success
		F = basicwork.Failure
		A = basicwork.Aborted
	)
	cases := []struct {
		states []basicwork.State
		want   basicwork.State
	}{
		{nil, S},
		{[]basicwork.State{S, S}, S},
		{[]basicwork.State{S, F, R}, F},
		{[]basicwork.State{S, W}, W},
		{[]basicwork.State{S, A}, W},
		{[]basicwork.State{W, R}, R},
	}
	for _, c := range cases {
		ws := mk(c.states...)
		require.Equal(t, c.want, work.GetWorkStatus(ws), "%v", c.states)
	}
	require.True(t, work.AllSuccessful(nil))
	require.False(t, work.AnyFailed(mk(S, A, W, R)))
	require.True(t, work.AnyRunning(mk(W, R)))
}
