package vclock

import (
	"time"
	"unsafe"
)

// pendingChunkLen is the number of posted actions a pendingChunk holds
// (4 KiB of them).
const pendingChunkLen = 128

// maxSpareChunks bounds the empty chunks a clock keeps for reuse after a
// transfer (a quarter of a megabyte); a larger batch's other chunks are
// left to the collector.
const maxSpareChunks = 64

// pendingChunk is a run of posted actions, linked to the next run: the
// actions and their queues apart, so that a run of posts to one queue moves
// into the scheduler as one slice (Scheduler.EnqueueAllAt).
type pendingChunk struct {
	next *pendingChunk
	n    int
	fns  [pendingChunkLen]func()
	keys [pendingChunkLen]pendingKey
}

// pendingKey is the queue a pending action was posted to.
type pendingKey struct {
	name string
	typ  ActionType
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

// push appends f, posted to the queue (name, typ).
func (l *pendingList) push(f func(), name string, typ ActionType) {
	t := l.tail
	if t == nil || t.n == pendingChunkLen {
		t = l.grow()
	}
	t.fns[t.n] = f
	t.keys[t.n] = pendingKey{name: name, typ: typ}
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
// out and their slots zeroed (enqueueChunk does), for reuse: it keeps at most
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

// enqueueChunk moves the actions of ch into the action scheduler at the
// reading at, zeroes their slots and returns how many it moved. Each run of
// posts to one queue (under the same name string) moves as one slice.
func (c *Clock) enqueueChunk(ch *pendingChunk, at time.Duration) int {
	n := ch.n
	for i := 0; i < n; {
		k := ch.keys[i]
		j := i + 1
		for j < n && ch.keys[j].typ == k.typ && len(ch.keys[j].name) == len(k.name) &&
			unsafe.StringData(ch.keys[j].name) == unsafe.StringData(k.name) {
			j++
		}
		c.actions.EnqueueAllAt(k.name, ch.fns[i:j], k.typ, at)
		i = j
	}
	clear(ch.fns[:n])
	clear(ch.keys[:n])
	return n
}
