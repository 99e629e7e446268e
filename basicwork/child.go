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
// a ConditionalWork). A refused start panics (CheckStartable) before
// anything changes. If the start panics once under way (w's OnReset, say)
// while w is still PENDING, w's previous registration is put back before
// the panic goes on, and the parent may try again.
func StartChild(p Parent, slot int, w Work, notify func()) {
	CheckStartable(w)
	b := w.basicWork()
	oldParent, oldSlot := b.Parent()
	b.SetParent(p, slot)
	started := false
	defer func() {
		if !started && b.InternalState() == InternalPending {
			b.parent, b.slot = oldParent, int32(oldSlot)
		}
	}()
	w.StartWork(notify)
	started = true
}
