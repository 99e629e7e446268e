package vclock

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// drain returns the names held from head on, in order, zeroing the slots
// as the transfer does.
func drain(head *pendingChunk) []string {
	var names []string
	for ch := head; ch != nil; ch = ch.next {
		for i := range ch.n {
			names = append(names, ch.keys[i].name)
			ch.fns[i], ch.keys[i] = nil, pendingKey{}
		}
	}
	return names
}

// TestPendingListKeepsOrderAcrossChunks: actions come out of a take in the
// order pushed, across chunk boundaries; the list is empty after it.
func TestPendingListKeepsOrderAcrossChunks(t *testing.T) {
	var l pendingList
	var want []string
	for i := range 3*pendingChunkLen + 5 {
		want = append(want, strconv.Itoa(i))
		l.push(func() {}, want[i], NormalAction)
		require.Equal(t, i+1, l.n)
	}
	head := l.take(nil, nil)
	require.Zero(t, l.n)
	require.Nil(t, l.head)
	require.Equal(t, want, drain(head))
}

// TestPendingListReusesChunks: the chunks of a transferred batch, handed
// back at the next take, hold the next posts without allocating; at most
// maxSpareChunks of a large batch are kept.
func TestPendingListReusesChunks(t *testing.T) {
	var l pendingList
	f := func() {}
	var spare, spareTail *pendingChunk
	// A transfer: take the batch, giving the spare chunks of the one
	// before, then move the batch out; its chunks are the next spare.
	transfer := func() {
		head := l.take(spare, spareTail)
		for ch := head; ch != nil; ch = ch.next {
			clear(ch.fns[:ch.n])
			clear(ch.keys[:ch.n])
		}
		spare, spareTail = recycle(head)
	}
	round := func() {
		for range 2 * pendingChunkLen {
			l.push(f, "q", NormalAction)
		}
		transfer()
	}
	round()
	round()
	require.Zero(t, testing.AllocsPerRun(10, round))

	for range (maxSpareChunks + 3) * pendingChunkLen {
		l.push(f, "q", NormalAction)
	}
	head := l.take(spare, spareTail)
	drain(head)
	first, last := recycle(head)
	kept := 0
	for ch := first; ch != nil; ch = ch.next {
		require.Zero(t, ch.n)
		require.Nil(t, ch.fns[0], "slots are zeroed")
		kept++
		if ch.next == nil {
			require.Same(t, last, ch)
		}
	}
	require.Equal(t, maxSpareChunks, kept)
}
