package vclock

import (
	"context"
	"runtime/trace"
	"time"

	"github.com/stellarwork/stellarwork/internal/actionsched"
)

// Crank runs one round of the clock and returns how much progress it made:
// the I/O handlers run, the actions run, the timer events popped, the pending
// actions moved into the scheduler and the background work outstanding. The
// package doc lists the steps. With block set and nothing done, it waits for
// a post from another goroutine (RealTime mode: or for the next timer).
//
// Crank belongs to one goroutine at a time and never nests. A Crank called
// while another Crank of the same clock runs, from a second goroutine or from
// inside the running crank (an action, a timer callback, a work's hook, or a
// nested ExecuteWork or Run, which crank themselves), panics at once with a
// message starting "vclock: Crank called while", leaving the clock untouched:
// nothing posted is lost, and the running crank, or a caller that recovers
// the panic, cranks on. A Crank blocked waiting for a post counts as running.
// The C++ asserts instead that the clock runs on the main thread.
//
// A panic in code the crank runs (an action, a timer callback, a work's
// hook such as OnRun) goes up through Crank to its caller, as a C++
// exception would go up through crank (where the C++ process would end).
// The clock is given back on the way up and what else is posted stays
// queued: a caller that recovers the panic can call Crank again. For the
// works, the WorkScheduler has posted its next crank before the panic
// left, and a work whose OnRun or OnAbort panicked keeps its state, so the
// tree cranks on (docs/ROBUSTNESS.md in the repository lists every case).
func (c *Clock) Crank(block bool) int {
	// The guard rides on signals, which every crank reads anyway. Or sets
	// the owner bit only if it was clear, so a refused crank changes
	// nothing. The transfer of posted actions, which swaps signals anyway,
	// gives the bit back in the same swap when nothing is left to do
	// (see crank); otherwise crank's last step does, or, when user code
	// panics, the code that catches the panic on its way up (see
	// crankGuarded). Crank is inlined: the guard, and a call.
	if c.signals.Or(ownerBit)&ownerBit != 0 {
		panic(ErrCrankMisuse)
	}
	return c.crank(block, false)
}

// crankGuarded is Crank's body for a RealTime clock, whose crank runs user
// code (timer callbacks, an injected wall clock) in many places: a
// deferred function gives the clock back if any of it panics. A virtual
// clock's crank runs user code in two places only: the actions, after
// each of which the action scheduler's bookkeeping gives the clock back on
// a panic's way up (AfterPanic, see New), and the timer callbacks of step
// 3 (advanceToNextGuarded); so no deferred function around it, on every
// crank.
func (c *Clock) crankGuarded(block bool) (progress int) {
	// A panic out of user code always finds the clock held: the crank
	// gives it back only after the last user code it runs, and the
	// deferred And gives it back then (progress, set by the return only,
	// is still negative). A crank that returns has given it back itself
	// (most often in the swap of the transfer of posted actions): from
	// then on another goroutine's Crank may own the clock, so nothing
	// here may touch the clock again, not even a flag of its own, which
	// that crank would be writing. The end of an action using c.self
	// that the panic skipped (Self.Unwound) is the action scheduler's to
	// call, in its bookkeeping after the action; the post Self.Posted
	// asks for is set at the action's normal end and made before
	// anything else runs.
	progress = -1
	defer func() {
		if progress < 0 {
			c.disown()
		}
	}()
	if trace.IsEnabled() {
		return c.crankTraced(block)
	}
	return c.crank(block, true)
}

// disown gives the clock back (the owner bit) after a panic out of user
// code in a crank.
func (c *Clock) disown() { c.signals.And(^uint64(ownerBit)) }

// advanceToNextGuarded is step 3's advanceToNext, for a virtual clock's
// crank, which has no deferred function of its own: it gives the clock
// back if a timer callback panics (n, set by the return only, is still
// negative).
func (c *Clock) advanceToNextGuarded() (n int) {
	n = -1
	defer func() {
		if n < 0 {
			c.disown()
		}
	}()
	return c.advanceToNext()
}

// crankTraced is a crank inside a runtime/trace region, while a trace is
// being recorded.
func (c *Clock) crankTraced(block bool) int {
	defer trace.StartRegion(context.Background(), "crank").End()
	return c.crank(block, true)
}

