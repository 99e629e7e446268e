package worksequence_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worksequence"
)

// TestWorksReturnsACopy: writing into the slice Works returns does not
// change the sequence. Before, it was the internal slice: a nil written
// into it gave a bare nil dereference when the sequence ran.
func TestWorksReturnsACopy(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	a := testworks.NewDefaultBasicWork(app, "a")
	s, err := worksequence.New(app, "seq", []basicwork.Work{a})
	require.NoError(t, err)
	ws := s.Works()
	ws[0] = nil
	require.Equal(t, []basicwork.Work{a}, s.Works())
	require.NoError(t, app.WorkScheduler().ExecuteWork(t.Context(), s))
}
