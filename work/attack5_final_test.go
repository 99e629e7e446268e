package work_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// a5Runner declares OnRun beside the Work it is embedded with.
type a5Runner struct{}

func (a5Runner) OnRun() basicwork.State { return basicwork.Success }

type a5InnerWork struct{ holder }

// a5SiblingOnRun's OnRun is a5Runner's: a5Runner is shallower than the
// Work, which a5InnerWork brings through a pointer.
type a5SiblingOnRun struct {
	*a5InnerWork
	a5Runner
}

// TestAttack5InitRefusesAShadowingFinal: Work's OnRun is final, and an
// outer type whose OnRun comes from a type embedded beside the way down to
// the Work (Go promotes the shallower one) replaces it as surely as one
// declared on the way: the Work would never crank its children. Init
// refuses both; the one beside was accepted.
func TestAttack5InitRefusesAShadowingFinal(t *testing.T) {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	w := &a5SiblingOnRun{a5InnerWork: &a5InnerWork{}}
	var v any
	func() {
		defer func() { v = recover() }()
		w.Init(app, "sibling", basicwork.RetryNever, w)
	}()
	err, ok := v.(*basicwork.FinalOverrideError)
	require.True(t, ok, "Init panicked with %v", v)
	require.Equal(t, "OnRun", err.Method)
	require.Equal(t, "work_test.a5Runner", err.Type)
	require.Equal(t, "work.Work", err.Final)
	require.False(t, err.NonVirtual)
}
