package worksequence_test

// Go-only tests of WorkSequence: the rejections of New, a sequence whose
// works were already run by another sequence, the stopAtFirstFailure
// option, and the status strings.

import (
	"context"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/worksequence"
)

func TestNewRejectsNilWork(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	w := testworks.NewDefaultBasicWork(e.App, "w")

	for _, works := range [][]basicwork.Work{
		{nil},
		{w, nil},
		{nil, w},
	} {
		s, err := worksequence.New(e.App, "seq", works)
		require.Nil(t, s)
		require.ErrorIs(t, err, basicwork.ErrNilWork)
		require.ErrorContains(t, err, "Must provide valid work")
		require.ErrorContains(t, err, "seq", "the error names the sequence")
	}
	require.EqualError(t, basicwork.ErrNilWork, "Must provide valid work")

	// The rejection comes before anything is touched.
	require.Equal(t, basicwork.InternalPending, baseOf(w).InternalState())

	// Through Init too, for types that extend WorkSequence.
	var s worksequence.WorkSequence
	require.ErrorIs(t, s.Init(e.App, "seq", []basicwork.Work{nil}, &s), basicwork.ErrNilWork)
}

// runSequence executes s on the plain application and requires it to end.
func runSequence(t *testing.T, e *upstreamtest.Env, s *worksequence.WorkSequence) {
	t.Helper()
	// ExecuteWork's error says how s ended: nil only on success.
	if err := e.WM.ExecuteWork(context.Background(), s); s.State() == basicwork.Success {
		require.NoError(t, err)
	} else {
		var we *basicwork.WorkError
		require.ErrorAs(t, err, &we)
		require.Equal(t, baseOf(s).InternalState(), we.State)
	}
	// Let the scheduler drop the finished work and go back to waiting, so
	// that a later ExecuteWork starts from a clean scheduler.
	e.CrankWhile(e.AllDone())
}

func TestSequenceReusedAfterSuccess(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	w1 := testworks.NewDefaultBasicWork(e.App, "w1")
	w2 := testworks.NewDefaultBasicWork(e.App, "w2")

	first, err := worksequence.New(e.App, "first", []basicwork.Work{w1, w2})
	require.NoError(t, err)
	runSequence(t, e, first)
	require.Equal(t, basicwork.Success, first.State())
	for _, w := range []*testworks.BasicWork{w1, w2} {
		require.Equal(t, basicwork.Success, w.State(), w.Name())
		require.Equal(t, w.Steps, w.RunningCount, w.Name())
		require.Equal(t, 1, w.SuccessCount, w.Name())
	}

	// A second sequence over the same, finished, works restarts each of
	// them (their reset restores their step count), so they run in full
	// again.
	second, err := worksequence.New(e.App, "second", []basicwork.Work{w1, w2})
	require.NoError(t, err)
	runSequence(t, e, second)
	require.Equal(t, basicwork.Success, second.State())
	require.Equal(t, basicwork.Success, first.State(), "the first sequence is not affected")
	for _, w := range []*testworks.BasicWork{w1, w2} {
		require.Equal(t, basicwork.Success, w.State(), w.Name())
		require.Equal(t, 2*w.Steps, w.RunningCount, w.Name())
		require.Equal(t, 2, w.SuccessCount, w.Name())
		require.Zero(t, w.FailureCount, w.Name())
		require.Zero(t, w.RetryCount, w.Name())
	}
}

func TestSequenceDoesNotStopAtFirstFailure(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	bad := testworks.NewBasicWork(e.App, "bad", true, 2, basicwork.RetryNever)
	good := testworks.NewBasicWork(e.App, "good", false, 2, basicwork.RetryNever)
	s, err := worksequence.New(e.App, "seq", []basicwork.Work{bad, good},
		worksequence.WithMaxRetries(basicwork.RetryNever), worksequence.WithStopAtFirstFailure(false))
	require.NoError(t, err)
	runSequence(t, e, s)

	// The failure did not stop the sequence, but it fails it in the end.
	require.Equal(t, basicwork.Failure, bad.State())
	require.Equal(t, basicwork.Success, good.State())
	require.Equal(t, good.Steps, good.RunningCount)
	require.Equal(t, basicwork.Failure, s.State())
	require.Equal(t, 1, bad.FailureCount)
}

func TestSequenceStatus(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	w1 := testworks.NewBasicWork(e.App, "w1", false, 2, basicwork.RetryNever)
	w2 := testworks.NewBasicWork(e.App, "w2", false, 2, basicwork.RetryNever)
	s, err := worksequence.New(e.App, "seq", []basicwork.Work{w1, w2})
	require.NoError(t, err)

	// Until it is done, the sequence shows the status of its current work,
	// even before it is started.
	require.Equal(t, "Ready to run: w1", s.Status())
	s.StartWork(nil)
	require.Equal(t, "Ready to run: w1", s.Status())

	// Drive it by hand and record each distinct status.
	var seen []string
	note := func() {
		if st := s.Status(); len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
	}
	note()
	for n := 0; !s.IsDone(); n++ {
		require.Less(t, n, 100)
		s.CrankWork()
		note()
	}
	require.Equal(t, []string{
		"Ready to run: w1",
		"Running: w1",
		"Succeeded: w1",
		"Running: w2",
		"Succeeded: w2",
		// Done: its own status.
		"Succeeded: seq",
	}, seen)

	// A failed sequence shows its own failure, not its work's.
	bad := testworks.NewBasicWork(e.App, "bad", true, 1, basicwork.RetryNever)
	f, err := worksequence.New(e.App, "failing", []basicwork.Work{bad}, worksequence.WithMaxRetries(basicwork.RetryNever))
	require.NoError(t, err)
	f.StartWork(nil)
	for n := 0; !f.IsDone(); n++ {
		require.Less(t, n, 100)
		f.CrankWork()
	}
	require.Equal(t, "Failed: bad", bad.Status())
	require.Equal(t, "Failed: failing", f.Status())

	// An empty sequence has no current work: its own status throughout.
	empty, err := worksequence.New(e.App, "empty", nil)
	require.NoError(t, err)
	require.Equal(t, "Ready to run: empty", empty.Status())
	empty.StartWork(nil)
	require.Equal(t, "Running: empty", empty.Status())
	empty.CrankWork()
	require.Equal(t, "Succeeded: empty", empty.Status())
}

func TestSequenceShutdownAbortsCurrentWorkOnly(t *testing.T) {
	e := upstreamtest.NewPlainEnv(t)
	w1 := testworks.NewBasicWork(e.App, "w1", false, 100, basicwork.RetryNever)
	w2 := testworks.NewBasicWork(e.App, "w2", false, 100, basicwork.RetryNever)
	s, err := worksequence.New(e.App, "seq", []basicwork.Work{w1, w2})
	require.NoError(t, err)
	s.StartWork(nil)
	s.CrankWork()
	s.CrankWork()
	require.Same(t, baseOf(w1), baseOf(s.Current()))

	s.Shutdown()
	require.True(t, s.IsAborting())
	require.True(t, w1.IsAborting())
	for n := 0; !s.IsDone(); n++ {
		require.Less(t, n, 100)
		s.CrankWork()
	}
	require.Equal(t, basicwork.Aborted, s.State())
	require.Equal(t, basicwork.Aborted, w1.State())
	require.Equal(t, 1, w1.AbortCount)
	// The work it never reached was never started.
	require.Equal(t, basicwork.InternalPending, baseOf(w2).InternalState())
	require.Zero(t, w2.AbortCount)
}
