package robust

import (
	"errors"
	"fmt"
	"testing"

	"go.uber.org/goleak"
	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/robust/refmodel"
	"github.com/stellarwork/stellarwork/internal/testworks"
)

// site is a kind of place in the user code of the harness's works where a
// panic can be injected.
type site int

const (
	siteOnRun          site = iota // a leaf's OnRun
	siteOnAbort                    // a leaf's OnAbort
	siteOnReset                    // a leaf's OnReset
	siteOnSuccess                  // a leaf's OnSuccess
	siteOnFailureRetry             // a leaf's OnFailureRetry
	siteOnFailureRaise             // a leaf's OnFailureRaise
	siteWakeUp                     // a leaf's WakeUp override
	siteDoWork                     // a Work's DoWork
	siteDoReset                    // a Work's DoReset
	siteWakeCallback               // the wake-up callback a Work adds its children with
	siteIterator                   // a BatchWork's HasNext, YieldMoreWork or ResetIter
	siteCondition                  // a ConditionalWork's condition
	siteListener                   // the transition listener
	numSites
)

var siteNames = [numSites]string{"OnRun", "OnAbort", "OnReset", "OnSuccess", "OnFailureRetry", "OnFailureRaise",
	"WakeUp", "DoWork", "DoReset", "wake-up callback", "iterator", "condition", "transition listener"}

func (s site) String() string { return siteNames[s] }

// injection is one panic to inject: at the first call of user code of the
// given site (and node, unless -1) in a crank numbered from or later.
type injection struct {
	site  site
	from  int
	node  int
	crank int // the library's cranks so far
	fired bool
}

func (in *injection) String() string {
	return fmt.Sprintf("panic in %s of node %d from crank %d", in.site, in.node, in.from)
}

// injected is the value an injected panic panics with.
type injected struct {
	site site
	node int
}

func (i injected) String() string {
	return fmt.Sprintf("injected panic in %s of node %d", i.site, i.node)
}

// errInjected marks the crank in which the injected panic came out.
var errInjected = errors.New("the injected panic")

// inject panics if the case's injection is due at this site.
func (l *lib) inject(s site, node int) {
	in := l.inj
	if in == nil || in.fired || !l.cranking || s != in.site || in.crank < in.from || (in.node >= 0 && in.node != node) {
		return
	}
	in.fired = true
	panic(injected{s, node})
}

// afterPanic goes on from the crank the injected panic came out of, on the
// library alone (the model, which knows no panic, is left behind): it
// cranks on until nothing is left to do, shuts the scheduler down and
// cranks until it is aborted. No crank may panic again, nothing may stall
// (a work reads Running while the clock has nothing to do), the scheduler
// must abort within twice the bound of a case without panic, every
// scheduled work must end done, no timer may be left armed nor any action
// posted, and every work registered with a parent must be registered with
// its real one, after every crank.
func (r *runner) afterPanic() error {
	l := r.l
	r.stats.injected = true
	crank := func() (int, error) {
		var p int
		l.cranking = true
		v, panicked := catch(func() { p = l.clock.Crank(false) })
		l.cranking = false
		if panicked {
			return 0, fmt.Errorf("a second panic: %v", v)
		}
		if len(l.problems) > 0 {
			return 0, fmt.Errorf("invariant: %v", l.problems)
		}
		return p, r.checkParents()
	}
	for n := 0; n < r.cs.Steps; n++ {
		p, err := crank()
		if err != nil {
			return fmt.Errorf("crank %d after the panic: %w", n+1, err)
		}
		if p == 0 {
			if err := r.stalled(); err != nil && !r.shutdownInner {
				return fmt.Errorf("idle %d cranks after the panic: %w (%s)", n+1, err, l.states())
			}
			break
		}
	}
	if v, panicked := catch(l.ws.Shutdown); panicked {
		return fmt.Errorf("shutdown after the panic: %v", v)
	}
	bound := 2 * abortBound(r.cs)
	for n := 0; l.ws.State() != basicwork.Aborted; n++ {
		if n >= bound {
			return fmt.Errorf("the scheduler is %s %d cranks after the shutdown", baseOf(l.ws).InternalState(), n)
		}
		p, err := crank()
		if err != nil {
			return fmt.Errorf("abort crank %d after the panic: %w", n+1, err)
		}
		if p == 0 {
			return fmt.Errorf("nothing left to crank and the scheduler is %s", baseOf(l.ws).InternalState())
		}
	}
	if err := l.quiet(); err != nil {
		return fmt.Errorf("after the scheduler aborted: %w", err)
	}
	for i := range l.scheduled {
		if w := l.nodes[i]; !w.IsDone() {
			return fmt.Errorf("scheduled work %s ends %s", w.Name(), baseOf(w).InternalState())
		}
	}
	return nil
}

