package worksequence_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
	"github.com/stellarwork/stellarwork/worksequence"
)

// The worksequence rows of docs/ROBUSTNESS.md.

// TestBadInputSequenceWorks: a nil work is refused at construction, with
// its position (the C++ asserts only when it reaches it); an empty
// sequence succeeds; a work that runs elsewhere makes the sequence's crank
// that reaches it panic with the illegal transition RUNNING -> PENDING,
// and the sequence stays RUNNING.
func TestBadInputSequenceWorks(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	ok := testworks.NewDefaultBasicWork(e.App, "ok")
	s, err := worksequence.New(e.App, "seq", []basicwork.Work{ok, nil})
	require.Nil(t, s)
	require.ErrorIs(t, err, basicwork.ErrNilWork)
	require.ErrorIs(t, err, basicwork.ErrNilWork)
	require.EqualError(t, err, "work sequence seq, position 1: Must provide valid work")

	empty, err := worksequence.New(e.App, "empty", nil)
	require.NoError(t, err)
	e.WM.ScheduleWork(empty)
	e.CrankWhile(func() bool { return !empty.IsDone() })
	require.Equal(t, basicwork.Success, empty.State())

	busy := testworks.NewBasicWork(e.App, "busy", false, 50, basicwork.RetryNever)
	e.WM.ScheduleWork(busy)
	s, err = worksequence.New(e.App, "seq2", []basicwork.Work{busy})
	require.NoError(t, err)
	e.WM.ScheduleWork(s)
	var v any
	for n := 0; v == nil; n++ {
		require.Less(t, n, 100, "no panic")
		v = recoverPanic(func() { e.Clock.Crank(false) })
	}
	err, _ = v.(error)
	require.ErrorIs(t, err, basicwork.ErrIllegalTransition)
	require.EqualError(t, err, "BasicWork error: illegal state transition WORK_RUNNING -> WORK_PENDING")
	require.Equal(t, basicwork.InternalRunning, baseOf(s).InternalState())
	require.Nil(t, s.Current())
}

func recoverPanic(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
