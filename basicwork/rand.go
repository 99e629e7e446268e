package basicwork

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Rand is the random source behind retry jitter: it answers a uniform
// integer in [lo, hi], both included, as stellar-core's rand_uniform does.
// It is used on the crank goroutine only.
type Rand interface {
	Uniform(lo, hi uint64) uint64
}

// NewRand returns a seeded pseudo-random source: the same seed gives the
// same draws.
func NewRand(seed uint64) Rand {
	return &seededRand{r: rand.New(rand.NewPCG(seed, 0x5eed))}
}

type seededRand struct{ r *rand.Rand }

func (s *seededRand) Uniform(lo, hi uint64) uint64 {
	checkBounds(lo, hi)
	span := hi - lo
	if span == ^uint64(0) {
		return s.r.Uint64()
	}
	return lo + s.r.Uint64N(span+1)
}

// LowerBound is a Rand that always answers the lower bound. The parity traces
// were recorded with it.
type LowerBound struct{}

// Uniform returns lo.
func (LowerBound) Uniform(lo, hi uint64) uint64 { checkBounds(lo, hi); return lo }

// UpperBound is a Rand that always answers the upper bound.
type UpperBound struct{}

// Uniform returns hi.
func (UpperBound) Uniform(lo, hi uint64) uint64 { checkBounds(lo, hi); return hi }

func checkBounds(lo, hi uint64) {
	if lo > hi {
		panic(fmt.Sprintf("basicwork: Uniform with lower bound %d above upper bound %d", lo, hi))
	}
}

// maxBackoffExponent caps the backoff at 2^9 s = 512 s.
const maxBackoffExponent = 9

// BackoffBounds returns the bounds, in whole seconds, of the retry delay
// after n failed attempts: upper = 2^min(9, n), lower = 1 when upper < 2, else
// upper/2 + 1.
func BackoffBounds(n uint64) (lower, upper uint64) {
	upper = uint64(1) << min(uint64(maxBackoffExponent), n)
	lower = upper/2 + 1
	if upper < 2 {
		lower = 1
	}
	return lower, upper
}

// ExponentialBackoff returns the delay before retry n+1: a whole number of
// seconds drawn from r in BackoffBounds(n). It is the port of stellar-core's
// exponentialBackoff, with its random draw made injectable. The first two
// delays have no room to vary (bounds 1..1 and 2..2 s), so the source,
// seeded or not, shows from the third retry on (3..4 s).
func ExponentialBackoff(n uint64, r Rand) time.Duration {
	lo, hi := BackoffBounds(n)
	return time.Duration(r.Uniform(lo, hi)) * time.Second
}
