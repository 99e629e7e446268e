package work

import (
	"iter"
	"math"
	"math/bits"
	"unsafe"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
)

// tree is basicwork's record of the work tree (see package tree).
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()

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
// each child tells its parent when its public state changes (ChildState),
// and the active bitmap marks the slots of the children that do not read
// Waiting: the walk jumps from one to the next, visiting exactly the
// children the C++ walk would act on, in the same order, and costs nothing
// per waiting child. The same notices keep count of the children in each
// public state, which answers AnyChildRunning and the other questions
// without a scan. If a child is taken over by another parent (or is added
// a second time while its first slot still holds it), this one no longer
// hears about every change and falls back to the full scans of the C++.
//
// A slot holds the child's BasicWork, not its outer value: what the walk
// and the counts ask of a child (State, IsDone, CrankWork) are methods the
// outer type may not redeclare, so the embedded BasicWork's answer is the
// outer value's, without a call through the interface; and a slot is
// half the size. The outer value is at hand through tree.Self.
//
// children is the tree.Composite a Work declares at Init: its methods are
// not promoted to the types that embed a Work.
type children struct {
	slots    []*basicwork.BasicWork
	live     int
	lastLive int // highest non-empty slot, -1 if none
	// base is the number under which the child in slots[0] is registered
	// here (its slot, as basicwork keeps it): the child in slots[i] is
	// registered as slot i+base. A compaction that moves a run of
	// children down by d slots adds d to base instead of renumbering
	// them; one that must close gaps renumbers them all and sets it to 0.
	base   int
	active bitmap
	// count[s] is how many of the children held read the basicwork.State
	// s; valid unless scanAll. basicwork moves a child's count as its
	// state changes (tree.Counts).
	count   itree.Counts
	scanAll bool
	// failed is the first child that moved to Failure since the children
	// were last cleared, as the notices tell: the walk may have dropped
	// it from its slot by the time its parent fails.
	failed *basicwork.BasicWork
}

// Children yields the children held now, in order.
func (c *children) Children() iter.Seq[basicwork.Work] {
	return func(yield func(basicwork.Work) bool) {
		for _, b := range c.slots {
			if b != nil && !yield(tree.Self(b)) {
				return
			}
		}
	}
}

// ChildState records that the child in slot went from the public state
// from to to, to or from Waiting (the active bitmap) or to Failure (the
// first child that failed); basicwork moved its count (tree.Counts).
func (c *children) ChildState(slot int, from, to int) {
	i := slot - c.base
	if uint(i) >= uint(len(c.slots)) || c.slots[i] == nil {
		return
	}
	if to == int(basicwork.Failure) && c.failed == nil {
		c.failed = c.slots[i]
	}
	if to == int(basicwork.Waiting) {
		c.active.clear(i)
	} else if from == int(basicwork.Waiting) {
		c.active.set(i)
	}
}

// ChildLost records that another parent took a child over: from then on
// the walk scans all the children at each step, as the C++ does.
func (c *children) ChildLost(int) { c.scanAll = true }

// parentAt and slotAt are where a BasicWork keeps its registered parent and
// its slot there (tree.Access.ParentAt and SlotAt). The walk drops a done
// child and compact renumbers the children with release and renumber,
// which read and write them in place: through tree.Release and
// tree.Renumber each was a call through a function value.
var parentAt, slotAt = tree.ParentAt, tree.SlotAt

// parentOf is the address of b's registered parent.
func parentOf(b *basicwork.BasicWork) **basicwork.BasicWork {
	return (**basicwork.BasicWork)(unsafe.Add(unsafe.Pointer(b), parentAt))
}

// slotOf is the address of b's slot in its registered parent.
func slotOf(b *basicwork.BasicWork) *int32 {
	return (*int32)(unsafe.Add(unsafe.Pointer(b), slotAt))
}

