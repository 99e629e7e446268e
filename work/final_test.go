package work_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/work"
)

// The C++ marks Work::onRun, onAbort and onReset final: a subclass that
// declares them does not compile. Each type below declares one of them on a
// type that embeds work.Work, which Go accepts; Init must refuse it.

type overridesOnRun struct{ work.Work }

func (w *overridesOnRun) DoWork() basicwork.State { return basicwork.Success }

// OnRun would replace the cranking of the children: before Init refused
// it, a parent with this override never cranked its children and still
// ended Succeeded.
//
//workvet:ignore Init must refuse this final override
func (w *overridesOnRun) OnRun() basicwork.State { return basicwork.Success }

type overridesOnAbort struct{ work.Work }

func (w *overridesOnAbort) DoWork() basicwork.State { return basicwork.Success }

//workvet:ignore Init must refuse this final override
func (w *overridesOnAbort) OnAbort() bool { return true }

type overridesOnReset struct{ work.Work }

func (w *overridesOnReset) DoWork() basicwork.State { return basicwork.Success }

//workvet:ignore Init must refuse this final override
func (w *overridesOnReset) OnReset() {}

// valueOnRun declares OnRun with a value receiver: still an override. (It
// embeds a pointer, so that the value receiver copies no lock.)
type valueOnRun struct{ *work.Work }

func (w *valueOnRun) DoWork() basicwork.State { return basicwork.Success }

//workvet:ignore Init must refuse this final override
func (w valueOnRun) OnRun() basicwork.State { return basicwork.Success }

// outer inherits the override of overridesOnRun, one level down.
type outer struct{ overridesOnRun }

// clean declares only what a Work's implementer may: DoWork, DoReset and
// the hooks that are not final.
type clean struct{ work.Work }

func (w *clean) DoWork() basicwork.State { return basicwork.Success }
func (w *clean) DoReset()                {}
func (w *clean) OnSuccess()              {}
func (w *clean) Shutdown()               { w.Work.Shutdown() }

func TestInitRefusesFinalOverride(t *testing.T) {
	cases := []struct {
		name        string
		init        func(app basicwork.Application)
		typ, method string
	}{
		{"OnRun", func(app basicwork.Application) { w := &overridesOnRun{}; w.Init(app, "w", 0, w) },
			"*work_test.overridesOnRun", "OnRun"},
		{"OnAbort", func(app basicwork.Application) { w := &overridesOnAbort{}; w.Init(app, "w", 0, w) },
			"*work_test.overridesOnAbort", "OnAbort"},
		{"OnReset", func(app basicwork.Application) { w := &overridesOnReset{}; w.Init(app, "w", 0, w) },
			"*work_test.overridesOnReset", "OnReset"},
		{"value receiver", func(app basicwork.Application) { w := &valueOnRun{}; w.Init(app, "w", 0, w) },
			"work_test.valueOnRun", "OnRun"},
		// The override is on an embedded type between the outer one and
		// work.Work: the path down is checked, not only the outer type.
		{"inherited override", func(app basicwork.Application) { w := &outer{}; w.Init(app, "w", 0, w) },
			"*work_test.overridesOnRun", "OnRun"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := newApp()
			// Twice: the second verdict comes from the cache.
			for range 2 {
				v := recoverPanic(func() { c.init(app) })
				err, ok := v.(error)
				require.True(t, ok, "Init must panic with an error, got %v", v)
				require.ErrorIs(t, err, basicwork.ErrFinalOverride)
				var fe *basicwork.FinalOverrideError
				require.True(t, errors.As(err, &fe))
				require.Equal(t, c.typ, fe.Type)
				require.Equal(t, c.method, fe.Method)
				require.Equal(t, "work.Work", fe.Final)
				require.Equal(t, "w", fe.Name)
				require.Contains(t, err.Error(), c.typ+" declares "+c.method+", which is final in work.Work")
			}
		})
	}
}

func TestInitAcceptsDoWorkDoResetAndOtherHooks(t *testing.T) {
	app := newApp()
	w := &clean{}
	require.Nil(t, recoverPanic(func() { w.Init(app, "clean", 0, w) }))
	w.StartWork(nil)
	w.CrankWork()
	require.Equal(t, basicwork.Success, w.State())
}

// recoverPanic runs f and returns what it panicked with, or nil.
func recoverPanic(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
