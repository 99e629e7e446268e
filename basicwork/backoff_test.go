package basicwork_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

// backoffTable is the retry delay in seconds after n failed attempts: the
// upper bound doubles from 1 up to 512 (2^9), and the lower bound is one
// more than half the upper bound, except that it is 1 while the upper bound
// is 1. From n = 9 on, both stay at the cap.
var backoffTable = [...]struct{ lower, upper uint64 }{
	{1, 1},
	{2, 2},
	{3, 4},
	{5, 8},
	{9, 16},
	{17, 32},
	{33, 64},
	{65, 128},
	{129, 256},
	{257, 512},
}

func wantBounds(n uint64) (uint64, uint64) {
	b := backoffTable[min(n, uint64(len(backoffTable)-1))]
	return b.lower, b.upper
}

func TestBackoffBounds(t *testing.T) {
	for n := uint64(0); n <= 40; n++ {
		lo, hi := basicwork.BackoffBounds(n)
		wlo, whi := wantBounds(n)
		require.Equal(t, wlo, lo, "lower bound for n=%d", n)
		require.Equal(t, whi, hi, "upper bound for n=%d", n)
	}
	// The exponent is capped before shifting: no overflow at the top.
	lo, hi := basicwork.BackoffBounds(math.MaxUint64)
	require.Equal(t, uint64(257), lo)
	require.Equal(t, uint64(512), hi)
}

func TestExponentialBackoffAtTheBounds(t *testing.T) {
	for n := uint64(0); n <= 40; n++ {
		wlo, whi := wantBounds(n)
		require.Equal(t, time.Duration(wlo)*time.Second, basicwork.ExponentialBackoff(n, basicwork.LowerBound{}), "n=%d", n)
		require.Equal(t, time.Duration(whi)*time.Second, basicwork.ExponentialBackoff(n, basicwork.UpperBound{}), "n=%d", n)
	}
	require.Equal(t, 257*time.Second, basicwork.ExponentialBackoff(math.MaxUint64, basicwork.LowerBound{}))
	require.Equal(t, 512*time.Second, basicwork.ExponentialBackoff(math.MaxUint64, basicwork.UpperBound{}))
}

func TestExponentialBackoffSeeded(t *testing.T) {
	const draws = 50
	ns := make([]uint64, 0, 42)
	for n := uint64(0); n <= 40; n++ {
		ns = append(ns, n)
	}
	ns = append(ns, math.MaxUint64)

	sequence := func(seed uint64) []time.Duration {
		r := basicwork.NewRand(seed)
		var out []time.Duration
		for _, n := range ns {
			for range draws {
				out = append(out, basicwork.ExponentialBackoff(n, r))
			}
		}
		return out
	}

	a, b := sequence(42), sequence(42)
	require.Equal(t, a, b, "the same seed must give the same draws")
	require.NotEqual(t, a, sequence(43), "another seed should give other draws")

	i := 0
	for _, n := range ns {
		wlo, whi := wantBounds(n)
		seen := map[time.Duration]bool{}
		for range draws {
			d := a[i]
			i++
			require.Zero(t, d%time.Second, "n=%d: %v is not whole seconds", n, d)
			require.GreaterOrEqual(t, d, time.Duration(wlo)*time.Second, "n=%d", n)
			require.LessOrEqual(t, d, time.Duration(whi)*time.Second, "n=%d", n)
			require.LessOrEqual(t, d, 512*time.Second)
			seen[d] = true
		}
		if whi-wlo >= 3 {
			// A real draw: 50 draws over 4 or more values are not all equal.
			require.Greater(t, len(seen), 1, "n=%d: every draw was %v", n, a[i-1])
		}
	}
}

func TestRandBounds(t *testing.T) {
	r := basicwork.NewRand(7)
	for range 100 {
		v := r.Uniform(10, 12)
		require.True(t, v >= 10 && v <= 12, "%d", v)
	}
	require.Equal(t, uint64(5), r.Uniform(5, 5))
	require.NotPanics(t, func() { r.Uniform(0, math.MaxUint64) })
	require.Equal(t, uint64(3), basicwork.LowerBound{}.Uniform(3, 9))
	require.Equal(t, uint64(9), basicwork.UpperBound{}.Uniform(3, 9))
	for _, rnd := range []basicwork.Rand{r, basicwork.LowerBound{}, basicwork.UpperBound{}} {
		require.Panics(t, func() { rnd.Uniform(2, 1) }, "%T with lo > hi", rnd)
	}
}
