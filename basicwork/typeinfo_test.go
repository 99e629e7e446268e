package basicwork_test

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/dagwork"
)

// A work does not call a hook that its outer type leaves to BasicWork's
// own, empty one. These types override OnSuccess, OnReset and WakeUp in
// each way Go lets a method reach the outer type other than directly
// (TestOverridesAreCalledByTheLibrary has that): each override must be
// called as if the library never skipped anything.

// hookCounts counts the hook calls of one work.
type hookCounts struct{ success, reset, wake int }

// countingHooks declares the hooks with a value receiver on a type that
// does not embed BasicWork: embedded next to a type that does, at a
// smaller depth, its methods are the ones promoted.
type countingHooks struct{ n *hookCounts }

func (h countingHooks) OnSuccess() { h.n.success++ }
func (h countingHooks) OnReset()   { h.n.reset++ }
func (h countingHooks) WakeUp(func()) {
	h.n.wake++
}

// leafCore embeds BasicWork one level down.
type leafCore struct{ basicwork.BasicWork }

func (*leafCore) OnRun() basicwork.State { return basicwork.Success }
func (*leafCore) OnAbort() bool          { return true }

// siblingHooks gets its hooks from countingHooks (depth 1), BasicWork
// being at depth 2.
type siblingHooks struct {
	countingHooks
	leafCore
}

// hooksIface is an interface with the hooks, embedded in a struct.
type hooksIface interface {
	OnSuccess()
	OnReset()
	WakeUp(func())
}

// ifaceHooks gets its hooks from an embedded interface value.
type ifaceHooks struct {
	hooksIface
	leafCore
}

// middle declares the hooks on a type between the outer one and BasicWork.
type middle struct {
	basicwork.BasicWork
	n *hookCounts
}

func (m *middle) OnSuccess()           { m.n.success++ }
func (m *middle) OnReset()             { m.n.reset++ }
func (m *middle) WakeUp(inner func())  { m.n.wake++; m.BasicWork.WakeUp(inner) }
func (*middle) OnRun() basicwork.State { return basicwork.Success }
func (*middle) OnAbort() bool          { return true }

type outerOfMiddle struct{ middle }

// generic declares the hooks on a generic type.
type generic[T any] struct {
	basicwork.BasicWork
	n *hookCounts
	_ T
}

func (g *generic[T]) OnSuccess()           { g.n.success++ }
func (g *generic[T]) OnReset()             { g.n.reset++ }
func (g *generic[T]) WakeUp(inner func())  { g.n.wake++; g.BasicWork.WakeUp(inner) }
func (*generic[T]) OnRun() basicwork.State { return basicwork.Success }
func (*generic[T]) OnAbort() bool          { return true }

// byPointer embeds *BasicWork and declares the hooks with value receivers.
type byPointer struct {
	*basicwork.BasicWork
	n *hookCounts
}

func (p byPointer) OnSuccess()           { p.n.success++ }
func (p byPointer) OnReset()             { p.n.reset++ }
func (p byPointer) WakeUp(func())        { p.n.wake++ }
func (byPointer) OnRun() basicwork.State { return basicwork.Success }
func (byPointer) OnAbort() bool          { return true }

func TestHookOverridesOfEveryShapeAreCalled(t *testing.T) {
	works := map[string]func(app basicwork.Application, n *hookCounts) basicwork.Work{
		"value receiver on an embedded sibling": func(app basicwork.Application, n *hookCounts) basicwork.Work {
			w := &siblingHooks{countingHooks: countingHooks{n}}
			w.Init(app, "w", basicwork.RetryNever, w)
			return w
		},
		"embedded interface": func(app basicwork.Application, n *hookCounts) basicwork.Work {
			w := &ifaceHooks{hooksIface: countingHooks{n}}
			w.Init(app, "w", basicwork.RetryNever, w)
			return w
		},
		"declared on an embedded type": func(app basicwork.Application, n *hookCounts) basicwork.Work {
			w := &outerOfMiddle{middle{n: n}}
			w.Init(app, "w", basicwork.RetryNever, w)
			return w
		},
		"generic type": func(app basicwork.Application, n *hookCounts) basicwork.Work {
			w := &generic[int]{n: n}
			w.Init(app, "w", basicwork.RetryNever, w)
			return w
		},
		"value receivers, BasicWork by pointer": func(app basicwork.Application, n *hookCounts) basicwork.Work {
			w := byPointer{BasicWork: &basicwork.BasicWork{}, n: n}
			w.Init(app, "w", basicwork.RetryNever, w)
			return w
		},
	}
	for name, build := range works {
		t.Run(name, func(t *testing.T) {
			app, _ := newTestApp(t, nil)
			var n hookCounts
			w := build(app, &n)
			wake := basicwork.Work(w).(interface {
				WakeSelfUpCallback(func()) func()
			}).WakeSelfUpCallback(nil)
			w.StartWork(nil) // Pending -> Running resets the work
			require.Equal(t, hookCounts{reset: 1}, n)
			// The C++ calls the virtual wakeUp whatever the state: a
			// running work's override is called too.
			wake()
			require.Equal(t, hookCounts{reset: 1, wake: 1}, n)
			w.CrankWork()
			require.Equal(t, basicwork.Success, w.State())
			require.Equal(t, hookCounts{success: 1, reset: 1, wake: 1}, n)
		})
	}
}

