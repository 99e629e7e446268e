package worksequence_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/upstreamtest"
	"github.com/stellarwork/stellarwork/worksequence"
)

// The C++ WorkSequence::onRun, onAbort and onReset are final. A type that
// extends WorkSequence in Go and declares one of them would replace how
// the sequence runs its works; Init refuses it.

type seqOnRun struct{ worksequence.WorkSequence }

//workvet:ignore Init must refuse this final override
func (s *seqOnRun) OnRun() basicwork.State { return basicwork.Success }

type seqOnAbort struct{ worksequence.WorkSequence }

//workvet:ignore Init must refuse this final override
func (s *seqOnAbort) OnAbort() bool { return true }

type seqOnReset struct{ worksequence.WorkSequence }

//workvet:ignore Init must refuse this final override
func (s *seqOnReset) OnReset() {}

// seqStatus overrides Status, which is virtual in C++: accepted.
type seqStatus struct{ worksequence.WorkSequence }

func (s *seqStatus) Status() string { return "custom" }

func TestInitRefusesFinalOverride(t *testing.T) {
	app := upstreamtest.NewPlainEnv(t).App
	cases := []struct {
		name, typ string
		init      func() error
	}{
		{"OnRun", "*worksequence_test.seqOnRun", func() error { s := &seqOnRun{}; return s.Init(app, "s", nil, s) }},
		{"OnAbort", "*worksequence_test.seqOnAbort", func() error { s := &seqOnAbort{}; return s.Init(app, "s", nil, s) }},
		{"OnReset", "*worksequence_test.seqOnReset", func() error { s := &seqOnReset{}; return s.Init(app, "s", nil, s) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v any
			func() {
				defer func() { v = recover() }()
				_ = c.init()
			}()
			err, ok := v.(error)
			require.True(t, ok, "Init must panic with an error, got %v", v)
			var fe *basicwork.FinalOverrideError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, c.typ, fe.Type)
			require.Equal(t, c.name, fe.Method)
			require.Equal(t, "worksequence.WorkSequence", fe.Final)
		})
	}
	s := &seqStatus{}
	require.NoError(t, s.Init(app, "s", nil, s))
	require.Equal(t, "custom", s.Status())
}
