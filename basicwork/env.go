package basicwork

import (
	"reflect"
	"sync/atomic"
	"unsafe"
	"weak"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/internal/appenv"
	"github.com/stellarwork/stellarwork/vclock"
)

// appEnv is what the works of one Application share, read from it when a
// work is Init'ed: the application, its clock and its logger, and the
// logger's core. A work holds one pointer to it instead of the
// application and the core (two interfaces), which keeps BasicWork at 80
// bytes (issue 15, workload e), and a state change reaches the clock
// without a call through the Application.
type appEnv struct {
	app    Application
	clock  *vclock.Clock
	logger *zap.Logger
	// logCore is logger.Core(), or nil when that logs nothing at any
	// level: every state change asks it whether a level is on, and going
	// through the logger each time was a measurable part of a step.
	logCore zapcore.Core
	// listen, when not nil, is where app keeps what its TransitionListener
	// returns (see own): a transition reads it there rather than
	// calling through the Application.
	listen *TransitionListener
	// owned is set when app is its EnvCache's owner (see own), whose
	// clock and logger do not change: envOf need not ask for them again.
	owned bool
	// words are app's two words (the type word and the pointer), which
	// envOf compares.
	words [2]unsafe.Pointer
}

// EnvCache is a place in an Application where the works Init'ed with it
// find the record of its clock and logger that they share. An application
// type that embeds one (package scheduler's App does) makes an Init
// cheaper: without it, Init finds the record through a weak pointer to
// the last one made, whose dereference costs about a hundred instructions.
// The zero value is ready to use; an EnvCache must not be copied once a
// work has been Init'ed with its application. It ports nothing: the C++
// works reach the Application directly.
type EnvCache struct {
	env atomic.Pointer[appEnv]
	// owner is the Application given to own, as its two words, and listen
	// where it keeps its transition listener.
	owner  [2]unsafe.Pointer
	listen *TransitionListener
}

// own declares app, the Application that embeds c, as c's owner: app's
// Clock and Logger return the same values for as long as app is used, and
// *listen is always what app's TransitionListener returns. The works of
// app then read its listener through listen on every transition instead
// of calling TransitionListener, and their Init does not ask app for its
// clock and logger again. Another Application type that embeds app and
// shares c is not the owner, and is asked as before. own must be called
// before any work is Init'ed with app, and at most once: it panics on a
// nil app or listen, on a second call, and once a work has been Init'ed
// with an application sharing c, before it changes anything (the works
// Init'ed already would go on asking the application). It ports nothing:
// the C++ works reach the Application directly. Package scheduler calls it
// through internal/appenv, so that it is no part of the public API.
func (c *EnvCache) own(app Application, listen *TransitionListener) {
	if app == nil || listen == nil {
		panic("basicwork: an EnvCache's owner declared with a nil application or listener field")
	}
	if c.listen != nil {
		panic("basicwork: an EnvCache's owner declared twice: an EnvCache has one owner, declared once")
	}
	if c.env.Load() != nil {
		panic("basicwork: an EnvCache's owner declared after a work was Init'ed with its application: declare the owner first")
	}
	c.owner = *(*[2]unsafe.Pointer)(unsafe.Pointer(&app))
	c.listen = listen
}

func init() {
	appenv.Register(appenv.Own[EnvCache, Application, TransitionListener]((*EnvCache).own))
}

func (c *EnvCache) envCache() *EnvCache { return c }

// envCacher is an Application that embeds an EnvCache.
type envCacher interface{ envCache() *EnvCache }

// lastEnv points weakly to the appEnv made last: works are mostly built
// many of one application in a row, and they share it. The works hold
// their appEnv; lastEnv must not, or the application (its clock with its
// timers and actions, its logger) would stay reachable after the program
// dropped it and its works (TestAttackDroppedApplicationIsCollected).
var lastEnv atomic.Pointer[weak.Pointer[appEnv]]

// cacheAt is where an EnvCache lies in the value an application's pointer
// points to, for one application type: the type word of the pointer type
// (typeWord) and the EnvCache's offset. A type that embeds an EnvCache by
// value, through fields embedded by value, has it at the same offset in
// every value (cacheOffset).
type cacheAt struct {
	typ unsafe.Pointer
	off uintptr
}

// lastCacheAt is the cacheAt of the last application type found to embed
// an EnvCache: works are mostly Init'ed with one application, and finding
// its EnvCache at a known offset costs a comparison and an addition where
// the type assertion to envCacher and the call to envCache cost about
// forty instructions per Init. It holds a type, not an application.
var lastCacheAt atomic.Pointer[cacheAt]

// noCacheAt is lastCacheAt until an application type is found to embed an
// EnvCache: its type word is nil, that of no application but a nil one,
// which cachedEnv's test of the pointer refuses. lastCacheAt is never nil,
// which saves cachedEnv a test (it must stay small enough to be inlined).
var noCacheAt cacheAt

func init() { lastCacheAt.Store(&noCacheAt) }

