package work

import (
	"math/bits"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
)

const (
	zapcoreDebug = zapcore.DebugLevel
	traceLevel   = basicwork.TraceLevel
)

// children holds a Work's children in the order they were added, one slot
// each. A finished child's slot is emptied when the round-robin walk passes
// it, as the C++ erases it from its list; the slots are renumbered now and
// then, at the end of a round, to reclaim the empty ones.
//
// The C++ walks every child at every step, skipping the waiting ones. Here
// each child tells its parent when it starts or stops reading Waiting
// (basicwork.Parent), and the active bitmap marks the slots of the children
// that do not: the walk jumps from one to the next, visiting exactly the
// children the C++ walk would act on, in the same order, and costs nothing
// per waiting child. If a child is taken over by another parent, this one
// no longer hears about it and falls back to the full scan.
type children struct {
	slots    []basicwork.Work
	live     int
	lastLive int // highest non-empty slot, -1 if none
	active   bitmap
	scanAll  bool
}

func (c *children) add(owner basicwork.Parent, w basicwork.Work) int {
	i := len(c.slots)
	c.slots = append(c.slots, w)
	c.live++
	c.lastLive = i
	c.active.grow(len(c.slots))
	if w.State() != basicwork.Waiting {
		c.active.set(i)
	}
	basicwork.Base(w).SetParent(owner, i)
	return i
}

// remove empties slot i and unregisters this parent from the child.
func (c *children) remove(owner basicwork.Parent, i int) {
	w := c.slots[i]
	if p, slot := basicwork.Base(w).Parent(); p == owner && slot == i {
		basicwork.Base(w).SetParent(nil, 0)
	}
	c.slots[i] = nil
	c.active.clear(i)
	c.live--
	for c.lastLive >= 0 && c.slots[c.lastLive] == nil {
		c.lastLive--
	}
}

// next returns the first slot at or after i that the walk must look at, or
// -1.
func (c *children) next(i int) int {
	if c.scanAll {
		for ; i < len(c.slots); i++ {
			if c.slots[i] != nil {
				return i
			}
		}
		return -1
	}
	return c.active.next(i)
}

func (c *children) clear(owner basicwork.Parent) {
	for i, w := range c.slots {
		if w != nil {
			c.remove(owner, i)
		}
	}
	c.slots = c.slots[:0]
	c.active.reset()
	c.lastLive = -1
	c.scanAll = false
}

// compact renumbers the children into slots 0..live-1 when at least half
// the slots are empty.
func (c *children) compact(owner basicwork.Parent) {
	if len(c.slots) < 64 || 2*c.live > len(c.slots) {
		return
	}
	j := 0
	c.active.reset()
	for _, w := range c.slots {
		if w == nil {
			continue
		}
		c.slots[j] = w
		if w.State() != basicwork.Waiting {
			c.active.set(j)
		}
		if p, _ := basicwork.Base(w).Parent(); p == owner {
			basicwork.Base(w).SetParent(owner, j)
		}
		j++
	}
	clear(c.slots[j:])
	c.slots = c.slots[:j]
	c.lastLive = j - 1
}

// bitmap is a set of slot numbers with a summary word per 64 words, so that
// finding the next member skips empty stretches 4096 slots at a time.
type bitmap struct {
	words   []uint64
	summary []uint64 // bit k set when words[k] != 0
}

func (b *bitmap) grow(n int) {
	for len(b.words)*64 < n {
		b.words = append(b.words, 0)
	}
	for len(b.summary)*64 < len(b.words) {
		b.summary = append(b.summary, 0)
	}
}

func (b *bitmap) set(i int) {
	b.words[i>>6] |= 1 << (i & 63)
	b.summary[i>>12] |= 1 << ((i >> 6) & 63)
}

func (b *bitmap) clear(i int) {
	w := i >> 6
	if w >= len(b.words) {
		return
	}
	b.words[w] &^= 1 << (i & 63)
	if b.words[w] == 0 {
		b.summary[w>>6] &^= 1 << (w & 63)
	}
}

func (b *bitmap) reset() {
	clear(b.words)
	clear(b.summary)
}

// next returns the smallest member at or after i, or -1.
func (b *bitmap) next(i int) int {
	w := i >> 6
	if w >= len(b.words) {
		return -1
	}
	if m := b.words[w] &^ (1<<(i&63) - 1); m != 0 {
		return w<<6 + bits.TrailingZeros64(m)
	}
	// Find the next non-empty word through the summary.
	w++
	s := w >> 6
	if s >= len(b.summary) {
		return -1
	}
	m := b.summary[s] &^ (1<<(w&63) - 1)
	for m == 0 {
		s++
		if s >= len(b.summary) {
			return -1
		}
		m = b.summary[s]
	}
	w = s<<6 + bits.TrailingZeros64(m)
	return w<<6 + bits.TrailingZeros64(b.words[w])
}
