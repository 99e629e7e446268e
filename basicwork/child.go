package basicwork

// checkStartable panics with the *TransitionError that StartWork would
// give ("<STATE> -> WORK_PENDING") if w cannot be started: it runs, waits
// or aborts (under another parent, say). Parents call it before they
// register or add a child, so that a refused start changes nothing.
func checkStartable(w Work) { w.basicWork().checkStartable() }

// checkStartable is the package-level checkStartable on the BasicWork.
func (b *BasicWork) checkStartable() {
	if st := b.InternalState(); st != InternalPending && !IsAllowed(st, InternalPending) {
		panic(&TransitionError{Transition{st, InternalPending}})
	}
}

// startChild registers p as w's parent, in slot, and starts w with notify:
// the start of a child by a parent that cranks it directly (a WorkSequence,
// a ConditionalWork). Once w is RUNNING, started is called. A refused start
// panics (checkStartable) before anything changes. If the start panics
// under way, it is undone or completed before the panic goes on: while w is
// still PENDING (its OnReset panicked, say), w's previous registration is
// put back and the parent may try again; once w is RUNNING (a transition
// listener panicked after the move), started is called all the same.
func startChild(p *BasicWork, slot int, w Work, notify func(), started func()) {
	checkStartable(w)
	b := w.basicWork()
	oldParent, oldSlot := b.parent, b.slot
	b.setParent(p, slot)
	ok := false
	defer func() {
		if ok {
			return
		}
		if b.InternalState() == InternalPending {
			b.parent, b.slot = oldParent, oldSlot
		} else {
			started()
		}
	}()
	w.StartWork(notify)
	ok = true
	started()
}

// shutdownChild shuts w down through its outer Shutdown: the shutdown of a
// child by its parent (a Work, a WorkSequence, a ConditionalWork, a
// DAGWork). A Shutdown override is user code: one that panics before it
// has called the embedded Shutdown would leave w running, or waiting,
// under a parent that aborts, and the abort would never end. So if w is
// then neither aborting nor done, its shutdown is completed before the
// panic goes on, as wakeSelfUp completes a wake-up (completeShutdown).
func shutdownChild(w Work) {
	ok := false
	defer func() {
		if !ok {
			completeShutdown(w)
		}
	}()
	w.Shutdown()
	ok = true
}

// completeShutdown does what w's shutdown would have done, after its
// override panicked: it shuts down the children w started that are
// neither aborting nor done, each through shutdownChild (a second panic
// among them is dropped: the first one is on its way), then moves w itself
// to Aborting with the embedded BasicWork's Shutdown. A work already
// aborting or done is left alone.
func completeShutdown(w Work) {
	b := w.basicWork()
	if st := b.InternalState(); st == InternalAborting || st.IsDone() {
		return
	}
	for c := range childrenOf(w) {
		cb := c.basicWork()
		st := cb.InternalState()
		if cb.parent != b || st == InternalPending || st == InternalAborting || st.IsDone() {
			continue
		}
		func() {
			defer func() { _ = recover() }()
			shutdownChild(c)
		}()
	}
	b.Shutdown()
}

// startAdded starts b, the child that the composite whose BasicWork is
// parent has just added, with notify, then calls notify, as the composite
// does after a start (work.Work's AddWorkWithCallback), if the start is
// plain: b is PENDING with no extra (no retry, timer or cause to reset),
// logging is off, and b's type leaves StartWork and OnReset to BasicWork.
// Then nothing on the way runs user code but a transition listener,
// whose panic is returned, once notify has run, rather than raised; it
// returns false, having done nothing, otherwise. shared says notify is
// parent's WakeSelfUpCallback(nil), whose first test (wakeSelf) is made
// here, inline. A notify that is not shared takes the general path (false):
// it is kept in ext.
func startAdded(b, parent *BasicWork, notify func(), shared bool) (started bool, listenerPanic any) {
	const want = int32(InternalPending) | defaultOnReset | defaultStartWork
	w := b.state.Load()
	if !shared || b.env.logCore != nil || b.ext != nil || w&(stateMask|defaultOnReset|defaultStartWork) != want {
		return false, nil
	}
	// StartWork's plain start, with notify the registered parent's shared
	// wake-up (setNotify): the composite registered itself (Adopt) before.
	b.state.Store(w | notifyParent)
	listenerPanic = b.move(InternalPending, InternalRunning)
	if !parent.defaults(defaultWakeUp) || parent.InternalState() == InternalWaiting {
		notify()
	}
	return true, listenerPanic
}
