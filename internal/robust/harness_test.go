package robust

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/robust/refmodel"
	"github.com/stellarwork/stellarwork/internal/vclockhook"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

// lib is the library side of a case: the same works as the model's, built
// from the same specs with stellarwork's types.
type lib struct {
	cs     *refmodel.Case
	clock  *vclock.Clock
	app    *scheduler.App
	ws     *scheduler.WorkScheduler
	nodes  []basicwork.Work
	cnt    []refmodel.Counts
	byWork map[basicwork.Work]int
	log    []string
	// problems are invariant violations seen inside a crank.
	problems []string
	// inj, if set, is the panic to inject into the user code of this
	// case (TestPropertyInjectedPanic); cranking is set while the library
	// cranks, the only time it may fire.
	inj      *injection
	cranking bool
	// scheduled holds the nodes the scheduler accepted.
	scheduled map[int]bool
}

// jitter is the application's random source: the case's pick in the
// bounds, the same one the model uses.
type jitter refmodel.Jitter

func (j jitter) Uniform(lo, hi uint64) uint64 {
	if lo > hi {
		panic("jitter: bad bounds")
	}
	return refmodel.Jitter(j).Pick(lo, hi)
}

func newLib(cs *refmodel.Case) *lib {
	l := &lib{cs: cs, clock: vclock.New(vclock.VirtualTime), byWork: map[basicwork.Work]int{}, scheduled: map[int]bool{}}
	l.app = scheduler.NewApp(l.clock,
		scheduler.WithConfig(basicwork.Config{MaxConcurrentSubprocesses: cs.Bandwidth}),
		scheduler.WithRand(jitter(cs.Jitter)),
		scheduler.WithTransitionListener(l.onTransition))
	l.ws = l.app.WorkScheduler()
	l.nodes = make([]basicwork.Work, len(cs.Nodes))
	l.cnt = make([]refmodel.Counts, len(cs.Nodes))
	for i := range cs.Nodes {
		l.build(i)
	}
	return l
}

// build creates node i, after the works it takes at construction.
func (l *lib) build(i int) basicwork.Work {
	if w := l.nodes[i]; w != nil {
		return w
	}
	sp := l.cs.Nodes[i]
	var kids []basicwork.Work
	for _, k := range sp.Children {
		kids = append(kids, l.build(k))
	}
	var w basicwork.Work
	switch sp.Kind {
	case refmodel.Leaf:
		x := &leaf{l: l, id: i, sp: sp, count: sp.Steps, abortLeft: sp.AbortSteps}
		x.Init(l.app, sp.Name, sp.Retries, x)
		w = x
	case refmodel.Tree:
		x := &tree{l: l, id: i, kids: kids}
		x.Init(l.app, sp.Name, sp.Retries, x)
		w = x
	case refmodel.Batch:
		x := &batch{l: l, id: i, kids: kids}
		x.Init(l.app, sp.Name, sp.Retries, x)
		w = x
	case refmodel.Seq:
		x := &seq{l: l, id: i}
		if err := x.Init(l.app, sp.Name, kids, x, worksequence.WithMaxRetries(sp.Retries),
			worksequence.WithStopAtFirstFailure(sp.StopAtFirstFailure)); err != nil {
			panic(err)
		}
		w = x
	case refmodel.Cond:
		c, err := conditionalwork.New(l.app, sp.Name, l.condition(i, sp), kids[0], conditionalwork.WithSleepDelay(sp.Sleep))
		if err != nil {
			panic(err)
		}
		w = c
	}
	l.nodes[i] = w
	l.byWork[w] = i
	return w
}

func (l *lib) condition(i int, sp *refmodel.Spec) conditionalwork.Condition {
	return func(basicwork.Application) bool {
		l.inject(siteCondition, i)
		l.cnt[i].Checks++
		switch sp.CondKind {
		case refmodel.SiblingSucceeded:
			return l.nodes[sp.Sibling].State() == basicwork.Success
		case refmodel.SiblingDone:
			return l.nodes[sp.Sibling].IsDone()
		}
		return l.cnt[i].Checks > sp.Checks
	}
}

