package actionsched

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBacklogBeyondRingKeepsOrder posts a backlog of several ringMax blocks
// to one queue, one by one and as runs, while serving it, and requires the
// actions to run in posting order, QueueLength and Size to count every
// waiting action, the ring never to pass ringMax, and every slot to be
// cleared once the queue is empty.
func TestBacklogBeyondRingKeepsOrder(t *testing.T) {
	s, _ := newSched(time.Hour)
	var got []int
	next := 0
	act := func() func() {
		v := next
		next++
		return func() { got = append(got, v) }
	}
	post := func(n int) {
		for range n {
			s.Enqueue("q", act(), NormalAction)
		}
	}
	postRun := func(n int) {
		run := make([]func(), n)
		for i := range run {
			run[i] = act()
		}
		s.EnqueueAllAt("q", run, NormalAction, 0)
	}
	serve := func(n int) {
		for range n {
			require.Equal(t, 1, s.RunOne())
		}
	}
	q := func() *actionQueue { return s.getExistingQueue("q", NormalAction) }
	post(3*ringMax + 17) // fills the ring, then three blocks, one partly
	require.Equal(t, 3*ringMax+17, s.QueueLength("q", NormalAction))
	require.Len(t, q().ring, ringMax)
	serve(ringMax - 1)
	postRun(2 * ringMax) // behind the blocks, never into the ring
	serve(2)             // the ring runs dry: the first block becomes the ring
	require.Equal(t, 4*ringMax+16, s.QueueLength("q", NormalAction))
	require.Equal(t, s.Size(), s.QueueLength("q", NormalAction))
	serve(3*ringMax + 5)
	post(5)
	for s.Size() > 0 {
		s.RunOne()
	}
	require.Len(t, got, next)
	for i, v := range got {
		require.Equal(t, i, v)
	}
	require.Zero(t, s.QueueLength("q", NormalAction))
	require.LessOrEqual(t, len(q().ring), ringMax)
	require.Empty(t, q().over)
	for i, p := range q().ring {
		require.Nil(t, p.action, "slot %d not cleared", i)
	}
}

// TestBacklogBeyondRingTrimmed: a droppable backlog of several blocks that
// has waited past the latency window is dropped whole by one RunOne,
// across the blocks, and the next post runs.
func TestBacklogBeyondRingTrimmed(t *testing.T) {
	s, clock := newSched(time.Second)
	ran := 0
	for range 2*ringMax + 3 {
		s.Enqueue("d", func() { ran++ }, DroppableAction)
	}
	clock.sleep(2 * time.Second)
	require.Equal(t, 1, s.RunOne())
	require.Zero(t, ran)
	require.Equal(t, uint64(2*ringMax+3), s.Stats().ActionsDroppedDueToOverload)
	require.Zero(t, s.Size())
	require.Zero(t, s.QueueLength("d", DroppableAction))
	s.Enqueue("d", func() { ran++ }, DroppableAction)
	require.Equal(t, 1, s.RunOne())
	require.Equal(t, 1, ran)
}