// envOf returns an appEnv for app: the last one made if app, its clock and
// its logger are the ones it holds, a new one otherwise. Init tests its
// usual case itself (cachedEnv).
func envOf(app Application) *appEnv {
	if h, ok := app.(envCacher); ok {
		c := h.envCache()
		noteCacheAt(app, c)
		e := c.env.Load()
		// The owner's clock and logger do not change (see own).
		if e != nil && e.owned && sameValue(e.app, app) {
			return e
		}
		clock, logger := app.Clock(), app.Logger()
		// An application type that embeds another's shares its EnvCache:
		// the record must be of app itself.
		if e != nil && sameValue(e.app, app) && e.clock == clock && e.logger == logger {
			return e
		}
		e = makeEnv(app, clock, logger)
		if c.listen != nil && *(*[2]unsafe.Pointer)(unsafe.Pointer(&app)) == c.owner {
			e.listen, e.owned = c.listen, true
		}
		c.env.Store(e)
		return e
	}
	clock, logger := app.Clock(), app.Logger()
	if p := lastEnv.Load(); p != nil {
		if e := p.Value(); e != nil && sameValue(e.app, app) && e.clock == clock && e.logger == logger {
			return e
		}
	}
	return newEnv(app, clock, logger)
}

// noteCacheAt records, as lastCacheAt, where app's EnvCache c lies if
// app's type has it at a fixed offset (cacheOffset).
func noteCacheAt(app Application, c *EnvCache) {
	w := *(*[2]unsafe.Pointer)(unsafe.Pointer(&app))
	if k := lastCacheAt.Load(); k != nil && k.typ == w[0] {
		return
	}
	off, ok := cacheOffset(reflect.TypeOf(app))
	if !ok || unsafe.Add(w[1], off) != unsafe.Pointer(c) {
		return
	}
	lastCacheAt.Store(&cacheAt{typ: w[0], off: off})
}

// cacheOffset returns the offset of the EnvCache that t's envCache method
// returns, in the value t points to, if t is a pointer to a struct that
// embeds that EnvCache by value, through fields embedded by value: then
// every value of t has it at that offset. Go's promotion and
// FieldByName both pick the shallowest EnvCache (none if two are
// equally shallow).
func cacheOffset(t reflect.Type) (uintptr, bool) {
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return 0, false
	}
	f, ok := t.Elem().FieldByName("EnvCache")
	if !ok || !f.Anonymous || f.Type != envCacheType {
		return 0, false
	}
	off := uintptr(0)
	s := t.Elem()
	for _, i := range f.Index {
		sf := s.Field(i)
		if sf.Type.Kind() != reflect.Struct {
			return 0, false // a pointer on the way: the offset is not fixed
		}
		off += sf.Offset
		s = sf.Type
	}
	return off, true
}

// envCacheType is EnvCache's type.
var envCacheType = reflect.TypeFor[EnvCache]()

// cachedEnv returns the appEnv of app if app is the owner of an EnvCache
// that lies at the offset lastCacheAt records for app's type, and nil
// otherwise (then envOf finds it). It is small enough to be inlined into
// Init.
func cachedEnv(app Application) *appEnv {
	w := *(*[2]unsafe.Pointer)(unsafe.Pointer(&app))
	// lastCacheAt is never nil (noCacheAt), and the record is read only
	// from a pointer that is not nil: reading it at the offset from a nil
	// one (a nil *T given as the application) would fault past the first
	// page, and computing its address is fatal under checkptr (-race).
	if k := lastCacheAt.Load(); k.typ == w[0] && w[1] != nil {
		if e := (*EnvCache)(unsafe.Add(w[1], k.off)).env.Load(); e != nil && e.owned && e.words[0] == w[0] && e.words[1] == w[1] {
			return e
		}
	}
	return nil
}

// newEnv makes envOf's new appEnv and keeps it as the last one.
func newEnv(app Application, clock *vclock.Clock, logger *zap.Logger) *appEnv {
	e := makeEnv(app, clock, logger)
	p := weak.Make(e)
	lastEnv.Store(&p)
	return e
}

// makeEnv returns a new appEnv of app, clock and logger.
func makeEnv(app Application, clock *vclock.Clock, logger *zap.Logger) *appEnv {
	e := &appEnv{app: app, clock: clock, logger: logger, logCore: logger.Core(),
		words: *(*[2]unsafe.Pointer)(unsafe.Pointer(&app))}
	if reflect.TypeOf(e.logCore) == nopCoreType {
		e.logCore = nil // logging is off for good: enabled need not ask
	}
	return e
}

// nopCoreType is the type of zap's core that logs nothing at any level.
// envOf compares types rather than the interface values, which would cost
// a call to the runtime's interface comparison.
var nopCoreType = reflect.TypeOf(zapcore.NewNopCore())

// sameValue reports whether a and b hold the same pointer (or the same
// copy of a value) of the same type: both of their words are equal. It
// never panics, where == panics on a type that is not comparable; two
// copies of an equal value read as different, which only costs envOf a
// new appEnv.
func sameValue(a, b Application) bool {
	wa := *(*[2]unsafe.Pointer)(unsafe.Pointer(&a))
	wb := *(*[2]unsafe.Pointer)(unsafe.Pointer(&b))
	return wa[0] == wb[0] && wa[1] == wb[1]
}
