package batchwork_test

import (
	"fmt"
	"runtime"
	"testing"
	"weak"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// weakBatch yields n one-step children and keeps only weak pointers to
// them.
type weakBatch struct {
	batchwork.BatchWork
	n    int
	made []weak.Pointer[testworks.StepWork]
}

func (b *weakBatch) HasNext() bool { return len(b.made) < b.n }
func (b *weakBatch) ResetIter()    { b.made = nil }
func (b *weakBatch) YieldMoreWork() basicwork.Work {
	w := testworks.NewStepWork(b.App(), fmt.Sprintf("c%03d", len(b.made)), 1)
	b.made = append(b.made, weak.Make(w))
	return w
}

// TestDroppedChildrenAreNotRetained: the children a batch has dropped
// are not kept reachable by it, also when a top-up fills fewer entries
// than were dropped (the last rounds: 20 children at 16 a round), so
// the entries past the batch's end are cleared.
func TestDroppedChildrenAreNotRetained(t *testing.T) {
	clock := vclock.New(vclock.VirtualTime)
	app := scheduler.NewApp(clock)
	b := &weakBatch{n: 20}
	b.Init(app, "batch", basicwork.RetryNever, b)
	require.NoError(t, app.WorkScheduler().ExecuteWork(t.Context(), b))
	runtime.GC()
	runtime.GC()
	for i, p := range b.made {
		require.Nil(t, p.Value(), "child %d is still reachable", i)
	}
	runtime.KeepAlive(b)
}
