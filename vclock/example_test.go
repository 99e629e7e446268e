package vclock_test

import (
	"fmt"
	"time"

	"github.com/stellarwork/stellarwork/vclock"
)

// In virtual time, time stands still until a crank finds nothing to do;
// then it jumps to the next timer. A program that only cranks never waits.
func ExampleClock_Crank() {
	clock := vclock.New(vclock.VirtualTime)
	for _, d := range []time.Duration{3 * time.Second, time.Second, time.Hour} {
		t := vclock.NewTimer(clock)
		t.ExpiresFromNow(d)
		t.AsyncWait(func(err error) { fmt.Printf("timer of %v fired at %v, err %v\n", d, clock.Elapsed(), err) })
	}
	cranks := 0
	for clock.Crank(false) > 0 {
		cranks++
	}
	fmt.Println("idle at", clock.Elapsed(), "after", cranks, "cranks")
	// Output:
	// timer of 1s fired at 1s, err <nil>
	// timer of 3s fired at 3s, err <nil>
	// timer of 1h0m0s fired at 1h0m0s, err <nil>
	// idle at 1h0m0s after 3 cranks
}

// A virtual clock starts at the Unix epoch; SleepFor moves it.
func ExampleNew_virtualTime() {
	clock := vclock.New(vclock.VirtualTime)
	fmt.Println(clock.Mode(), clock.Now().UTC())
	clock.SleepFor(90 * time.Minute)
	fmt.Println(clock.Elapsed(), clock.Now().UTC())
	// Output:
	// VIRTUAL_TIME 1970-01-01 00:00:00 +0000 UTC
	// 1h30m0s 1970-01-01 01:30:00 +0000 UTC
}

// A posted action runs on a later crank, never in the crank that posts it.
// PostAction is the way back onto the crank goroutine from any other.
func ExampleClock_PostAction() {
	clock := vclock.New(vclock.VirtualTime)
	clock.PostAction(func() {
		fmt.Println("first")
		clock.PostAction(func() { fmt.Println("posted by first") }, "demo", vclock.NormalAction)
	}, "demo", vclock.NormalAction)
	for n := 1; clock.Crank(false) > 0; n++ {
		fmt.Println("after crank", n)
	}
	// Output:
	// after crank 1
	// first
	// after crank 2
	// posted by first
	// after crank 3
}

// Cancelling a timer runs its callback at once, with ErrOperationAborted,
// as asio does. As in the C++, the cancelled event stays queued until an
// idle crank pops it, moving virtual time to its expiry.
func ExampleTimer_Cancel() {
	clock := vclock.New(vclock.VirtualTime)
	t := vclock.NewTimer(clock)
	t.ExpiresFromNow(time.Minute)
	t.AsyncWaitFunc(func() { fmt.Println("fired") }, func(err error) { fmt.Println("cancelled:", err) })
	t.Cancel()
	for clock.Crank(false) > 0 {
	}
	fmt.Println("idle at", clock.Elapsed())
	// Output:
	// cancelled: operation aborted
	// idle at 1m0s
}
