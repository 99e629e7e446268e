package basicwork_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// chain returns the deepest of depth probes named n0, n1, ..., each
// registered as the child of the one before.
func chain(t testing.TB, depth int) basicwork.Work {
	app, _ := newTestApp(t, nil)
	var prev *probe
	for i := range depth {
		p := newProbe(app, "n"+itoa(i), basicwork.RetryNever)
		if prev != nil {
			p.SetParentForTest(&prev.BasicWork, 0)
		}
		prev = p
	}
	return prev
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestPathOf(t *testing.T) {
	require.Equal(t, "n0", basicwork.PathOf(chain(t, 1)))
	require.Equal(t, "n0/n1/n2", basicwork.PathOf(chain(t, 3)))
}

// TestPathOfIsLinearInDepth: at depth 100,000 the path is built with two
// allocations (the bytes of the path and the string made of them), not one
// string per level: the cost is linear in the depth, not quadratic (46 s at
// this depth before, when each name was put in front of the path so far).
func TestPathOfIsLinearInDepth(t *testing.T) {
	const depth = 100_000
	w := chain(t, depth)
	path := basicwork.PathOf(w)
	require.Equal(t, depth, strings.Count(path, "/")+1)
	require.True(t, strings.HasPrefix(path, "n0/n1/n2/"))
	require.True(t, strings.HasSuffix(path, "/n99999"))
	allocs := testing.AllocsPerRun(3, func() { basicwork.PathOf(w) })
	require.LessOrEqual(t, allocs, 2.0)
}

// BenchmarkPathOfDepth100000 is the path of a work at depth 100,000 (issue
// 15 asks for at most 50 ms).
func BenchmarkPathOfDepth100000(b *testing.B) {
	w := chain(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		basicwork.PathOf(w)
	}
}
