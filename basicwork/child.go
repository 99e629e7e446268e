package basicwork

// checkStartable panics with the *TransitionError that StartWork would
// give ("<STATE> -> WORK_PENDING") if w cannot be started: it runs, waits
// or aborts (under another parent, say). Parents call it before they
// register or add a child, so that a refused start changes nothing.
func checkStartable(w Work) {
	if st := w.basicWork().InternalState(); st != InternalPending && !IsAllowed(st, InternalPending) {
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
