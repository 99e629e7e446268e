package basicwork_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// BasicWork's getName, getState, isDone, isAborting, crankWork and
// startWork are not virtual in C++: a subclass may declare a method of the
// same name, but the library never calls it. Go's Work interface has them
// and the library calls them through the outer value, so each type below
// would replace BasicWork's own (review M1: a State override hung
// ExecuteWork, an IsDone override gave a false error). Init must refuse
// them as it refuses an override of a C++ final.

type leafBase struct{ basicwork.BasicWork }

func (*leafBase) OnRun() basicwork.State { return basicwork.Success }
func (*leafBase) OnAbort() bool          { return true }

type declaresName struct{ leafBase }

//workvet:ignore Init must refuse this non-virtual override
func (*declaresName) Name() string { return "impostor" }

type declaresState struct{ leafBase }

//workvet:ignore Init must refuse this non-virtual override
func (*declaresState) State() basicwork.State { return basicwork.Success }

type declaresIsDone struct{ leafBase }

//workvet:ignore Init must refuse this non-virtual override
func (*declaresIsDone) IsDone() bool { return true }

type declaresIsAborting struct{ leafBase }

//workvet:ignore Init must refuse this non-virtual override
func (*declaresIsAborting) IsAborting() bool { return false }

type declaresCrankWork struct{ leafBase }

//workvet:ignore Init must refuse this non-virtual override
func (*declaresCrankWork) CrankWork() {}

type declaresStartWork struct{ leafBase }

//workvet:ignore Init must refuse this non-virtual override
func (*declaresStartWork) StartWork(func()) {}

// valueState declares State with a value receiver, on the type that
// embeds BasicWork itself (through a pointer, so that the value receiver
// copies no atomic).
type valueState struct{ *basicwork.BasicWork }

func (valueState) OnRun() basicwork.State { return basicwork.Success }
func (valueState) OnAbort() bool          { return true }

//workvet:ignore Init must refuse this non-virtual override
func (valueState) State() basicwork.State { return basicwork.Success }

// initer is what each of the types above promotes from BasicWork.
type initer interface {
	basicwork.Work
	Init(app basicwork.Application, name string, maxRetries int, self basicwork.Work)
}

func TestInitRefusesNonVirtualOverrides(t *testing.T) {
	app, _ := newTestApp(t, nil)
	cases := []struct {
		w           initer
		typ, method string
	}{
		{&declaresName{}, "*basicwork_test.declaresName", "Name"},
		{&declaresState{}, "*basicwork_test.declaresState", "State"},
		{&declaresIsDone{}, "*basicwork_test.declaresIsDone", "IsDone"},
		{&declaresIsAborting{}, "*basicwork_test.declaresIsAborting", "IsAborting"},
		{&declaresCrankWork{}, "*basicwork_test.declaresCrankWork", "CrankWork"},
		{&declaresStartWork{}, "*basicwork_test.declaresStartWork", "StartWork"},
		{valueState{&basicwork.BasicWork{}}, "basicwork_test.valueState", "State"},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			v := recovered(func() { c.w.Init(app, "w", basicwork.RetryNever, c.w) })
			err, ok := v.(error)
			require.True(t, ok, "Init must panic with an error, got %v", v)
			require.ErrorIs(t, err, basicwork.ErrFinalOverride)
			var fe *basicwork.FinalOverrideError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, "w", fe.Name)
			require.Equal(t, c.typ, fe.Type)
			require.Equal(t, c.method, fe.Method)
			require.Equal(t, "basicwork.BasicWork", fe.Final)
			require.True(t, fe.NonVirtual)
			require.Contains(t, err.Error(), "declares "+c.method+", which is not virtual in basicwork.BasicWork")
		})
	}
	// The leaf without a redeclaration is accepted.
	ok := &leafBase{}
	ok.Init(app, "ok", basicwork.RetryNever, ok)
}