// plainLeaf leaves every hook to BasicWork.
type plainLeaf struct{ basicwork.BasicWork }

func (*plainLeaf) OnRun() basicwork.State { return basicwork.Success }
func (*plainLeaf) OnAbort() bool          { return true }

// TestDefaultHooksAreKnown: a leaf that overrides no hook is known to
// leave them all to BasicWork, so that its transitions call none.
func TestDefaultHooksAreKnown(t *testing.T) {
	app, _ := newTestApp(t, nil)
	w := &plainLeaf{}
	w.Init(app, "leaf", basicwork.RetryNever, w)
	require.Equal(t, []string{"OnSuccess", "OnFailureRetry", "OnFailureRaise", "OnReset", "WakeUp", "StartWork"},
		basicwork.DefaultHooksForTest(&w.BasicWork))
	// Outside the library, no type may declare StartWork (Init refuses it).
	h := newHooked(app, "hooked", basicwork.RetryNever, always(basicwork.Success))
	require.Equal(t, []string{"StartWork"}, basicwork.DefaultHooksForTest(&h.BasicWork))
	// A DAGWork extends it: a parent must start it through the interface.
	d, err := dagwork.New(app, "dag", nil)
	require.NoError(t, err)
	require.NotContains(t, basicwork.DefaultHooksForTest(&d.BasicWork), "StartWork")
}

// TestBasicWorkOffset: Init tests inline that self holds its BasicWork
// at the offset its type's record gives, when that offset is the same in
// every value: a pointer to a struct whose shallowest BasicWork is one,
// embedded by value through fields embedded by value, with no pointer or
// interface embedded on the way down.
func TestBasicWorkOffset(t *testing.T) {
	type padded struct {
		_ [2]int
		plainLeaf
	}
	type viaPointer struct {
		_ int
		*plainLeaf
	}
	type inner struct{ basicwork.BasicWork }
	type viaInterface struct {
		basicwork.Work // gives basicWork at a shallower depth than inner's
		inner
	}
	type twoDeep struct {
		padded
		viaInterface
	}
	off, ok := basicwork.BasicWorkOffsetForTest(reflect.TypeFor[*plainLeaf]())
	require.True(t, ok)
	require.Zero(t, off)
	off, ok = basicwork.BasicWorkOffsetForTest(reflect.TypeFor[*padded]())
	require.True(t, ok)
	require.Equal(t, unsafe.Offsetof(padded{}.plainLeaf), off)
	for _, typ := range []reflect.Type{
		reflect.TypeFor[*viaPointer](),
		reflect.TypeFor[*viaInterface](),
		reflect.TypeFor[*twoDeep](),  // an interface above padded's BasicWork
		reflect.TypeFor[plainLeaf](), // not a pointer
		reflect.TypeFor[*basicwork.BasicWork](),
	} {
		_, ok := basicwork.BasicWorkOffsetForTest(typ)
		require.False(t, ok, "%v", typ)
	}
}

// TestInitOfTheLastTypeChecksSelf: an Init of the last type Init'ed, which
// Init tests inline, still refuses a self that does not embed the
// BasicWork it is called on, and accepts a type whose BasicWork is not
// at its start.
func TestInitOfTheLastTypeChecksSelf(t *testing.T) {
	// The owner of an EnvCache, as scheduler.App is: the inline test is
	// for its works.
	base, _ := newTestApp(t, nil)
	app := &cachedApp{testApp: base}
	var listen basicwork.TransitionListener
	app.OwnForTest(app, &listen)
	first := &plainLeaf{}
	first.Init(app, "first", basicwork.RetryNever, first)
	p, other := &plainLeaf{}, &plainLeaf{}
	require.Equal(t, `basicwork: Init of "p": self must be the value that embeds this BasicWork`,
		recovered(func() { p.Init(app, "p", basicwork.RetryNever, other) }))
	require.Equal(t, `basicwork: Init called twice on "first"`,
		recovered(func() { first.Init(app, "first", basicwork.RetryNever, first) }))
	type padded struct {
		_ [2]int
		plainLeaf
	}
	for i := range 2 {
		w := &padded{}
		w.Init(app, "padded", basicwork.RetryNever, w)
		require.Same(t, app, w.App(), "Init %d", i)
		require.Equal(t, basicwork.InternalPending, w.InternalState())
		q := &padded{}
		require.Equal(t, `basicwork: Init of "q": self must be the value that embeds this BasicWork`,
			recovered(func() { q.Init(app, "q", basicwork.RetryNever, w) }))
	}
}
