package basicwork_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// genericHooked is hooked as a generic type: its methods are declared in
// source, on an instantiated type.
type genericHooked[T any] struct {
	basicwork.BasicWork
	calls []string
	state basicwork.State
}

func (h *genericHooked[T]) OnRun() basicwork.State {
	h.calls = append(h.calls, "OnRun")
	return h.state
}
func (h *genericHooked[T]) OnAbort() bool   { return true }
func (h *genericHooked[T]) OnSuccess()      { h.calls = append(h.calls, "OnSuccess") }
func (h *genericHooked[T]) OnReset()        { h.calls = append(h.calls, "OnReset") }
func (h *genericHooked[T]) OnFailureRaise() { h.calls = append(h.calls, "OnFailureRaise") }

// TestAttackGenericWorkHooksAreCalled: a work type that is a generic type
// overrides OnSuccess, OnReset and OnFailureRaise; the library must call
// them as it does a plain type's (the C++ calls its virtual overrides).
func TestAttackGenericWorkHooksAreCalled(t *testing.T) {
	app, _ := newTestApp(t, nil)
	h := &genericHooked[int]{state: basicwork.Success}
	h.Init(app, "g", basicwork.RetryNever, h)
	h.StartWork(nil)
	h.CrankWork()
	require.Equal(t, basicwork.Success, h.State())
	require.Equal(t, []string{"OnReset", "OnRun", "OnSuccess"}, h.calls)

	f := &genericHooked[string]{state: basicwork.Failure}
	f.Init(app, "f", basicwork.RetryNever, f)
	f.StartWork(nil)
	f.CrankWork()
	require.Equal(t, basicwork.Failure, f.State())
	require.Equal(t, []string{"OnReset", "OnRun", "OnFailureRaise", "OnReset"}, f.calls)
}

// mixin is a generic type whose value-receiver OnSuccess a work type gets
// by embedding it above BasicWork.
type mixin[T any] struct{ calls *[]string }

func (m mixin[T]) OnSuccess() { *m.calls = append(*m.calls, "mixin OnSuccess") }

type innerWork struct{ basicwork.BasicWork }

func (*innerWork) OnRun() basicwork.State { return basicwork.Success }
func (*innerWork) OnAbort() bool          { return true }

type mixed struct {
	mixin[int]
	innerWork
}

// TestAttackGenericMixinHookIsCalled: OnSuccess promoted from a generic
// type embedded shallower than BasicWork is the one Go calls, so the
// library must call it.
func TestAttackGenericMixinHookIsCalled(t *testing.T) {
	app, _ := newTestApp(t, nil)
	var calls []string
	w := &mixed{mixin: mixin[int]{calls: &calls}}
	w.Init(app, "m", basicwork.RetryNever, w)
	w.StartWork(nil)
	w.CrankWork()
	require.Equal(t, basicwork.Success, w.State())
	require.Equal(t, []string{"mixin OnSuccess"}, calls)
}