// crank is Crank's body. It gives the clock back (the owner bit) before it
// returns: in the swap of the transfer of posted actions, once the crank has
// progressed and has nothing left to do but read atomics, or at its end.
// After that swap it reads no field that a Crank writes. Unless wrapped is
// set, it first hands a RealTime clock's crank to crankGuarded, and one
// while a trace is recorded to crankTraced, which call it back wrapped.
func (c *Clock) crank(block, wrapped bool) int {
	progress := 0
	given := false // the swap gave the clock back
	if c.mode == RealTime {
		if !wrapped {
			return c.crankGuarded(block)
		}
		c.lastDispatchStart = c.sinceEpoch()
		progress += c.advanceToNow()
	} else if trace.IsEnabled() && !wrapped {
		return c.crankTraced(block)
	}

	// Favour the action queue less the longer the scheduler has been
	// overloaded: each second of overload halves the I/O step's budget.
	ioSlice, ioEvents := CrankTimeSlice, crankEventSlice
	ioMax := uint64(crankEventSlice - 1) // the handlers the step may run
	if c.actions.Overloaded() {
		overloaded := min(c.actions.OverloadedDuration()/time.Second, 30)
		ioSlice >>= overloaded
		ioEvents >>= overloaded
		ioMax = uint64(max(ioEvents-1, 0))
	}

	// Step 1: I/O handlers. Each step runs while less than its slice has
	// passed since it began: a difference of two instants, which cannot
	// overflow where the C++ sum start+slice could at the end of time.
	//
	// In VirtualTime mode an I/O handler is a wake-up that runs no code,
	// so virtual time cannot move during the step and its time test always
	// passes: only the count bounds it.
	var start time.Duration
	if c.mode == VirtualTime {
		start = time.Duration(c.virtualNow.Load()) // sinceEpoch
		c.lastDispatchStart = start
		// pollOne's VirtualTime case, for all the handlers the step may
		// run at once: they run no code, so nothing can change between
		// them but posts from other goroutines, which may as well come
		// after the step.
		if !c.stopped.Load() {
			k := min(c.signals.Load()&^flagBits-c.ioTaken, ioMax)
			c.ioTaken += k
			progress += int(k)
		}
	} else {
		start = c.wallSince() // sinceEpoch
		c.lastDispatchStart = start
		for n := 1; c.sinceEpoch()-start < ioSlice && n < ioEvents; n++ {
			p := c.pollOne()
			progress += p
			if p == 0 {
				break
			}
		}
		// (Virtual time did not move: the step's start is the next
		// step's.)
		start = c.sinceEpoch()
		c.lastDispatchStart = start
	}

	// Step 2: scheduled actions. The time after an action is the reading
	// RunOne took at its end: the C++ reads the clock again, which a
	// virtual clock (whose time moves only inside actions) answers the
	// same, and a wall clock nanoseconds later. The same reading (the
	// step's start, for the first) is where the next RunOne starts, where
	// the C++ reads the clock once more.
	//
	// The first round's bounds hold: n is 1, and no time has passed.
	for n, now := 1, start; ; {
		p := c.actions.RunOneAt(now)
		progress += p // Moved counts the action and the move
		if p == actionsched.Moved {
			// The action scheduler made the post an action asked for
			// at its end (c.self) and step 4's move of it, in its
			// bookkeeping after the action, with nothing pending then
			// and Drained true. One swap is left to do, step 4's,
			// which also counts the wake-up I/O handler the post would
			// have queued and gives the clock back. If it finds nothing
			// pending, step 4 has nothing to move (a post from another
			// goroutine coming now may as well come after it), and
			// steps 3 and 5 are for a crank without progress: step 6 is
			// left, for a virtual clock (Moved is only ever returned
			// for one). Otherwise, a post from another goroutine came
			// since the bookkeeping: it queued that wake-up itself (it
			// found nothing pending), and step 4 moves it after this
			// one, as it came after it.
			for v := c.signals.Load(); v&pendingBits == 0; v = c.signals.Load() {
				if c.signals.CompareAndSwap(v, (v+1)&^ownerBit) {
					return progress + int(c.background.Load())
				}
			}
			break
		}
		if p == 0 || c.actions.Drained() {
			// Drained: the next RunOne would return 0 and change
			// nothing; skip it.
			break
		}
		if c.self.Posted {
			// The next action may post: after this one.
			c.postSelf()
		}
		now = c.actions.LastRead()
		if n++; now-start >= CrankTimeSlice || n >= crankEventSlice {
			break
		}
	}

	// The post an action asked for at its end (c.self), if the action
	// scheduler did not make it, made now: no other action ran since,
	// nothing read what is posted, and only another goroutine can have
	// posted. With nothing pending, it is PostOnCrank's post and step 4's
	// move at once: the action goes into the scheduler at step 4's
	// reading of the clock, and one swap counts the wake-up I/O handler
	// the post would have queued and gives the clock back, as step 4's
	// swap does. If a post from another goroutine comes before the swap,
	// it queued that wake-up itself (it found nothing pending), and step
	// 4 moves it after this one, as it would have come after it. Once the
	// swap has given the clock back, the crank is over: step 4 found
	// nothing to move at the swap (a post coming after it may as well come
	// after the crank, and queued its own wake-up), steps 3 and 5 are for
	// a crank without progress, and step 6 reads atomics only. (A post
	// moved after the swap would touch the action scheduler while another
	// goroutine's Crank may own it.)
	if c.self.Posted {
		c.self.Posted = false
		if v := c.signals.Load(); v&pendingBits == 0 && !c.stopped.Load() {
			c.actions.EnqueueAt(c.self.Name, c.self.Fn, c.self.Typ, c.sinceEpoch())
			progress++
			for ; v&pendingBits == 0; v = c.signals.Load() {
				if c.signals.CompareAndSwap(v, (v+1)&^ownerBit) {
					return progress + int(c.background.Load())
				}
			}
		} else {
			(*onCrank)(c).PostOnCrank(c.self.Fn, c.self.Name, c.self.Typ)
		}
	}

	// Step 3: an idle virtual clock jumps to its next timer.
	if progress == 0 && c.mode == VirtualTime && c.background.Load() == 0 {
		if !c.hasPending() {
			progress += c.advanceToNextGuarded()
		}
	}

	// Step 4: move pending actions into the scheduler. The usual case,
	// one post of the crank goroutine's own (the WorkScheduler's
	// re-post) and nothing else, is transferPending's, inline: the same
	// move, then the same swap, which also gives the clock back (the
	// crank has progressed). If the swap fails, a post from another
	// goroutine came meanwhile: transferPending takes it, as its next
	// round would.
	if v := c.signals.Load(); v&pendingBits == localBit && len(c.local) == 0 && !c.stopped.Load() {
		a := c.first // set, as the local flag is
		c.first = pendingAction{}
		c.actions.EnqueueAt(a.name, a.fn, a.typ, c.sinceEpoch())
		progress++
		if c.signals.CompareAndSwap(v, v&^(localBit|ownerBit)) {
			given = true
		} else {
			n, g := c.transferPending()
			progress, given = progress+n, g
		}
	} else if v&pendingBits != 0 {
		n, g := c.transferPending()
		progress, given = progress+n, g
	}

	// Step 5: block for a post (or, in RealTime mode, the next timer).
	if block && progress == 0 {
		progress += c.runOne()
	}

	// Step 6: outstanding background work counts as progress.
	if c.mode == VirtualTime {
		bg := int(c.background.Load())
		if bg > 0 && progress == 0 {
			// Let the background goroutines run instead of spinning. This
			// is a real pause even if a wall clock was injected: that one
			// is for RealTime mode, and nobody advances a mock here.
			time.Sleep(time.Millisecond)
		}
		progress += bg
	}
	if !given {
		c.signals.And(^uint64(ownerBit))
	}
	return progress
}