// release is tree.Release in place: it unregisters owner from b if b is
// registered there as slot i (a slot number, children.base included), and
// does nothing otherwise.
func release(b, owner *basicwork.BasicWork, i int) {
	if p := parentOf(b); *p == owner {
		if s := slotOf(b); int(*s) == i {
			*p, *s = nil, 0
		}
	}
}

// renumber is tree.Renumber in place: it moves b to slot j if owner is its
// registered parent, and does nothing otherwise. A slot past an int32
// (never reached: j is at most the child's old slot) goes to
// tree.Renumber, which panics.
func renumber(b, owner *basicwork.BasicWork, j int) {
	if *parentOf(b) == owner {
		if uint(j) <= math.MaxInt32 {
			*slotOf(b) = int32(j)
		} else {
			tree.Renumber(b, owner, j)
		}
	}
}

// remove empties slot i and unregisters this parent from the child.
func (c *children) remove(owner *basicwork.BasicWork, i int) {
	b := c.slots[i]
	release(b, owner, i+c.base)
	c.slots[i] = nil
	c.active.clear(i)
	c.count[b.State()]--
	c.live--
	if i == c.lastLive {
		c.dropEmptyTail()
	}
}

// dropEmptyTail moves lastLive down past the empty slots at its end.
func (c *children) dropEmptyTail() {
	for c.lastLive >= 0 && c.slots[c.lastLive] == nil {
		c.lastLive--
	}
}

// next returns the first slot at or after i that the walk must look at, or
// -1. A member in i's own word of the bitmap, as the next child of a round
// mostly is, is found inline.
func (c *children) next(i int) int {
	if !c.scanAll {
		if w := i >> 6; w < len(c.active.words) {
			if m := c.active.words[w] >> (i & 63); m != 0 {
				return i + bits.TrailingZeros64(m)
			}
		}
		return c.active.next(i)
	}
	return c.scan(i)
}

// scan is next after a ChildLost: the first slot at or after i that holds
// a child, or -1.
func (c *children) scan(i int) int {
	for ; i < len(c.slots); i++ {
		if c.slots[i] != nil {
			return i
		}
	}
	return -1
}

func (c *children) clear(owner *basicwork.BasicWork) {
	for i, w := range c.slots {
		if w != nil {
			c.remove(owner, i)
		}
	}
	c.slots = c.slots[:0]
	c.base = 0
	c.active.reset()
	c.count = itree.Counts{}
	c.lastLive = -1
	c.scanAll = false
	c.failed = nil
}

// failedChild returns the first child that failed and still reads
// Failure, or, if the notices missed it (after a ChildLost), the first
// child held that reads Failure; nil if none.
func (c *children) failedChild() basicwork.Work {
	if f := c.failed; f != nil && isFailure(f) {
		return tree.Self(f)
	}
	for _, b := range c.slots {
		if b != nil && isFailure(b) {
			return tree.Self(b)
		}
	}
	return nil
}

// sparse reports whether at least half of 64 or more slots are empty:
// then compact is worth its walk. It is a function of its own, small enough
// to be inlined, so that the walk's end pays no call when it is not.
func (c *children) sparse() bool { return len(c.slots) >= 64 && 2*c.live <= len(c.slots) }

// compact moves the children into slots 0..live-1, in order. The caller
// asks sparse first.
//
// When the children held are one run of slots, as when children come and
// go in the order they were added, the run is moved down as it is: they
// keep their slot numbers, and base grows by the distance moved, so no
// child is written to (AddWork renumbers them all when a slot number
// would pass maxSlot). Otherwise each child is moved and renumbered, and
// base is 0 again.
func (c *children) compact(owner *basicwork.BasicWork) {
	from, n := c.lastLive+1-c.live, c.live
	if from > 0 && shiftCompaction && c.run(from) {
		copy(c.slots, c.slots[from:from+n])
		clear(c.slots[max(n, from) : from+n])
		c.slots = c.slots[:n]
		c.active.moveDown(from, n)
		c.lastLive = n - 1
		c.base += from
		return
	}
	j := 0
	c.active.reset()
	for _, b := range c.slots {
		if b == nil {
			continue
		}
		c.slots[j] = b
		if b.State() != basicwork.Waiting {
			c.active.set(j)
		}
		renumber(b, owner, j)
		j++
	}
	clear(c.slots[j:])
	c.slots = c.slots[:j]
	c.lastLive = j - 1
	c.base = 0
}

