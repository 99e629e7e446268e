package basicwork_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

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

// TestAttackConcurrentInitOnManyApps: goroutines, each with an application
// and clock of its own (each its own crank goroutine, which is legal), Init
// and run works of a few types at once, so that the shared record of an
// application and the per-type cache are made and swapped from several
// goroutines. Each work must log to its own application's logger, read
// its own clock and call its own type's hooks. Run with -race.
func TestAttackConcurrentInitOnManyApps(t *testing.T) {
	const goroutines, works = 6, 400
	var wg sync.WaitGroup
	errs := make(chan string, goroutines*works)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			app, logs := newTestApp(t, nil)
			app.clock.SetCurrentVirtualTime(time.Unix(int64(g)*1000, 0))
			for i := range works {
				name := fmt.Sprintf("g%d-w%d", g, i)
				var calls []string
				var w basicwork.Work
				switch i % 3 {
				case 0:
					h := &genericHooked[int]{state: basicwork.Success}
					h.Init(app, name, basicwork.RetryNever, h)
					w = h
				case 1:
					m := &mixed{mixin: mixin[int]{calls: &calls}}
					m.Init(app, name, basicwork.RetryNever, m)
					w = m
				default:
					h := &genericHooked[string]{state: basicwork.Success}
					h.Init(app, name, basicwork.RetryNever, h)
					w = h
				}
				if a := w.(interface{ App() basicwork.Application }).App(); a != basicwork.Application(app) {
					errs <- name + ": another application"
				}
				w.StartWork(nil)
				w.CrankWork()
				if w.State() != basicwork.Success {
					errs <- fmt.Sprintf("%s: %v", name, w.State())
				}
				if i%3 == 1 && len(calls) != 1 {
					errs <- fmt.Sprintf("%s: mixin hook calls %v", name, calls)
				}
				if h, ok := w.(*genericHooked[string]); ok && len(h.calls) != 3 {
					errs <- fmt.Sprintf("%s: hooks %v", name, h.calls)
				}
			}
			// Every line this app's logger got names one of its works.
			for _, e := range logs.All() {
				if !strings.Contains(e.Message, fmt.Sprintf("g%d-", g)) {
					errs <- fmt.Sprintf("app %d logged %q", g, e.Message)
					return
				}
			}
			if logs.Len() == 0 {
				errs <- fmt.Sprintf("app %d logged nothing", g)
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []string
	for e := range errs {
		all = append(all, e)
	}
	require.Empty(t, all)
}

// TestAttackDroppedApplicationIsCollected: once a program drops an
// application and every work Init'ed with it, nothing of the library's
// should keep the application reachable (with it its clock, its queued
// timers and actions, its logger). The shared record of the last
// application a work was Init'ed with (lastEnv) is held weakly: a strong
// reference kept the last application alive until a work of another
// application was Init'ed.
func TestAttackDroppedApplicationIsCollected(t *testing.T) {
	var w weak.Pointer[testApp]
	func() {
		app, _ := newTestApp(t, nil)
		w = weak.Make(app)
		h := &genericHooked[int]{state: basicwork.Success}
		h.Init(app, "only", basicwork.RetryNever, h)
		h.StartWork(nil)
		h.CrankWork()
	}()
	runtime.GC()
	runtime.GC()
	require.Nil(t, w.Value(), "the dropped application is still reachable")
}
