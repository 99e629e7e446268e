package batchwork_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
)

// resettingBatch declares DoReset, as work.Work's doc once invited. The
// C++ BatchWork::doReset is final; in Go the override would replace the
// emptying of the batch and the iterator's reset, so that a retry never
// runs the failed item again and the batch still ends Succeeded. Init must
// refuse it.
type resettingBatch struct {
	batchwork.BatchWork
	resets int
}

func (b *resettingBatch) HasNext() bool                 { return false }
func (b *resettingBatch) YieldMoreWork() basicwork.Work { return nil }
func (b *resettingBatch) ResetIter()                    {}

//workvet:ignore Init must refuse this final override
func (b *resettingBatch) DoReset() { b.resets++ }

// steppingBatch declares DoWork, also final in BatchWork.
type steppingBatch struct{ batchwork.BatchWork }

func (b *steppingBatch) HasNext() bool                 { return false }
func (b *steppingBatch) YieldMoreWork() basicwork.Work { return nil }
func (b *steppingBatch) ResetIter()                    {}

//workvet:ignore Init must refuse this final override
func (b *steppingBatch) DoWork() basicwork.State { return basicwork.Success }

// runningBatch declares OnRun, final in the work.Work that BatchWork
// embeds.
type runningBatch struct{ batchwork.BatchWork }

func (b *runningBatch) HasNext() bool                 { return false }
func (b *runningBatch) YieldMoreWork() basicwork.Work { return nil }
func (b *runningBatch) ResetIter()                    {}

//workvet:ignore Init must refuse this final override
func (b *runningBatch) OnRun() basicwork.State { return basicwork.Success }

func TestInitRefusesFinalOverride(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	cases := []struct {
		name, typ, method, final string
		init                     func()
	}{
		{"DoReset", "*batchwork_test.resettingBatch", "DoReset", "batchwork.BatchWork",
			func() { b := &resettingBatch{}; b.Init(e.App, "b", basicwork.RetryOnce, b) }},
		{"DoWork", "*batchwork_test.steppingBatch", "DoWork", "batchwork.BatchWork",
			func() { b := &steppingBatch{}; b.Init(e.App, "b", basicwork.RetryOnce, b) }},
		{"OnRun of work.Work", "*batchwork_test.runningBatch", "OnRun", "work.Work",
			func() { b := &runningBatch{}; b.Init(e.App, "b", basicwork.RetryOnce, b) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := recoverPanic(c.init)
			err, ok := v.(error)
			require.True(t, ok, "Init must panic with an error, got %v", v)
			var fe *basicwork.FinalOverrideError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, c.typ, fe.Type)
			require.Equal(t, c.method, fe.Method)
			require.Equal(t, c.final, fe.Final)
			require.Contains(t, err.Error(), `Init of "b": `+c.typ+" declares "+c.method)
		})
	}
}
