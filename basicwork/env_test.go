package basicwork_test

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"
	"unsafe"
	"weak"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/vclock"
)

// A work reads its application's clock and logger at Init, and the works
// of one application share what they read (basicwork's appEnv). These
// tests change the application between two Inits: the work Init'ed later
// must use what the application gives then, and the one Init'ed before
// must keep what it read.

func TestInitReadsTheLoggerOfTheMoment(t *testing.T) {
	checkLoggerOfTheMoment(t, func(a *testApp) basicwork.Application { return a })
}

// checkLoggerOfTheMoment Inits two works with the application wrap makes
// of a testApp, swapping the testApp's logger between the two Inits:
// each work must log to the logger of its Init.
func checkLoggerOfTheMoment(t *testing.T, wrap func(*testApp) basicwork.Application) {
	base, firstLogs := newTestApp(t, nil)
	app := wrap(base)
	first := newProbe(app, "first", basicwork.RetryNever)
	core, secondLogs := observer.New(basicwork.TraceLevel)
	base.logger = zap.New(core)
	second := newProbe(app, "second", basicwork.RetryNever)

	first.StartWork(nil)
	second.StartWork(nil)
	require.Equal(t, 1, firstLogs.FilterMessage("Starting first").Len())
	require.Zero(t, firstLogs.FilterMessage("Starting second").Len())
	require.Equal(t, 1, secondLogs.FilterMessage("Starting second").Len())
	require.Zero(t, secondLogs.FilterMessage("Starting first").Len())
}

func TestInitReadsTheClockOfTheMoment(t *testing.T) {
	app, _ := newTestApp(t, nil)
	first := newProbe(app, "first", basicwork.RetryNever)
	later := vclock.New(vclock.VirtualTime)
	later.SetCurrentVirtualTime(later.Now().Add(time.Hour))
	app.clock = later
	second := newProbe(app, "second", basicwork.RetryNever)

	require.Equal(t, time.Duration(0), first.Since())
	require.Equal(t, time.Hour, second.Since())
	first.StartWork(nil)
	second.StartWork(nil)
	require.Equal(t, time.Duration(0), first.Since(), "first keeps the clock it was Init'ed with")
	require.Equal(t, time.Hour, second.Since())
}

// valueApp is an Application passed by value whose type is not
// comparable: telling two of them apart must not panic.
type valueApp struct {
	*testApp
	notComparable []int
}

func TestInitWithAnApplicationThatIsNotComparable(t *testing.T) {
	app, logs := newTestApp(t, nil)
	a := newProbe(valueApp{testApp: app, notComparable: []int{1}}, "a", basicwork.RetryNever)
	b := newProbe(valueApp{testApp: app, notComparable: []int{2}}, "b", basicwork.RetryNever)
	a.StartWork(nil)
	b.StartWork(nil)
	require.Equal(t, 1, logs.FilterMessage("Starting a").Len())
	require.Equal(t, 1, logs.FilterMessage("Starting b").Len())
	require.Equal(t, basicwork.Running, a.State())
	require.Equal(t, basicwork.Running, b.State())
}

// cachedApp is a testApp whose works share their record through an
// EnvCache it embeds, as package scheduler's App does.
type cachedApp struct {
	basicwork.EnvCache
	*testApp
}

// extendedApp embeds a cachedApp, and with it its EnvCache, as an
// application type that extends scheduler.App does.
type extendedApp struct{ *cachedApp }

func TestInitWithAnEnvCache(t *testing.T) {
	t.Run("the logger of the moment", func(t *testing.T) {
		checkLoggerOfTheMoment(t, func(a *testApp) basicwork.Application { return &cachedApp{testApp: a} })
	})
	t.Run("an application that embeds another", func(t *testing.T) {
		base, _ := newTestApp(t, nil)
		inner := &cachedApp{testApp: base}
		outer := &extendedApp{inner}
		a := newProbe(inner, "a", basicwork.RetryNever)
		b := newProbe(outer, "b", basicwork.RetryNever)
		c := newProbe(inner, "c", basicwork.RetryNever)
		require.Same(t, inner, a.App())
		require.Same(t, outer, b.App())
		require.Same(t, inner, c.App())
	})
	t.Run("a dropped application is collected", func(t *testing.T) {
		var w weak.Pointer[cachedApp]
		func() {
			base, _ := newTestApp(t, nil)
			app := &cachedApp{testApp: base}
			w = weak.Make(app)
			p := newProbe(app, "only", basicwork.RetryNever)
			p.StartWork(nil)
			p.crankAs(basicwork.Success)
		}()
		runtime.GC()
		runtime.GC()
		require.Nil(t, w.Value(), "the dropped application is still reachable")
	})
}

