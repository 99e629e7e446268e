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
	postOnCrank func(c any, f func(), name string, typ actionsched.ActionType)
	next        func(c any) (time.Time, bool)
)

// Register installs vclock's hooks. Package vclock calls it once, from its
// init; it panics if called again.
func Register(post func(c any, f func(), name string, typ actionsched.ActionType), nxt func(c any) (time.Time, bool)) {
	if postOnCrank != nil {
		panic("vclockhook: Register called twice")
	}
	postOnCrank, next = post, nxt
}

// PostActionOnCrank is vclock's PostAction for code running on the crank
// goroutine of clock (a *vclock.Clock): an action, a timer callback, or the
// goroutine that cranks, between cranks. The action runs in the same order
// and on the same crank as with PostAction, but posting takes no lock. Called
// from any other goroutine it is a data race. It panics as PostAction does on
// a nil action, and does nothing after Shutdown. It has no C++ counterpart
// (the C++ postAction always locks).
func PostActionOnCrank(clock any, f func(), name string, typ actionsched.ActionType) {
	postOnCrank(clock, f, name, typ)
}

// Next returns the expiry of the earliest timer event queued on clock (a
// *vclock.Clock), and false when none is queued. A cancelled event that the
// throttled flush has not removed yet still counts, as in the C++
// VirtualClock::next(), which returns time_point::max() where this returns
// false. Call it on the crank goroutine, between cranks.
func Next(clock any) (time.Time, bool) { return next(clock) }
