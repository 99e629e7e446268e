package basicwork_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// farCacheApp holds its EnvCache past the first 4 KiB of the value, where
// a read through a nil pointer is not a nil dereference that the runtime
// turns into a panic but a fault that ends the process.
type farCacheApp struct {
	_ [8192]byte
	basicwork.EnvCache
	*testApp
}

// nearCacheApp holds its EnvCache in the first 4 KiB, but not at 0: with
// checkptr on (as under -race), even computing its address from a nil
// pointer ends the process.
type nearCacheApp struct {
	_ [64]byte
	basicwork.EnvCache
	*testApp
}

// offsetProbe holds its BasicWork at a non-zero offset.
type offsetProbe struct {
	_ [3]int
	probe
}

// TestAttack5InitWithTypedNilsPanics: Init with a nil pointer of an
// application type whose EnvCache Init knows the offset of (a work was
// Init'ed with another value of the type), or with a nil pointer as self
// of the work type Init'ed last, must panic, as any other misuse does, so
// that a caller can recover. Reading the EnvCache at its offset from the
// nil pointer, or computing the address of a field from it, killed the
// process instead ("fatal error: fault", or checkptr's "pointer arithmetic
// computed bad pointer value" under -race). The runs that may end the
// process are child processes of the test binary.
func TestAttack5InitWithTypedNilsPanics(t *testing.T) {
	if os.Getenv("ATTACK5_TYPED_NILS") == "1" {
		base, _ := newTestApp(t, nil)
		for _, retries := range []int{basicwork.RetryNever, 1} { // Init's inline case, and init's
			newProbe(&farCacheApp{testApp: base}, "first", basicwork.RetryNever)
			var far *farCacheApp
			require.NotNil(t, recovered(func() { newProbe(far, "far", retries) }))
			newProbe(&nearCacheApp{testApp: base}, "first", basicwork.RetryNever)
			var near *nearCacheApp
			require.NotNil(t, recovered(func() { newProbe(near, "near", retries) }))

			first := &offsetProbe{}
			first.Init(base, "first", basicwork.RetryNever, first)
			var self *offsetProbe
			other := &offsetProbe{}
			require.NotNil(t, recovered(func() { other.Init(base, "nil self", retries, self) }))
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAttack5InitWithTypedNilsPanics$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ATTACK5_TYPED_NILS=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// The types below give a work's outer type a non-virtual method of their
// own, not from the way down to its BasicWork but from beside it, at a
// smaller depth: Go promotes theirs.
type a5Namer struct{}

func (a5Namer) Name() string { return "shadow" }

type a5Starter struct{}

func (*a5Starter) StartWork(func()) {}

type a5NamerIface interface{ Name() string }

type a5Inner struct{ probe }

type a5Deeper struct{ a5Inner }

// a5NameBesidePointer holds its BasicWork through a pointer, two levels
// down, and a5Namer's Name at one.
type a5NameBesidePointer struct {
	*a5Inner
	a5Namer
}

// a5StartBesideValue holds its BasicWork by value, three levels down.
type a5StartBesideValue struct {
	a5Deeper
	*a5Starter
}

type a5NameFromIface struct {
	a5Deeper
	a5NamerIface
}

type a5NamerHolder struct{ a5Namer }

type a5NamerDeep struct{ a5NamerHolder }

// a5NameDeeper has a5Namer's Name three levels down, deeper than
// BasicWork's: BasicWork's is promoted.
type a5NameDeeper struct {
	probe
	a5NamerDeep
}

// TestAttack5InitRefusesAShadowingNonVirtual: Init refuses an outer type
// whose Name, StartWork (or another method that ports a non-virtual C++
// one) is not BasicWork's, also when the method comes from a type embedded
// beside the way down to the BasicWork rather than on it: the library
// calls BasicWork's own (a BatchWork names its children by their
// BasicWork's name, a parent starts a child whose type leaves StartWork to
// BasicWork without calling it), so the work would answer one name to the
// library and another to everyone else. Such a type was accepted.
func TestAttack5InitRefusesAShadowingNonVirtual(t *testing.T) {
	app, _ := newTestApp(t, nil)
	type initer interface {
		basicwork.Work
		Init(app basicwork.Application, name string, maxRetries int, self basicwork.Work)
	}
	for _, tc := range []struct {
		self        initer
		typ, method string
	}{
		{&a5NameBesidePointer{a5Inner: &a5Inner{}}, "basicwork_test.a5Namer", "Name"},
		{&a5StartBesideValue{a5Starter: &a5Starter{}}, "*basicwork_test.a5Starter", "StartWork"},
		{&a5NameFromIface{a5NamerIface: a5Namer{}}, "basicwork_test.a5NamerIface", "Name"},
	} {
		v := recovered(func() { tc.self.Init(app, "w", basicwork.RetryNever, tc.self) })
		err, ok := v.(*basicwork.FinalOverrideError)
		require.True(t, ok, "%T: Init panicked with %v", tc.self, v)
		require.True(t, err.NonVirtual)
		require.Equal(t, "w", err.Name)
		require.Equal(t, tc.typ, err.Type)
		require.Equal(t, tc.method, err.Method)
	}
	ok := &a5NameDeeper{}
	ok.Init(app, "deeper", basicwork.RetryNever, ok)
	require.Equal(t, "deeper", ok.Name())
	require.Equal(t, "shadow", ok.a5NamerDeep.Name())
}
