// Package vclockhook gives the library's own packages the parts of a
// vclock.Clock that are not for users: a post without the lock, for code
// already on the crank goroutine (a data race anywhere else), and the
// expiry of the next timer event, which tests compare with a model.
//
// Package vclock fills the hooks in from its init; this package cannot
// import vclock (vclock imports it), so the clock is passed as any and must
// be a *vclock.Clock.
package vclockhook

import (
	"time"

	"github.com/stellarwork/stellarwork/internal/actionsched"
)

var (
	onCrankPoster func(c any) Poster
	next          func(c any) (time.Time, bool)
)

// Poster is PostActionOnCrank bound to one clock (OnCrankPoster). It is an
// interface rather than a function value so that a call goes straight to
// the clock's method, without the wrapper of a method value.
type Poster interface {
	// PostOnCrank is PostActionOnCrank on the clock the Poster is bound to.
	PostOnCrank(f func(), name string, typ actionsched.ActionType)
}

// Register installs vclock's hooks. Package vclock calls it once, from its
// init; it panics if called again. poster returns PostActionOnCrank bound
// to a clock.
func Register(poster func(c any) Poster, nxt func(c any) (time.Time, bool)) {
	if onCrankPoster != nil {
		panic("vclockhook: Register called twice")
	}
	onCrankPoster, next = poster, nxt
}

// PostActionOnCrank is vclock's PostAction for code running on the crank
// goroutine of clock (a *vclock.Clock): an action, a timer callback, or the
// goroutine that cranks, between cranks. The action runs in the same order
// and on the same crank as with PostAction, but posting takes no lock. Called
// from any other goroutine it is a data race. It panics as PostAction does on
// a nil action, and does nothing after Shutdown. It has no C++ counterpart
// (the C++ postAction always locks).
func PostActionOnCrank(clock any, f func(), name string, typ actionsched.ActionType) {
	onCrankPoster(clock).PostOnCrank(f, name, typ)
}

// OnCrankPoster returns PostActionOnCrank bound to clock (a *vclock.Clock),
// for a caller that posts on every crank: calling it goes straight to the
// clock, without the type assertion on clock that each PostActionOnCrank
// makes. It panics if clock is not a *vclock.Clock.
func OnCrankPoster(clock any) Poster { return onCrankPoster(clock) }

// Next returns the expiry of the earliest timer event queued on clock (a
// *vclock.Clock), and false when none is queued. A cancelled event that the
// throttled flush has not removed yet still counts, as in the C++
// VirtualClock::next(), which returns time_point::max() where this returns
// false. Call it on the crank goroutine, between cranks.
func Next(clock any) (time.Time, bool) { return next(clock) }

// Self is the post of one action by itself, at the end of its run, to the
// queue it ran from, made without a call (see actionsched.Self): a clock
// has one (SelfOf). It has no C++ counterpart: the C++ WorkScheduler posts
// itself again with postOnMainThread.
type Self = actionsched.Self

var selfOf func(c any) *Self

// RegisterSelf installs vclock's Self hook. Package vclock calls it once,
// from its init; it panics if called again.
func RegisterSelf(of func(c any) *Self) {
	if selfOf != nil {
		panic("vclockhook: RegisterSelf called twice")
	}
	selfOf = of
}

// SelfOf returns the Self of clock (a *vclock.Clock). Read and write it
// only on the crank goroutine. It panics if clock is not a *vclock.Clock.
func SelfOf(clock any) *Self { return selfOf(clock) }

var (
	tryOwn func(c any) bool
	disown func(c any)
)

// RegisterOwner installs vclock's crank-owner hooks. Package vclock calls it
// once, from its init; it panics if called again.
func RegisterOwner(try func(c any) bool, release func(c any)) {
	if tryOwn != nil {
		panic("vclockhook: RegisterOwner called twice")
	}
	tryOwn, disown = try, release
}

// TryOwn takes the crank-owner bit of clock (a *vclock.Clock), the one a
// Crank holds while it runs, and reports whether it was free: false means a
// Crank of clock is running, on this goroutine (the caller is inside it) or
// on another. It is one atomic operation. While the caller owns the clock,
// any Crank of it panics as a concurrent Crank does; the caller must give
// the bit back with Disown, also when it panics. It has no C++ counterpart.
func TryOwn(clock any) bool { return tryOwn(clock) }

// Disown gives back the crank-owner bit that TryOwn took.
func Disown(clock any) { disown(clock) }
