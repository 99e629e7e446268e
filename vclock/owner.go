package vclock

import (
	"errors"

	"github.com/stellarwork/stellarwork/internal/vclockhook"
)

// The crank-owner hooks of the library's own packages (the WorkScheduler's
// ExecuteWork and Run check and take the owner bit before they touch the
// work tree).
func init() {
	vclockhook.RegisterOwner(
		func(c any) bool { return c.(*Clock).signals.Or(ownerBit)&ownerBit == 0 },
		func(c any) { c.(*Clock).signals.And(^uint64(ownerBit)) },
	)
}

// ErrCrankMisuse is what a Crank refused by the ownership guard panics
// with: a Crank called while a Crank of the same clock runs, from inside it
// (an action, a timer callback or a work's hook: a nested Crank, ExecuteWork
// or Run) or from another goroutine. Recover it and test it with errors.Is.
// The C++ asserts instead that the clock runs on the main thread.
var ErrCrankMisuse = errors.New(errCrankBusy)