// TestEnvCacheOwnOnce: the owner of an EnvCache is declared once, before
// any work is Init'ed: a second declaration, or one after an Init, would leave
// works that read different listeners, so both panic before they change
// anything, and the works go on as before.
func TestEnvCacheOwnOnce(t *testing.T) {
	base, _ := newTestApp(t, nil)
	var listen, other basicwork.TransitionListener
	app := &cachedApp{testApp: base}
	app.OwnForTest(app, &listen)
	require.PanicsWithValue(t, "basicwork: an EnvCache's owner declared twice: an EnvCache has one owner, declared once",
		func() { app.OwnForTest(app, &other) })

	late := &cachedApp{testApp: base}
	p := newProbe(late, "early", basicwork.RetryNever)
	require.PanicsWithValue(t, "basicwork: an EnvCache's owner declared after a work was Init'ed with its application: declare the owner first",
		func() { late.OwnForTest(late, &listen) })
	p.StartWork(nil)
	p.crankAs(basicwork.Success)

	require.PanicsWithValue(t, "basicwork: an EnvCache's owner declared with a nil application or listener field",
		func() { (&cachedApp{testApp: base}).OwnForTest(nil, &listen) })
}

// TestInitWithOwnersOfOneType: Init finds an owner's record at the offset
// where the owner's type holds its EnvCache, tested inline; two owners of
// one type, their works Init'ed in turn, must each give their works their
// own record (application, clock, logger).
func TestInitWithOwnersOfOneType(t *testing.T) {
	baseA, logsA := newTestApp(t, nil)
	baseB, logsB := newTestApp(t, nil)
	var listenA, listenB basicwork.TransitionListener
	appA, appB := &cachedApp{testApp: baseA}, &cachedApp{testApp: baseB}
	appA.OwnForTest(appA, &listenA)
	appB.OwnForTest(appB, &listenB)
	var works []*probe
	for i := range 6 {
		app := basicwork.Application(appA)
		if i%2 == 1 {
			app = appB
		}
		works = append(works, newProbe(app, fmt.Sprintf("w%d", i), basicwork.RetryNever))
	}
	for i, w := range works {
		want := basicwork.Application(appA)
		if i%2 == 1 {
			want = appB
		}
		require.Same(t, want, w.App(), "work %d", i)
		w.StartWork(nil)
	}
	for i := range works {
		logs, other := logsA, logsB
		if i%2 == 1 {
			logs, other = logsB, logsA
		}
		msg := fmt.Sprintf("Starting w%d", i)
		require.Equal(t, 1, logs.FilterMessage(msg).Len(), msg)
		require.Zero(t, other.FilterMessage(msg).Len(), msg)
	}
}

// TestCacheOffset: the EnvCache is at a fixed offset only in a pointer to a
// struct that embeds it by value, through fields embedded by value.
func TestCacheOffset(t *testing.T) {
	type inner struct {
		_ [3]int
		basicwork.EnvCache
	}
	type nested struct {
		_ int
		inner
	}
	type viaPointer struct {
		_ int
		*inner
	}
	type named struct {
		_     int
		cache basicwork.EnvCache
	}
	var n named
	_ = &n.cache
	off, ok := basicwork.CacheOffsetForTest(reflect.TypeFor[*cachedApp]())
	require.True(t, ok)
	require.Equal(t, reflect.TypeFor[cachedApp]().Field(0).Offset, off)
	off, ok = basicwork.CacheOffsetForTest(reflect.TypeFor[*nested]())
	require.True(t, ok)
	require.Equal(t, unsafe.Offsetof(nested{}.inner)+unsafe.Offsetof(inner{}.EnvCache), off)
	require.NotZero(t, off)
	for _, typ := range []reflect.Type{
		reflect.TypeFor[*viaPointer](),  // through a pointer
		reflect.TypeFor[*extendedApp](), // the same
		reflect.TypeFor[*named](),       // not embedded
		reflect.TypeFor[nested](),       // not a pointer
		reflect.TypeFor[*int](),
	} {
		_, ok := basicwork.CacheOffsetForTest(typ)
		require.False(t, ok, "%v", typ)
	}
}

// TestInitWithAnOwnerThatEmbedsTheCache: the record an EnvCache holds may
// be that of its owner, another application that shares the cache; the
// works of the application that embeds the cache must not get it.
func TestInitWithAnOwnerThatEmbedsTheCache(t *testing.T) {
	base, _ := newTestApp(t, nil)
	// An Init with another application of the type first, so that Init
	// knows where that type holds its EnvCache.
	newProbe(&cachedApp{testApp: base}, "first", basicwork.RetryNever)
	inner := &cachedApp{testApp: base}
	outer := &extendedApp{inner}
	var listen basicwork.TransitionListener
	inner.OwnForTest(outer, &listen)
	a := newProbe(outer, "a", basicwork.RetryNever)
	b := newProbe(inner, "b", basicwork.RetryNever)
	require.Same(t, outer, a.App())
	require.Same(t, inner, b.App())
}