func (l *lib) problemf(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// onTransition records every transition and checks it against the table.
func (l *lib) onTransition(ev basicwork.TransitionEvent) {
	name := ev.Work.Name()
	l.log = append(l.log, name+": "+ev.From.String()+" -> "+ev.To.String())
	if !basicwork.IsAllowed(ev.From, ev.To) {
		l.problemf("transition %s: %s -> %s is not in the table", name, ev.From, ev.To)
	}
	if ev.From.IsDone() && ev.To != basicwork.InternalPending {
		l.problemf("done work %s moved %s -> %s", name, ev.From, ev.To)
	}
	i, ok := l.byWork[ev.Work]
	if !ok {
		return
	}
	switch ev.To {
	case basicwork.InternalSuccess:
		l.cnt[i].Successes++
	case basicwork.InternalFailure:
		l.cnt[i].Failures++
	case basicwork.InternalRetrying:
		l.cnt[i].RetryHooks++
	}
	l.inject(siteListener, i)
}

// cranked checks, from inside OnRun or OnAbort, that the work is in the
// state it must be in to be cranked that way: never done, never waiting.
func (l *lib) cranked(w basicwork.Work, want basicwork.InternalState, hook string) {
	if st := baseOf(w).InternalState(); st != want {
		l.problemf("%s of %s in state %s", hook, w.Name(), st)
	}
}

func (l *lib) takeLog() []string {
	x := l.log
	l.log = nil
	return x
}

// leaf is a refmodel.Leaf.
type leaf struct {
	basicwork.BasicWork
	l                        *lib
	id                       int
	sp                       *refmodel.Spec
	count, finals, abortLeft int
}

func (w *leaf) OnRun() basicwork.State {
	w.l.inject(siteOnRun, w.id)
	w.l.cranked(w, basicwork.InternalRunning, "OnRun")
	w.l.cnt[w.id].Runs++
	w.count--
	if w.count > 0 {
		switch wt := w.sp.Waits[w.sp.Steps-w.count-1]; wt.Kind {
		case refmodel.TimerWait:
			w.SetupWaitingCallback(wt.D)
			return basicwork.Waiting
		case refmodel.ForeverWait:
			return basicwork.Waiting
		}
		return basicwork.Running
	}
	w.finals++
	if w.sp.FailFirst < 0 || w.finals <= w.sp.FailFirst {
		return basicwork.Failure
	}
	return basicwork.Success
}

func (w *leaf) OnAbort() bool {
	w.l.inject(siteOnAbort, w.id)
	w.l.cranked(w, basicwork.InternalAborting, "OnAbort")
	w.l.cnt[w.id].Aborts++
	if w.abortLeft > 0 {
		w.abortLeft--
		return false
	}
	return true
}

func (w *leaf) OnReset() {
	w.l.inject(siteOnReset, w.id)
	w.count = w.sp.Steps
	w.abortLeft = w.sp.AbortSteps
}

// The other hooks do what BasicWork's do; they are places to inject a
// panic.
func (w *leaf) OnSuccess()      { w.l.inject(siteOnSuccess, w.id) }
func (w *leaf) OnFailureRetry() { w.l.inject(siteOnFailureRetry, w.id) }
func (w *leaf) OnFailureRaise() { w.l.inject(siteOnFailureRaise, w.id) }

func (w *leaf) WakeUp(inner func()) {
	w.l.inject(siteWakeUp, w.id)
	w.BasicWork.WakeUp(inner)
}

// tree is a refmodel.Tree: a Work that adds its children in its first
// DoWork of each run, each with a wake-up callback (that does nothing but
// may be made to panic).
type tree struct {
	work.Work
	l     *lib
	id    int
	kids  []basicwork.Work
	added bool
	// next is the index in kids of the child to add next in this run: a
	// DoWork cut short by a panic goes on from there. (Whether the tree
	// holds a child already says nothing: a child added from outside, as
	// the adopting operation does, is added again, and restarted, as in
	// C++.)
	next int
}

func (w *tree) DoWork() basicwork.State {
	w.l.inject(siteDoWork, w.id)
	if !w.added {
		for w.next < len(w.kids) {
			w.addKid(w.kids[w.next])
		}
		w.added = true
		return basicwork.Running
	}
	return w.CheckChildrenStatus()
}

// addKid adds k and moves on to the next child, unless the add panicked
// while k was still PENDING: AddWorkWithCallback then rolled it back, and
// the next DoWork adds k again.
func (w *tree) addKid(k basicwork.Work) {
	ok := false
	defer func() {
		if ok || baseOf(k).InternalState() != basicwork.InternalPending {
			w.next++
		}
	}()
	if err := w.AddWorkWithCallback(w.wakeCallback, k); err != nil {
		w.l.problemf("%s: AddWork(%s): %v", w.Name(), k.Name(), err)
	}
	ok = true
}

func (w *tree) wakeCallback() { w.l.inject(siteWakeCallback, w.id) }

func (w *tree) DoReset() {
	w.l.inject(siteDoReset, w.id)
	w.added, w.next = false, 0
}

// batch is a refmodel.Batch.
type batch struct {
	batchwork.BatchWork
	l    *lib
	id   int
	kids []basicwork.Work
	next int
}

func (w *batch) HasNext() bool {
	w.l.inject(siteIterator, w.id)
	return w.next < len(w.kids)
}

func (w *batch) YieldMoreWork() basicwork.Work {
	w.l.inject(siteIterator, w.id)
	k := w.kids[w.next]
	w.next++
	return k
}

func (w *batch) ResetIter() {
	w.l.inject(siteIterator, w.id)
	w.next = 0
}

// seq is a refmodel.Seq.
type seq struct {
	worksequence.WorkSequence
	l  *lib
	id int
}

// doneCounter is a work with a done-children count.
type doneCounter interface{ DoneChildren() int }

// ---------------------------------------------------------------------------
// Running a case on both sides.

// caseStats sums up one run.
type caseStats struct {
	cranks       int            // cranks compared
	endedByPanic bool           // both sides hit the same documented assertion
	injected     bool           // the injected panic fired (TestPropertyInjectedPanic)
	final        map[string]int // works by final state
}

// documentedPanic reports whether a panic value of the library is one of
// the documented programmer errors (docs/PORTING.md, docs/ROBUSTNESS.md).
func documentedPanic(v any) bool {
	switch x := v.(type) {
	case error:
		return errors.Is(x, basicwork.ErrInvariant) || errors.Is(x, basicwork.ErrIllegalTransition) ||
			errors.Is(x, work.ErrAborting) || errors.Is(x, batchwork.ErrDuplicate)
	case string:
		return strings.HasPrefix(x, "vclock: virtual time cannot go backwards") ||
			strings.HasPrefix(x, "vclock: SleepFor with a negative duration")
	}
	return false
}

func catch(f func()) (v any, panicked bool) {
	defer func() {
		if panicked {
			v = recover()
		}
	}()
	panicked = true
	f()
	panicked = false
	return nil, false
}

// runner drives one case on the library and on the model.
type runner struct {
	cs      *refmodel.Case
	l       *lib
	m       *refmodel.Model
	guarded bool // skip operations the model says the C++ would assert on
	// tainted is set once an unguarded run applied such an operation: the
	// sides are still compared, but a retry timer may be left armed (it
	// would assert when it fires), so the checks of a quiet end are off.
	tainted bool
	// shutdownInner is set once a work inside a tree was shut down from
	// outside: its parent is not told and may wait on, so the tree may
	// stall (as in C++) until the scheduler's shutdown.
	shutdownInner bool
	// inj is the panic to inject, if any (TestPropertyInjectedPanic).
	inj    *injection
	parent []int
	done   map[int]int // last done-children count seen, by node (-1: scheduler)
	stats  caseStats
}

func newRunner(cs *refmodel.Case, guarded bool) *runner {
	r := &runner{cs: cs, guarded: guarded, done: map[int]int{}}
	r.parent = make([]int, len(cs.Nodes))
	for i := range r.parent {
		r.parent[i] = -1
	}
	for i, n := range cs.Nodes {
		for _, k := range n.Children {
			r.parent[k] = i
		}
	}
	for _, o := range cs.Ops {
		if o.Kind == refmodel.OpAddChild && !o.Adopt {
			r.parent[o.Child] = o.Target
		}
	}
	return r
}

// errEnded ends a case where both sides asserted alike.
var errEnded = errors.New("ended on a documented assertion")

// both runs one step on each side and compares how they ended.
func (r *runner) both(what string, onLib, onModel func()) error {
	lv, lp := catch(onLib)
	mv, mp := catch(onModel)
	switch {
	case !lp && !mp:
		return nil
	case lp && !mp:
		if inj, ok := lv.(injected); ok {
			return fmt.Errorf("%s: %v: %w", what, inj, errInjected)
		}
		return fmt.Errorf("%s: the library panicked (%v) and the model did not", what, lv)
	case !lp && mp:
		return fmt.Errorf("%s: the model asserted (%v) and the library did not panic", what, mv)
	}
	a, ok := mv.(*refmodel.Assert)
	if !ok {
		return fmt.Errorf("%s: the model panicked: %v", what, mv)
	}
	if !documentedPanic(lv) {
		return fmt.Errorf("%s: undocumented panic %T %v (the model asserted %v)", what, lv, lv, a)
	}
	if err, _ := lv.(error); errors.Is(err, basicwork.ErrIllegalTransition) != a.Transition {
		return fmt.Errorf("%s: the library panicked with %v, the model asserted %v", what, lv, a)
	}
	if r.guarded {
		return fmt.Errorf("%s: both asserted (library: %v; model: %v), though the operations were guarded", what, lv, a)
	}
	r.stats.endedByPanic = true
	return errEnded
}

// op applies one operation to both sides.
func (r *runner) op(o refmodel.Op) error {
	l, m := r.l, r.m
	switch o.Kind {
	case refmodel.OpSchedule:
		var got, want bool
		err := r.both("schedule", func() {
			if got = l.ws.ScheduleWork(l.nodes[o.Target]) != nil; got {
				l.scheduled[o.Target] = true
			}
		},
			func() { want = m.Schedule(o.Target) })
		if err == nil && got != want {
			err = fmt.Errorf("schedule %s: library accepted=%v, model=%v", r.cs.Nodes[o.Target].Name, got, want)
		}
		return err
	case refmodel.OpWake:
		if !m.WakeIsSafe(o.Target) {
			if r.guarded {
				return nil
			}
			r.tainted = true
		}
		return r.both("wake "+r.cs.Nodes[o.Target].Name, func() { l.nodes[o.Target].WakeUp(nil) },
			func() { m.Wake(o.Target) })
	case refmodel.OpAddChild:
		// Adding to a work that is not running, or to a Work failing with
		// children left to abort, is the misuse ROBUSTNESS.md lists: skip.
		if !m.AddIsSafe(o.Target) {
			return nil
		}
		if o.Adopt {
			// Only a finished work can be started again; and a work
			// started again while a parent of it still holds it is cranked
			// by both (as in C++): fuzzing only.
			if r.guarded || !m.Done(o.Child) || o.Child == o.Target {
				return nil
			}
			r.tainted = true
		}
		var got, want bool
		err := r.both("add-child", func() {
			got = l.nodes[o.Target].(*tree).AddWork(l.nodes[o.Child]) == nil
		}, func() { want = m.AddChild(o.Target, o.Child) })
		if err == nil && got != want {
			err = fmt.Errorf("add-child to %s: library accepted=%v, model=%v", r.cs.Nodes[o.Target].Name, got, want)
		}
		return err
	case refmodel.OpShutdown:
		return r.both("shutdown", l.ws.Shutdown, m.Shutdown)
	case refmodel.OpShutdownWork:
		if !m.ShutdownIsSafe(o.Target) {
			return nil
		}
		// A sequence or conditional work reports its child's state: an
		// aborted child would be an illegal transition for it.
		if p := r.parent[o.Target]; p >= 0 && (r.cs.Nodes[p].Kind == refmodel.Seq || r.cs.Nodes[p].Kind == refmodel.Cond) {
			if r.guarded {
				return nil
			}
			r.tainted = true
		}
		r.shutdownInner = true
		return r.both("shutdown "+r.cs.Nodes[o.Target].Name, l.nodes[o.Target].Shutdown,
			func() { m.ShutdownWork(o.Target) })
	case refmodel.OpAdvance:
		return r.both("advance", func() { l.clock.SleepFor(o.D) }, func() { m.Advance(o.D) })
	}
	return fmt.Errorf("unknown op %v", o.Kind)
}

// crank runs one crank on both sides and compares them.
func (r *runner) crank() (int, error) {
	var lp, mp int
	onLib := func() {
		if r.l.inj != nil {
			r.l.inj.crank++
		}
		r.l.cranking = true
		defer func() { r.l.cranking = false }()
		lp = r.l.clock.Crank(false)
	}
	if err := r.both("crank", onLib, func() { mp = r.m.Crank() }); err != nil {
		return 0, err
	}
	r.stats.cranks++
	if err := r.compare(); err != nil {
		return 0, err
	}
	if lp != mp {
		return 0, fmt.Errorf("progress: library %d, model %d", lp, mp)
	}
	return lp, nil
}

// compare checks the invariants and compares the two sides.
func (r *runner) compare() error {
	l, m := r.l, r.m
	if len(l.problems) > 0 {
		return fmt.Errorf("invariant: %s", strings.Join(l.problems, "; "))
	}
	// Adopting a finished work in another parent (unguarded runs only)
	// changes its real parent; otherwise every registration is checked.
	if r.guarded {
		if err := r.checkParents(); err != nil {
			return fmt.Errorf("parents: %w", err)
		}
	}
	if ll, ml := l.takeLog(), m.TakeLog(); !slices.Equal(ll, ml) {
		return fmt.Errorf("transitions differ:\nlibrary: %q\nmodel:   %q", ll, ml)
	}
	if got, want := l.clock.Elapsed(), m.Now(); got != want {
		return fmt.Errorf("virtual time: library %v, model %v", got, want)
	}
	if got, want := l.clock.PendingTimers(), m.PendingTimers(); got != want {
		return fmt.Errorf("pending timers: library %d, model %d", got, want)
	}
	lt, lok := vclockhook.Next(l.clock)
	mt, mok := m.Next()
	if lok != mok || (lok && lt.Sub(l.clock.Epoch()) != mt) {
		return fmt.Errorf("next event: library %v %v, model %v %v", lt.Sub(l.clock.Epoch()), lok, mt, mok)
	}
	if got, want := baseOf(l.ws).InternalState().String(), m.SchedulerState(); got != want {
		return fmt.Errorf("work-scheduler: library %s, model %s", got, want)
	}
	for i, w := range l.nodes {
		if got, want := baseOf(w).InternalState().String(), m.State(i); got != want {
			return fmt.Errorf("%s: library %s, model %s", w.Name(), got, want)
		}
	}
	check := func(i int, d doneCounter) error {
		n := d.DoneChildren()
		if prev, ok := r.done[i]; ok && n < prev {
			return fmt.Errorf("done children of node %d went down from %d to %d", i, prev, n)
		}
		r.done[i] = n
		if want := m.DoneChildren(i); n != want {
			return fmt.Errorf("done children of node %d: library %d, model %d", i, n, want)
		}
		return nil
	}
	if err := check(-1, l.ws); err != nil {
		return err
	}
	for i, w := range l.nodes {
		if d, ok := w.(doneCounter); ok {
			if err := check(i, d); err != nil {
				return err
			}
		}
	}
	if l.ws.State() == basicwork.Aborted && !r.tainted {
		if err := l.quiet(); err != nil {
			return fmt.Errorf("after the scheduler aborted: %w", err)
		}
	}
	return nil
}

// quiet checks that nothing runs and nothing is armed or posted.
func (l *lib) quiet() error {
	for _, w := range l.nodes {
		switch st := baseOf(w).InternalState(); st {
		case basicwork.InternalPending, basicwork.InternalSuccess, basicwork.InternalFailure, basicwork.InternalAborted:
		default:
			return fmt.Errorf("%s is %s", w.Name(), st)
		}
	}
	if n := l.clock.PendingTimers(); n != 0 {
		return fmt.Errorf("%d timers armed", n)
	}
	if n := l.clock.ActionQueueSize(); n != 0 {
		return fmt.Errorf("%d actions posted", n)
	}
	return nil
}

// abortBound bounds the cranks from a shutdown to ABORTED. Each crank of
// the scheduler passes one crank down to one aborting work. A leaf needs
// its abort steps and one more; a work with children cranks each aborting
// child in turn, round after round, and each round ends with a crank that
// finds no child to crank, so it needs at most twice its children's cranks
// and one more; a sequence or conditional work, its one running work's and
// one more.
func abortBound(cs *refmodel.Case) int {
	kids := make([][]int, len(cs.Nodes))
	var tops []int
	for i, n := range cs.Nodes {
		kids[i] = append(kids[i], n.Children...)
	}
	adopted := 0
	for _, o := range cs.Ops {
		switch o.Kind {
		case refmodel.OpAddChild:
			if o.Adopt {
				adopted++ // counted where it was first, then doubled below
				continue
			}
			kids[o.Target] = append(kids[o.Target], o.Child)
		case refmodel.OpSchedule:
			tops = append(tops, o.Target)
		}
	}
	var cost func(i int) int
	cost = func(i int) int {
		n := cs.Nodes[i]
		sum, most := 0, 0
		for _, k := range kids[i] {
			c := cost(k)
			sum += c
			most = max(most, c)
		}
		switch n.Kind {
		case refmodel.Leaf:
			return n.AbortSteps + 2
		case refmodel.Seq, refmodel.Cond:
			return most + 2
		}
		return 2*sum + 2
	}
	sum := 0
	for _, t := range tops {
		sum += cost(t)
	}
	return (2*sum + 8) << adopted
}

// run drives the case: the operations at their steps, cranks up to the
// budget (or until nothing is left to do), then a shutdown and the cranks
// to ABORTED, comparing the sides after each crank and the final counts.
func (r *runner) run() (err error) {
	defer func() {
		if errors.Is(err, errEnded) {
			err = nil
		}
	}()
	r.l = newLib(r.cs)
	r.l.inj = r.inj
	r.m = refmodel.New(r.cs)
	if err := r.compare(); err != nil {
		return fmt.Errorf("creation: %w", err)
	}
	ops := r.cs.Ops
	for step := 0; step < r.cs.Steps; step++ {
		for len(ops) > 0 && ops[0].Step <= step {
			if err := r.op(ops[0]); err != nil {
				return fmt.Errorf("step %d, op %s: %w", step, ops[0].Kind, err)
			}
			ops = ops[1:]
		}
		p, err := r.crank()
		if errors.Is(err, errInjected) {
			return r.afterPanic()
		}
		if err != nil {
			return fmt.Errorf("crank %d: %w", step+1, err)
		}
		if p == 0 && len(ops) == 0 {
			break
		}
	}
	if err := r.op(refmodel.Op{Kind: refmodel.OpShutdown}); err != nil {
		return fmt.Errorf("final shutdown: %w", err)
	}
	bound := abortBound(r.cs)
	for n := 0; r.l.ws.State() != basicwork.Aborted; n++ {
		if n >= bound {
			return fmt.Errorf("the scheduler is %s %d cranks after the shutdown", baseOf(r.l.ws).InternalState(), bound)
		}
		_, err := r.crank()
		if errors.Is(err, errInjected) {
			return r.afterPanic()
		}
		if err != nil {
			return fmt.Errorf("abort crank %d: %w", n+1, err)
		}
	}
	if !r.tainted {
		if err := r.l.quiet(); err != nil {
			return fmt.Errorf("after the scheduler aborted: %w", err)
		}
	}
	r.stats.final = map[string]int{}
	for i := range r.cs.Nodes {
		if got, want := r.l.cnt[i], r.m.Counts(i); got != want {
			return fmt.Errorf("counts of %s: library %+v, model %+v", r.cs.Nodes[i].Name, got, want)
		}
		r.stats.final[r.m.State(i)]++
	}
	return nil
}

// runCase runs a case and describes the case with any error.
func runCase(cs *refmodel.Case, guarded bool) (caseStats, error) {
	r := newRunner(cs, guarded)
	if err := r.run(); err != nil {
		return r.stats, fmt.Errorf("%w\ncase:\n%s", err, cs)
	}
	return r.stats, nil
}

// durations used by the generators.
var (
	waitDelays    = []time.Duration{0, time.Millisecond, 10 * time.Millisecond, time.Second, -time.Millisecond}
	sleepDelays   = []time.Duration{0, time.Millisecond, 100 * time.Millisecond, -5 * time.Millisecond}
	advanceDelays = []time.Duration{0, time.Millisecond, 50 * time.Millisecond, 2 * time.Second, 600 * time.Second}
)