// run reports whether the live children fill slots from..lastLive.
func (c *children) run(from int) bool {
	for _, b := range c.slots[from : c.lastLive+1] {
		if b == nil {
			return false
		}
	}
	return true
}

// maxSlot is the highest slot number a child can be registered under (an
// int32, tree.Access.SetParent); a variable, so that tests can lower it.
var maxSlot = math.MaxInt32

// shiftCompaction is false in tests that make every compaction renumber.
var shiftCompaction = true

// rebase renumbers the children so that base is 0: AddWork calls it when
// the next slot number would pass maxSlot.
func (c *children) rebase(owner *basicwork.BasicWork) {
	for j, b := range c.slots {
		if b != nil {
			renumber(b, owner, j)
		}
	}
	c.base = 0
}

// The questions a Work asks about its children (AnyChildRunning and the
// others) read the counts, which the children's notices keep: they cost
// the same with one child or a million, waiting or not. After a ChildLost
// they scan every slot, as the C++ does.

// anyChild reports whether f holds for a child, by a scan.
func (c *children) anyChild(f func(*basicwork.BasicWork) bool) bool {
	for _, b := range c.slots {
		if b != nil && f(b) {
			return true
		}
	}
	return false
}

func isRunning(b *basicwork.BasicWork) bool { return b.State() == basicwork.Running }
func isFailure(b *basicwork.BasicWork) bool { return b.State() == basicwork.Failure }
func notDone(b *basicwork.BasicWork) bool   { return !b.IsDone() }
func notSuccess(b *basicwork.BasicWork) bool {
	return b.State() != basicwork.Success
}

// allSuccessful reports whether every child succeeded.
func (c *children) allSuccessful() bool {
	if c.scanAll {
		return !c.anyChild(notSuccess)
	}
	return c.count[basicwork.Success] == c.live
}

// allDone reports whether every child is done.
func (c *children) allDone() bool {
	if c.scanAll {
		return !c.anyChild(notDone)
	}
	return c.count[basicwork.Success]+c.count[basicwork.Failure]+c.count[basicwork.Aborted] == c.live
}

// anyFailure reports whether a child failed.
func (c *children) anyFailure() bool {
	if c.scanAll {
		return c.anyChild(isFailure)
	}
	return c.count[basicwork.Failure] > 0
}

// anyRunning reports whether a child reads Running.
func (c *children) anyRunning() bool {
	if c.scanAll {
		return c.anyChild(isRunning)
	}
	return c.count[basicwork.Running] > 0
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
	w := &b.words[i>>6]
	if *w == 0 {
		// The word's summary bit is set with its first member.
		b.summary[i>>12] |= 1 << ((i >> 6) & 63)
	}
	*w |= 1 << (i & 63)
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

// moveDown moves the members in [from, from+n) to [0, n), from > 0, and
// drops the others.
func (b *bitmap) moveDown(from, n int) {
	nw := (n + 63) >> 6 // words that hold [0, n)
	sw, sh := from>>6, uint(from&63)
	for k := range nw {
		// The source words are at or past the destination one, so each
		// is read before it is written; the slots past the run hold no
		// member.
		v := b.words[sw+k] >> sh
		if sh != 0 && sw+k+1 < len(b.words) {
			v |= b.words[sw+k+1] << (64 - sh)
		}
		b.words[k] = v
	}
	clear(b.words[nw:])
	clear(b.summary)
	for k, v := range b.words[:nw] {
		if v != 0 {
			b.summary[k>>6] |= 1 << (k & 63)
		}
	}
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
