package basicwork

// CheckStartable panics with the *TransitionError that StartWork would
// give ("<STATE> -> WORK_PENDING") if w cannot be started: it runs, waits
// or aborts (under another parent, say). Parents call it before they
// register or add a child, so that a refused start changes nothing.
func CheckStartable(w Work) {
	if st := w.basicWork().InternalState(); st != InternalPending && !IsAllowed(st, InternalPending) {
		panic(&TransitionError{Transition{st, InternalPending}})
	}
}

// StartChild registers p as w's parent, in slot, and starts w with notify:
// the start of a child by a parent that cranks it directly (a WorkSequence,
// a ConditionalWork). Once w is RUNNING, started is called. A refused start
// panics (CheckStartable) before anything changes. If the start panics
// under way, it is undone or completed before the panic goes on: while w is
// still PENDING (its OnReset panicked, say), w's previous registration is
// put back and the parent may try again; once w is RUNNING (a transition
// listener panicked after the move), started is called all the same.
func StartChild(p Parent, slot int, w Work, notify func(), started func()) {
	CheckStartable(w)
	b := w.basicWork()
	oldParent, oldSlot := b.Parent()
	b.SetParent(p, slot)
	ok := false
	defer func() {
		if ok {
			return
		}
		if b.InternalState() == InternalPending {
			b.parent, b.slot = oldParent, int32(oldSlot)
		} else {
			started()
		}
	}()
	w.StartWork(notify)
	ok = true
	started()
}
