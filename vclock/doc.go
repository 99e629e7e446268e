// Package vclock is the clock that drives every work: the Go counterpart of
// stellar-core's VirtualClock and VirtualTimer.
//
// A Clock runs in one of two modes. In VirtualTime mode, time stands still
// until the program moves it: Crank runs whatever is ready (posted actions,
// wake-ups) and, only when nothing at all was ready, jumps virtual time to the
// earliest timer and fires every timer due then. Tests drive a Clock by
// calling Crank in a loop and never wait on the wall clock. In RealTime mode
// time comes from an injected github.com/benbjohnson/clock Clock (the real
// wall clock by default, its mock in tests) and a blocking Crank sleeps until
// a timer is due or an action is posted.
//
// One Crank does what one C++ VirtualClock::crank does, step for step, and
// returns the same progress count:
//
//  1. run queued I/O handlers one at a time (the wake-ups that PostAction
//     queues when it finds the pending queue empty), at most 99, stopping at
//     the first poll that finds none or when 500 ms of time have passed;
//  2. run posted actions through the fair action scheduler, with the same
//     three limits; an action posted during this crank waits in the pending
//     queue and never runs in the crank that posted it;
//  3. in VirtualTime mode, if nothing progressed, no background work is
//     outstanding and the pending queue is empty, jump to the earliest timer
//     event and fire every event due at the new time (each popped event
//     counts 1, cancelled ones included);
//  4. move the pending actions into the scheduler (each counts 1);
//  5. if still nothing progressed and the caller asked to block, wait for a
//     post from another goroutine (or, in RealTime mode, the next timer);
//  6. add the count of outstanding background work.
//
// Timers due at the same instant fire in the order stellar-core fires them
// when built with GCC: the queue is a binary heap handled exactly as
// libstdc++ handles std::priority_queue (see package internal/stdheap), keyed
// by (expiry, seq) where seq counts the waits of one timer, and cancelled
// events stay in the heap until a throttled flush rebuilds it. That order is
// part of the contract; the parity traces show it.
//
// The Clock is not safe for concurrent use, with these exceptions, which may
// be called from any goroutine: PostAction, NewBackgroundWork,
// FinishedBackgroundWork, Now, SystemNow and IsStopped. Everything else,
// NewTimer and the Timer methods and Shutdown among them, belongs to the
// goroutine that cranks the clock; from another goroutine, post it with
// PostAction. Crank checks its own use: one started while another runs,
// from a second goroutine or from inside the running crank, panics before
// it changes anything. Shutdown called while a Crank waits panics too.
package vclock