// stalled reports a work left where nothing will move it: the clock has
// nothing to do, yet a work reads Running (it waits to be cranked), or a
// PENDING work is registered with a parent (half-added).
func (r *runner) stalled() error {
	l := r.l
	if st := baseOf(l.ws).InternalState(); st == basicwork.InternalRunning || st == basicwork.InternalAborting {
		return fmt.Errorf("the scheduler is %s", st)
	}
	for _, w := range l.nodes {
		b := baseOf(w)
		switch st := b.InternalState(); st {
		case basicwork.InternalRunning, basicwork.InternalAborting:
			return fmt.Errorf("%s is %s", w.Name(), st)
		case basicwork.InternalPending:
			if p := testworks.ParentOf(w); p != nil {
				return fmt.Errorf("%s is PENDING in %s", w.Name(), p.Name())
			}
		}
	}
	return nil
}

// checkParents checks that every work registered with a parent is
// registered with its real one: the work whose spec (or add-child
// operation) holds it, or the scheduler for a scheduled one.
func (r *runner) checkParents() error {
	for i, w := range r.l.nodes {
		p := testworks.ParentOf(w)
		if p == nil {
			continue
		}
		want := basicwork.Work(r.l.ws)
		if k := r.parent[i]; k >= 0 {
			want = r.l.nodes[k]
		}
		if p != baseOf(want) {
			return fmt.Errorf("%s is registered with %s, not %s", w.Name(), p.Name(), want.Name())
		}
	}
	return nil
}

// sitesOf returns the sites that the works of cs have.
func sitesOf(cs *refmodel.Case) []site {
	has := map[refmodel.Kind]bool{}
	for _, n := range cs.Nodes {
		has[n.Kind] = true
	}
	out := []site{siteListener}
	if has[refmodel.Leaf] {
		out = append(out, siteOnRun, siteOnAbort, siteOnReset, siteOnSuccess, siteOnFailureRetry, siteOnFailureRaise, siteWakeUp)
	}
	if has[refmodel.Tree] {
		out = append(out, siteDoWork, siteDoReset, siteWakeCallback)
	}
	if has[refmodel.Batch] {
		out = append(out, siteIterator)
	}
	if has[refmodel.Cond] {
		out = append(out, siteCondition)
	}
	return out
}

// TestPropertyInjectedPanic draws a case of TestPropertyRandomTreesMatchModel
// and one panic to inject: at a random kind of user code (a leaf's OnRun,
// OnAbort, OnReset, OnSuccess, OnFailureRetry, OnFailureRaise or WakeUp
// override; a Work's DoWork, DoReset or wake-up callback; a BatchWork's
// iterator; a condition; the transition listener), of any work or of a
// random one, at the first such call from a random crank on. Until then
// the library and the model are compared crank by crank as usual. The
// panic is recovered out of Crank, and the library cranks on alone
// (afterPanic): nothing may stall (unless a work was shut down from outside
// its tree, which stalls its parent as in C++) or panic again, the tree must end done or
// aborted, with no timer armed and nothing posted, and every work's parent
// must be its real one.
func TestPropertyInjectedPanic(t *testing.T) {
	defer goleak.VerifyNone(t)
	checks := rapidChecks(1000, 20000)
	var cases, fired int
	bySite := map[string]int{}
	rapid.Check(t, func(rt *rapid.T) {
		cs := genCase(rapidSource{rt})
		sites := sitesOf(cs)
		inj := &injection{
			site: sites[rapid.IntRange(0, len(sites)-1).Draw(rt, "site")],
			from: rapid.IntRange(1, 20).Draw(rt, "from crank"),
			node: -1,
		}
		if rapid.IntRange(0, 3).Draw(rt, "one work") == 0 {
			inj.node = rapid.IntRange(0, len(cs.Nodes)-1).Draw(rt, "node")
		}
		r := newRunner(cs, true)
		r.inj = inj
		if err := r.run(); err != nil {
			rt.Fatalf("%v\n%v\ncase:\n%s", err, inj, cs)
		}
		cases++
		if inj.fired {
			fired++
			bySite[inj.site.String()]++
		}
	})
	t.Logf("%d cases (rapid.checks=%d), %d with the panic fired; by site: %v", cases, checks, fired, bySite)
	if cases >= 100 && fired*3 < cases {
		t.Errorf("the panic fired in only %d of %d cases", fired, cases)
	}
}

// states describes every work's state, for failures.
func (l *lib) states() string {
	out := "scheduler " + baseOf(l.ws).InternalState().String()
	for _, w := range l.nodes {
		out += ", " + w.Name() + " " + baseOf(w).InternalState().String()
	}
	return out
}
