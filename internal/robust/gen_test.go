package robust

import (
	"fmt"
	"sort"

	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/internal/robust/refmodel"
)

// source is where a generator draws its choices: rapid in the property
// tests, the fuzzer's bytes in the fuzz target.
type source interface {
	// intn returns a choice in [lo, hi].
	intn(lo, hi int, label string) int
}

type rapidSource struct{ t *rapid.T }

// intn draws in [lo, hi]. Rapid favours small values, which would make
// most works leaves and most trees tiny: every other draw is counted down
// from hi instead. Shrinking still goes to lo.
func (s rapidSource) intn(lo, hi int, label string) int {
	v := rapid.IntRange(lo, hi).Draw(s.t, label)
	if hi > lo+1 && rapid.Bool().Draw(s.t, label+" from top") {
		v = hi - (v - lo)
	}
	return v
}

// byteSource reads choices from bytes, one byte each; past the end every
// choice is the lowest.
type byteSource struct {
	b []byte
	i int
}

func (s *byteSource) intn(lo, hi int, _ string) int {
	if s.i >= len(s.b) || hi <= lo {
		s.i++
		return lo
	}
	v := lo + int(s.b[s.i])%(hi-lo+1)
	s.i++
	return v
}

// Limits of the generated trees.
const (
	maxDepth  = 4
	maxFanOut = 8
	maxNodes  = 40
	maxSteps  = 200
)

type generator struct {
	s     source
	cs    *refmodel.Case
	left  int
	trees []int
}

func pick[T any](s source, xs []T, label string) T { return xs[s.intn(0, len(xs)-1, label)] }

// genCase draws a case: a forest of up to 3 scheduled trees of depth up to
// 4 and fan-out up to 8, and the operations to apply while cranking.
func genCase(s source) *refmodel.Case {
	cs := &refmodel.Case{
		Bandwidth: s.intn(1, 4, "bandwidth"),
		Jitter:    refmodel.Jitter(s.intn(0, 2, "jitter")),
		Steps:     maxSteps,
	}
	g := &generator{s: s, cs: cs, left: pick(s, []int{1, 3, 6, 12, 20, 30, maxNodes}, "size")}
	var tops []int
	for n := s.intn(1, 3, "tops"); len(tops) < n && g.left > 0; {
		tops = append(tops, g.node(1, tops))
	}
	for _, t := range tops {
		step := 0
		if s.intn(0, 4, "late") == 0 {
			step = s.intn(1, 40, "schedule step")
		}
		cs.Ops = append(cs.Ops, refmodel.Op{Step: step, Kind: refmodel.OpSchedule, Target: t})
	}
	for n := s.intn(0, 3, "wakes"); n > 0; n-- {
		cs.Ops = append(cs.Ops, refmodel.Op{Step: s.intn(0, 60, "wake step"), Kind: refmodel.OpWake,
			Target: s.intn(0, len(cs.Nodes)-1, "wake target")})
	}
	if len(g.trees) > 0 {
		for n := s.intn(0, 2, "adds"); n > 0; n-- {
			target := pick(s, g.trees, "add target")
			op := refmodel.Op{Step: s.intn(0, 60, "add step"), Kind: refmodel.OpAddChild, Target: target}
			if s.intn(0, 3, "adopt") == 0 {
				op.Adopt, op.Child = true, s.intn(0, len(cs.Nodes)-1, "adoptee")
			} else {
				op.Child = g.newLeaf()
			}
			cs.Ops = append(cs.Ops, op)
		}
	}
	for n := s.intn(0, 2, "advances"); n > 0; n-- {
		cs.Ops = append(cs.Ops, refmodel.Op{Step: s.intn(0, 60, "advance step"), Kind: refmodel.OpAdvance,
			D: pick(s, advanceDelays, "advance")})
	}
	if s.intn(0, 3, "inner shutdown") == 0 {
		cs.Ops = append(cs.Ops, refmodel.Op{Step: s.intn(0, 60, "inner shutdown step"), Kind: refmodel.OpShutdownWork,
			Target: s.intn(0, len(cs.Nodes)-1, "inner shutdown target")})
	}
	if s.intn(0, 1, "shutdown") != 0 {
		cs.Ops = append(cs.Ops, refmodel.Op{Step: s.intn(0, 150, "shutdown step"), Kind: refmodel.OpShutdown})
	}
	sort.SliceStable(cs.Ops, func(i, j int) bool { return cs.Ops[i].Step < cs.Ops[j].Step })
	return cs
}

func (g *generator) add(sp *refmodel.Spec) int {
	sp.Name = fmt.Sprintf("w%d", len(g.cs.Nodes))
	g.cs.Nodes = append(g.cs.Nodes, sp)
	g.left--
	return len(g.cs.Nodes) - 1
}

// newLeaf draws a leaf outside the budget (for add-child).
func (g *generator) newLeaf() int {
	sp := &refmodel.Spec{Kind: refmodel.Leaf}
	g.leaf(sp)
	i := g.add(sp)
	g.left++
	return i
}

func (g *generator) leaf(sp *refmodel.Spec) {
	s := g.s
	sp.Steps = s.intn(1, 4, "steps")
	for i := 1; i < sp.Steps; i++ {
		w := refmodel.Wait{}
		switch s.intn(0, 19, "wait") {
		case 0, 1, 2, 3, 4, 5:
			w = refmodel.Wait{Kind: refmodel.TimerWait, D: pick(s, waitDelays, "wait delay")}
		case 6:
			w.Kind = refmodel.ForeverWait
		}
		sp.Waits = append(sp.Waits, w)
	}
	sp.FailFirst = pick(s, []int{0, 0, 0, 1, 2, -1}, "fail first")
	sp.Retries = s.intn(0, 3, "leaf retries")
	sp.AbortSteps = s.intn(0, 2, "abort steps")
}

// node draws a work at depth (1 for a scheduled one) among the earlier
// siblings given, and its subtree.
func (g *generator) node(depth int, siblings []int) int {
	s := g.s
	kind := refmodel.Leaf
	if depth < maxDepth && g.left > 1 {
		kind = pick(s, []refmodel.Kind{refmodel.Leaf, refmodel.Leaf, refmodel.Tree, refmodel.Seq, refmodel.Batch, refmodel.Cond}, "kind")
	}
	sp := &refmodel.Spec{Kind: kind}
	id := g.add(sp)
	children := func() {
		var kids []int
		for n := s.intn(0, maxFanOut, "fan-out"); len(kids) < n && g.left > 0; {
			kids = append(kids, g.node(depth+1, kids))
		}
		sp.Children = kids
	}
	switch kind {
	case refmodel.Leaf:
		g.leaf(sp)
	case refmodel.Tree:
		sp.Retries = s.intn(0, 2, "tree retries")
		g.trees = append(g.trees, id)
		children()
	case refmodel.Seq:
		sp.Retries = s.intn(0, 2, "seq retries")
		sp.StopAtFirstFailure = s.intn(0, 1, "stop") == 1
		children()
	case refmodel.Batch:
		sp.Retries = s.intn(0, 1, "batch retries")
		children()
	case refmodel.Cond:
		if len(siblings) > 0 {
			sp.CondKind = refmodel.CondKind(s.intn(0, 2, "cond kind"))
		}
		if sp.CondKind == refmodel.AfterChecks {
			sp.Checks = s.intn(0, 2, "checks")
		} else {
			sp.Sibling = pick(s, siblings, "sibling")
		}
		sp.Sleep = pick(s, sleepDelays, "sleep")
		sp.Children = []int{g.node(depth+1, nil)}
	}
	return id
}