// transferPending moves every pending action into the action scheduler and
// returns how many it moved, and whether it gave the clock back: the crank
// goroutine's own posts first, as they were all made before any post now
// waiting in pending.
//
// Both flags are cleared in one atomic step, with pending taken under the
// lock if it is flagged: a post from another goroutine is then either in
// this transfer, and queued no wake-up, or after it, and queued its own,
// as with the one locked swap of the C++.
//
// When only the crank goroutine's own posts are pending, they move first
// and the swap that clears their flag comes after. If it moved any, the
// crank has progressed: it will neither block nor touch anything but
// atomics after this step, so the same swap also gives the clock back
// (the owner bit), sparing the crank a second locked instruction (the
// WorkScheduler's re-post takes this path every crank).
func (c *Clock) transferPending() (int, bool) {
	moved := 0
	for {
		v := c.signals.Load()
		if v&pendingBits == 0 {
			return moved, false
		}
		if v&remoteBit == 0 {
			if c.stopped.Load() {
				if !c.signals.CompareAndSwap(v, v&^localBit) {
					continue
				}
				return moved + c.moveLocal(), false
			}
			// moveLocal's usual case, inline. A post from another
			// goroutine arriving meanwhile finds the local flag set and
			// queues no wake-up, as it would while the flag stays set;
			// the swap then fails, and the next round takes that post,
			// after these, with the local flag (local is empty by then).
			n := c.enqueueLocal()
			moved += n
			clear := uint64(localBit)
			if moved > 0 {
				clear |= ownerBit
			}
			if c.signals.CompareAndSwap(v, v&^clear) {
				return moved, clear&ownerBit != 0
			}
			continue
		}
		c.mu.Lock()
		batch := c.pending.take(c.spare, c.spareTail)
		c.spare, c.spareTail = nil, nil
		// Under mu the remote flag is settled, and only this goroutine
		// changes the local one.
		flags := c.signals.Load() & pendingBits
		c.signals.Add(^flags + 1) // clears them
		c.mu.Unlock()
		n := 0
		if flags&localBit != 0 {
			n = c.moveLocal()
		}
		if batch != nil {
			// One reading for the whole batch, as enqueueLocal.
			at := c.sinceEpoch()
			for ch := batch; ch != nil; ch = ch.next {
				n += c.enqueueChunk(ch, at)
			}
			c.spare, c.spareTail = recycle(batch)
		}
		return moved + n, false
	}
}

