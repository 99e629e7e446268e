package vclock

// pendingChunkLen is the number of posted actions a pendingChunk holds
// (4 KiB of them).
const pendingChunkLen = 128

// maxSpareChunks bounds the empty chunks a clock keeps for reuse after a
// transfer (a quarter of a megabyte); a larger batch's other chunks are
// left to the collector.
const maxSpareChunks = 64

// pendingChunk is a run of posted actions, linked to the next run.
type pendingChunk struct {
	next *pendingChunk
	n    int
	acts [pendingChunkLen]pendingAction
}

// pendingList holds the actions posted from other goroutines and not yet
// moved into the action scheduler (the C++ mPendingActions vector), in
// posting order, in a list of chunks: it grows without copying what it
// holds, where an appended slice, which a poster faster than the crank
// grows on every transfer, copied and cleared megabytes under the lock.
// The zero value is empty. The clock's mutex guards it.
type pendingList struct {
	head, tail *pendingChunk
	n          int           // actions held
	free       *pendingChunk // empty chunks, to use before allocating
}

// push appends a.
func (l *pendingList) push(a pendingAction) {
	t := l.tail
	if t == nil || t.n == pendingChunkLen {
		t = l.grow()
	}
	t.acts[t.n] = a
	t.n++
	l.n++
}

// grow links an empty chunk at the tail, a free one if there is one, and
// returns it.
func (l *pendingList) grow() *pendingChunk {
	ch := l.free
	if ch != nil {
		l.free = ch.next
		ch.next = nil
	} else {
		ch = new(pendingChunk)
	}
	if l.tail == nil {
		l.head = ch
	} else {
		l.tail.next = ch
	}
	l.tail = ch
	return ch
}

// take returns the first chunk of everything held (nil if nothing is) and
// leaves the list empty. The chunks from spare to spareTail, empty, go to
// its free chunks.
func (l *pendingList) take(spare, spareTail *pendingChunk) *pendingChunk {
	head := l.head
	l.head, l.tail, l.n = nil, nil, 0
	if spare != nil {
		spareTail.next = l.free
		l.free = spare
	}
	return head
}

// drop discards everything held, and the free chunks.
func (l *pendingList) drop() { *l = pendingList{} }

// recycle readies the chunks from head on, whose actions have been moved
// out and their slots zeroed (enqueueAt does), for reuse: it keeps at most
// maxSpareChunks of them, and returns the first and the last it keeps.
func recycle(head *pendingChunk) (first, last *pendingChunk) {
	kept := 0
	for ch := head; ch != nil; ch = ch.next {
		ch.n = 0
		last = ch
		if kept++; kept == maxSpareChunks {
			ch.next = nil
			break
		}
	}
	return head, last
}