// moveLocal moves the crank goroutine's own posts into the action scheduler
// and returns how many it moved. On a stopped clock it drops them and
// returns 0, as Shutdown drops pending's: Shutdown leaves local alone, so
// that only the transfer ever touches it.
func (c *Clock) moveLocal() int {
	if c.stopped.Load() {
		c.first = pendingAction{}
		clear(c.local)
		c.local = c.local[:0]
		return 0
	}
	return c.enqueueLocal()
}

// enqueueLocal moves the crank goroutine's own posts (first, then local)
// into the action scheduler, clears them and returns how many it moved.
// The actions are posted at one reading of the clock: the C++ reads it
// once per action, and in VirtualTime mode nothing can move time between
// those reads; in RealTime mode they would differ by nanoseconds.
func (c *Clock) enqueueLocal() int {
	if c.first.fn == nil {
		return 0
	}
	at := c.sinceEpoch()
	a := c.first
	c.first = pendingAction{}
	c.actions.EnqueueAt(a.name, a.fn, a.typ, at)
	for i := range c.local {
		// Zero each slot as it goes rather than clear the slice after:
		// clear's bulk write barrier (while the collector runs) cost more
		// than the moves of a short list.
		a := c.local[i]
		c.local[i] = pendingAction{}
		c.actions.EnqueueAt(a.name, a.fn, a.typ, at)
	}
	n := 1 + len(c.local)
	c.local = c.local[:0]
	return n
}

// pollOne runs at most one ready I/O handler without waiting, and returns
// how many it ran.
func (c *Clock) pollOne() int {
	if c.stopped.Load() {
		return 0
	}
	// Only this goroutine takes handlers, so counting them needs no
	// read-modify-write.
	if c.signals.Load()&^flagBits > c.ioTaken {
		c.ioTaken++
		return 1
	}
	if c.mode == RealTime && c.realTimerAt >= 0 && c.sinceEpoch() >= c.realTimerAt {
		c.realTimerAt = -1
		c.advanceToNow()
		return 1
	}
	return 0
}

// runOne waits until one I/O handler can run, runs it and returns 1; it
// returns 0 at once on a stopped clock.
//
// It marks the clock waiting only around the wait itself, after a last look
// at what pollOne would run (handlerReady, which runs nothing): pollOne can
// fire timers, whose callbacks may post, and a post from the crank
// goroutine must never find its own crank waiting.
func (c *Clock) runOne() int {
	for {
		if c.IsStopped() {
			return 0
		}
		if n := c.pollOne(); n > 0 {
			return n
		}
		c.park.Store(parkWaiting)
		if c.IsStopped() || c.handlerReady() {
			c.unpark()
			continue
		}
		if c.mode == RealTime && c.realTimerAt >= 0 {
			wait := c.realTimerAt - c.sinceEpoch()
			t := c.wall.Timer(wait)
			select {
			case ch := <-c.wakeCh:
				c.woken(ch)
			case <-t.C:
				c.unpark()
			}
			t.Stop()
			continue
		}
		c.woken(<-c.wakeCh)
	}
}

// handlerReady reports whether pollOne would run a handler now, without
// running it.
func (c *Clock) handlerReady() bool {
	return c.signals.Load()&^flagBits > c.ioTaken ||
		c.mode == RealTime && c.realTimerAt >= 0 && c.sinceEpoch() >= c.realTimerAt
}

// unpark ends a wait that nothing woke: if a waker claimed it meanwhile,
// its channel is coming, and the crank answers it.
func (c *Clock) unpark() {
	if !c.park.CompareAndSwap(parkWaiting, parkRunning) {
		c.woken(<-c.wakeCh)
	}
}

// woken ends a wait that a waker claimed, and answers it on ch.
func (c *Clock) woken(ch chan struct{}) {
	c.park.Store(parkRunning)
	ch <- struct{}{}
}
