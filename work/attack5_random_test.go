package work_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

// The applications a work may be Init'ed with: the scheduler's App itself,
// an application that embeds it through a pointer, one with an EnvCache of
// its own at a non-zero offset, one passed by value.
type a5Ext struct{ *scheduler.App }
type a5OwnCache struct {
	_ [5]int
	basicwork.EnvCache
	*scheduler.App
}
type a5ValApp struct {
	*scheduler.App
	_ int
}

func (w *a5World) pickApp() basicwork.Application {
	switch w.r.IntN(8) {
	case 0:
		return w.ext
	case 1:
		return w.own
	case 2:
		return a5ValApp{App: w.app}
	}
	return w.app
}

// a5World is one random run: its works, its driver's random source and the
// event log.
type a5World struct {
	r          *rand.Rand
	app        *scheduler.App
	ext        *a5Ext
	own        *a5OwnCache
	clock      *vclock.Clock
	log        strings.Builder
	n          int
	all        []basicwork.Work
	groups     []a5Composite
	events     int
	panicEvery int
	chaos      int
}

// a5Composite is what the runs ask of their Works and BatchWorks.
type a5Composite interface {
	basicwork.Work
	InternalState() basicwork.InternalState
	AddWork(basicwork.Work) error
	AddWorkWithCallback(func(), basicwork.Work) error
	AnyChildRunning() bool
	AllChildrenDone() bool
	AllChildrenSuccessful() bool
	AnyChildRaiseFailure() bool
	HasChildren() bool
	Children() []basicwork.Work
	CheckChildrenStatus() basicwork.State
	Status() string
}

// a5HasChild reports whether g holds c.
func a5HasChild(g a5Composite, c basicwork.Work) bool {
	for _, k := range g.Children() {
		if k == c {
			return true
		}
	}
	return false
}

// a5State is c's internal state.
func a5State(c basicwork.Work) basicwork.InternalState {
	return c.(interface {
		InternalState() basicwork.InternalState
	}).InternalState()
}

func (w *a5World) logf(format string, args ...any) {
	fmt.Fprintf(&w.log, format, args...)
	w.log.WriteByte('\n')
}

// a5Cause is the failure cause a leaf records (op -3); errors.Is and
// errors.As on its ResultError, and its parents', must reach it.
type a5Cause struct{ id string }

func (e *a5Cause) Error() string { return "cause " + e.id }

// errA5 is what a5Cause is (errors.Is).
var errA5 = errors.New("a5 sentinel")

func (e *a5Cause) Is(t error) bool { return t == errA5 }

// a5Leaf runs a script, one op per crank: >0 waits that many ms on its
// waiting timer, 0 steps, -1 (and the script's end) succeeds, -2 fails,
// -3 fails with a cause, -4 shuts itself down from OnRun, -5 panics in
// OnRun. Its OnAbort completes on the second call, or the first if its
// script's length is even. panicHook names a hook of a5Hooked's that
// panics.
type a5Leaf struct {
	basicwork.BasicWork
	w         *a5World
	script    []int
	pos       int
	aborts    int
	panicHook string
}

func (l *a5Leaf) run(b *basicwork.BasicWork) basicwork.State {
	op := -1
	if l.pos < len(l.script) {
		op = l.script[l.pos]
	}
	l.pos++
	l.w.logf("run %s op %d", b.Name(), op)
	switch {
	case op > 0:
		b.SetupWaitingCallback(time.Duration(op) * time.Millisecond)
		return basicwork.Waiting
	case op == 0:
		return basicwork.Running
	case op == -2:
		return basicwork.Failure
	case op == -3:
		b.SetFailureCause(&a5Cause{b.Name()})
		return basicwork.Failure
	case op == -4:
		b.Shutdown()
		return basicwork.Running
	case op == -5:
		panic("onrun panic " + b.Name())
	}
	return basicwork.Success
}

func (l *a5Leaf) OnRun() basicwork.State { return l.run(&l.BasicWork) }
func (l *a5Leaf) OnAbort() bool {
	l.aborts++
	l.w.logf("abort %s %d", l.Name(), l.aborts)
	return l.aborts%2 == 0 || len(l.script)%2 == 0
}

// a5Hooked overrides every hook.
type a5Hooked struct {
	a5Leaf
	calls []string // the hooks called since the last transition
}

// a5HooksOf is the hooks of its own an a5Hooked must have had called
// before each transition, in order (BasicWork's doneHooks, the reset of a
// start, a wake-up through the outer WakeUp); none for the others.
func a5HooksOf(from, to basicwork.InternalState) string {
	switch {
	case to == basicwork.InternalSuccess:
		return "OnSuccess"
	case to == basicwork.InternalFailure:
		return "OnFailureRaise OnReset"
	case to == basicwork.InternalRetrying:
		return "OnFailureRetry OnReset"
	case to == basicwork.InternalAborted:
		return "OnReset"
	case from == basicwork.InternalPending && to == basicwork.InternalRunning:
		return "OnReset"
	case from == basicwork.InternalWaiting && to == basicwork.InternalRunning:
		return "WakeUp"
	}
	return ""
}

func (h *a5Hooked) hook(name string) {
	h.calls = append(h.calls, name)
	h.w.logf("hook %s %s", name, h.Name())
	if h.panicHook == name {
		panic("hook panic " + name + " " + h.Name())
	}
}
func (h *a5Hooked) OnSuccess()      { h.hook("OnSuccess") }
func (h *a5Hooked) OnReset()        { h.pos = 0; h.hook("OnReset") }
func (h *a5Hooked) OnFailureRetry() { h.hook("OnFailureRetry") }
func (h *a5Hooked) OnFailureRaise() { h.hook("OnFailureRaise") }
func (h *a5Hooked) WakeUp(inner func()) {
	h.hook("WakeUp")
	h.a5Leaf.BasicWork.WakeUp(inner)
}

// a5Offset holds its BasicWork at a non-zero offset.
type a5Offset struct {
	_ [3]int
	_ string
	basicwork.BasicWork
	l *a5Leaf
}

func (o *a5Offset) OnRun() basicwork.State { return o.l.run(&o.BasicWork) }
func (o *a5Offset) OnAbort() bool          { return true }
func (o *a5Offset) OnReset()               { o.l.pos = 0 }

// a5Deep embeds a5Leaf two levels down, after other fields.
type a5Mid struct {
	_ int
	a5Leaf
}
type a5Deep struct {
	_ [2]int
	a5Mid
}

func (d *a5Deep) OnSuccess() { d.w.logf("deep success %s", d.Name()) }

// a5Ptr holds its BasicWork through a pointer.
type a5Ptr struct {
	_ int
	*basicwork.BasicWork
	l *a5Leaf
}

func (p *a5Ptr) OnRun() basicwork.State { return p.l.run(p.BasicWork) }
func (p *a5Ptr) OnAbort() bool          { return true }

// a5Gen is a generic wrapper whose middle level overrides OnReset.
type a5GenMid struct{ a5Leaf }

func (m *a5GenMid) OnReset() { m.pos = 0; m.w.logf("genmid reset %s", m.Name()) }

type a5Gen[T any] struct {
	_ T
	a5GenMid
}

// a5Group is a Work whose DoWork adds planned children.
type a5Group struct {
	work.Work
	w    *a5World
	plan int
	wide int
}

// a5HookedGroup overrides the hooks a Work leaves open.
type a5HookedGroup struct{ a5Group }

func (g *a5HookedGroup) OnSuccess()      { g.w.logf("group success %s", g.Name()) }
func (g *a5HookedGroup) OnFailureRaise() { g.w.logf("group raise %s", g.Name()) }
func (g *a5HookedGroup) OnFailureRetry() { g.w.logf("group retry %s", g.Name()) }
func (g *a5HookedGroup) WakeUp(inner func()) {
	g.w.logf("group wakeup %s", g.Name())
	g.Work.WakeUp(inner)
}

func (g *a5Group) DoWork() basicwork.State {
	g.w.logf("dowork %s plan %d", g.Name(), g.plan)
	if g.wide > 0 {
		for i := range g.wide {
			l := &a5Leaf{w: g.w, script: g.w.script()}
			l.Init(g.w.pickApp(), fmt.Sprintf("%s.x%d", g.Name(), i), 0, l)
			g.w.all = append(g.w.all, l)
			if err := g.AddWork(l); err != nil {
				g.w.logf("dowork add err %v", err)
			}
		}
		g.wide = 0
		return basicwork.Running
	}
	if g.plan > 0 && g.w.r.IntN(2) == 0 {
		g.plan--
		c := g.w.newWork(g.Name(), 1)
		if err := g.AddWork(c); err != nil {
			g.w.logf("dowork add err %v", err)
		}
		return basicwork.Running
	}
	st := g.CheckChildrenStatus()
	if st == basicwork.Success && g.plan > 0 {
		return basicwork.Running
	}
	if st == basicwork.Waiting && !g.HasChildren() {
		return basicwork.Running
	}
	return st
}

func (g *a5Group) DoReset() { g.w.logf("doreset %s", g.Name()) }

// a5Batch yields leaves.
type a5Batch struct {
	batchwork.BatchWork
	w     *a5World
	made  []basicwork.Work
	total int
	i     int
}

func (b *a5Batch) HasNext() bool { return b.i < b.total }
func (b *a5Batch) YieldMoreWork() basicwork.Work {
	b.i++
	if b.i <= len(b.made) {
		return b.made[b.i-1]
	}
	c := b.w.newLeaf(fmt.Sprintf("%s.%d", b.Name(), b.w.r.IntN(40)))
	b.made = append(b.made, c)
	return c
}
func (b *a5Batch) ResetIter() {
	b.w.logf("resetiter %s", b.Name())
	b.i = 0
	b.made = nil
}

func (w *a5World) script() []int {
	n := w.r.IntN(6)
	s := make([]int, n)
	for i := range s {
		switch k := w.r.IntN(20); {
		case k < 6:
			s[i] = 0
		case k < 11:
			s[i] = 1 + w.r.IntN(5)
		case k < 13:
			s[i] = -2
		case k < 15:
			s[i] = -3
		case k < 16:
			s[i] = -4
		case k < 17:
			s[i] = -5
		default:
			s[i] = -1
		}
	}
	return s
}

var a5Hooks = []string{"", "", "", "OnSuccess", "OnReset", "OnFailureRetry", "OnFailureRaise", "WakeUp"}

func (w *a5World) retries() int { return []int{0, 0, 0, 1, 2}[w.r.IntN(5)] }

func (w *a5World) newLeaf(name string) basicwork.Work {
	var c basicwork.Work
	switch w.r.IntN(7) {
	case 5:
		p := &a5Ptr{BasicWork: &basicwork.BasicWork{}, l: &a5Leaf{w: w, script: w.script()}}
		p.Init(w.pickApp(), name, w.retries(), p)
		c = p
	case 6:
		g := &a5Gen[string]{}
		g.w, g.script = w, w.script()
		g.Init(w.pickApp(), name, w.retries(), g)
		c = g
	case 0, 1:
		l := &a5Leaf{w: w, script: w.script()}
		l.Init(w.pickApp(), name, w.retries(), l)
		c = l
	case 2:
		h := &a5Hooked{a5Leaf: a5Leaf{w: w, script: w.script(), panicHook: a5Hooks[w.r.IntN(len(a5Hooks))]}}
		h.Init(w.pickApp(), name, w.retries(), h)
		c = h
	case 3:
		o := &a5Offset{l: &a5Leaf{w: w, script: w.script()}}
		o.Init(w.pickApp(), name, w.retries(), o)
		c = o
	default:
		d := &a5Deep{}
		d.w, d.script = w, w.script()
		d.Init(w.pickApp(), name, w.retries(), d)
		c = d
	}
	w.all = append(w.all, c)
	return c
}

// keep keeps c, a composite of the run, Init'ed.
func (w *a5World) keep(c a5Composite) basicwork.Work {
	w.all = append(w.all, c)
	w.groups = append(w.groups, c)
	return c
}

func (w *a5World) newWork(parent string, depth int) basicwork.Work {
	w.n++
	name := fmt.Sprintf("%s.w%d", parent, w.n)
	if depth < 3 {
		switch w.r.IntN(10) {
		case 0:
			g := &a5Group{w: w, plan: w.r.IntN(4)}
			g.Init(w.pickApp(), name, w.retries(), g)
			return w.keep(g)
		case 1:
			b := &a5Batch{w: w, total: w.r.IntN(14)}
			b.Init(w.pickApp(), name, w.retries(), b)
			return w.keep(b)
		case 2:
			g := &a5HookedGroup{a5Group{w: w, plan: w.r.IntN(3)}}
			g.Init(w.pickApp(), name, w.retries(), g)
			return w.keep(g)
		case 3:
			var kids []basicwork.Work
			for i := range w.r.IntN(4) {
				kids = append(kids, w.newWork(fmt.Sprintf("%s.s%d", name, i), depth+1))
			}
			s, err := worksequence.New(w.pickApp(), name, kids, worksequence.WithMaxRetries(w.retries()),
				worksequence.WithStopAtFirstFailure(w.r.IntN(2) == 0))
			if err != nil {
				panic(err)
			}
			w.all = append(w.all, s)
			return s
		case 4:
			if w.r.IntN(4) == 0 {
				g := &a5Group{w: w, wide: 64 + w.r.IntN(20)}
				g.Init(w.pickApp(), name, w.retries(), g)
				return w.keep(g)
			}
		}
	}
	return w.newLeaf(name)
}

func (w *a5World) protect(what string, f func()) {
	defer func() {
		if p := recover(); p != nil {
			w.logf("panic in %s: %v", what, p)
		}
	}()
	f()
}

// snapshot logs every composite's counts and checks them against a scan.
func (w *a5World) snapshot() {
	for _, g := range w.groups {
		if g.InternalState() == basicwork.InternalPending && !g.HasChildren() {
			continue
		}
		var running, done, ok, failed int
		kids := g.Children()
		for _, c := range kids {
			switch c.State() {
			case basicwork.Running:
				running++
			case basicwork.Success:
				ok++
				done++
			case basicwork.Failure:
				failed++
				done++
			case basicwork.Aborted:
				done++
			}
		}
		scan := fmt.Sprintf("%v %v %v %v", running > 0, done == len(kids), ok == len(kids), failed > 0)
		cnt := fmt.Sprintf("%v %v %v %v", g.AnyChildRunning(), g.AllChildrenDone(), g.AllChildrenSuccessful(), g.AnyChildRaiseFailure())
		extra := ""
		if b, isBatch := g.(*a5Batch); isBatch {
			extra = fmt.Sprintf(" batch=%d", b.NumWorksInBatch())
		}
		w.logf("  %s [%s] kids=%d %s%s", basicwork.PathOf(g), g.Status(), len(kids), cnt, extra)
		if scan != cnt {
			w.logf("  COUNT MISMATCH %s scan %s counts %s", g.Name(), scan, cnt)
		}
	}
}

// a5Work is what every composite of the runs embeds.
type a5Work interface{ a5WorkOf() *work.Work }

func (g *a5Group) a5WorkOf() *work.Work { return &g.Work }
func (b *a5Batch) a5WorkOf() *work.Work { return &b.Work }

func a5RunMode(seed uint64, logging, fullScan bool) string {
	w := &a5World{r: rand.New(rand.NewPCG(seed, 7))}
	w.panicEvery = 5 + w.r.IntN(40)
	if w.r.IntN(2) == 0 {
		w.chaos = 7 + w.r.IntN(30)
	}
	w.clock = vclock.New(vclock.VirtualTime)
	listen := func(e basicwork.TransitionEvent) {
		w.events++
		if h, ok := e.Work.(*a5Hooked); ok {
			if got, want := strings.Join(h.calls, " "), a5HooksOf(e.From, e.To); got != want {
				w.logf("HOOK MISMATCH %s %v->%v: called %q, want %q", h.Name(), e.From, e.To, got, want)
			}
			h.calls = nil
		}
		if g, ok := e.Work.(a5Work); ok && fullScan && e.To == basicwork.InternalRunning {
			work.ForceFullScan(g.a5WorkOf())
		}
		w.logf("T %s %v->%v r%d/%d @%d", basicwork.PathOf(e.Work), e.From, e.To, e.Retries, e.MaxRetries, e.At.Milliseconds())
		if w.events%w.panicEvery == 0 {
			panic(fmt.Sprintf("listener panic %d", w.events))
		}
		if w.chaos > 0 && w.events%w.chaos == 0 && !e.Work.IsDone() && e.To != basicwork.InternalPending {
			w.logf("listener shuts %s down", e.Work.Name())
			e.Work.Shutdown()
		}
		if w.chaos > 0 && w.events%(w.chaos+1) == 0 && e.From == basicwork.InternalPending {
			// The parent of a work being started (being added, mostly).
			for _, g := range w.groups {
				if a5HasChild(g, e.Work) && !g.IsDone() && a5State(g) != basicwork.InternalPending {
					w.logf("listener shuts %s, the parent of %s, down", g.Name(), e.Work.Name())
					g.Shutdown()
					break
				}
			}
		}
		if w.chaos > 0 && w.events%(w.chaos+3) == 0 && len(w.groups) > 0 {
			g := w.groups[w.events%len(w.groups)]
			if !g.IsDone() && !g.IsAborting() && a5State(g) != basicwork.InternalPending {
				c := w.newLeaf(fmt.Sprintf("%s.l%d", g.Name(), w.events))
				w.logf("listener adds %s to %s", c.Name(), g.Name())
				if err := g.AddWork(c); err != nil {
					w.logf("listener add err %v", err)
				}
			}
		}
	}
	opts := []scheduler.Option{scheduler.WithTransitionListener(listen), scheduler.WithRand(basicwork.LowerBound{}),
		scheduler.WithConfig(basicwork.Config{MaxConcurrentSubprocesses: 1 + w.r.IntN(3)})}
	var logs *observer.ObservedLogs
	if logging {
		var core zapcore.Core
		core, logs = observer.New(basicwork.TraceLevel)
		opts = append(opts, scheduler.WithLogger(zap.New(core)))
	}
	w.app = scheduler.NewApp(w.clock, opts...)
	w.ext = &a5Ext{w.app}
	w.own = &a5OwnCache{App: w.app}
	root := &a5Group{w: w, plan: 0}
	root.Init(w.app, "root", basicwork.RetryNever, root)
	w.groups = append(w.groups, root)
	w.protect("schedule", func() { w.app.WorkScheduler().ScheduleWork(root) })
	for step := 0; step < 400; step++ {
		live := []a5Composite{}
		for _, g := range w.groups {
			if !g.IsDone() && !g.IsAborting() && !g.AnyChildRaiseFailure() {
				live = append(live, g)
			}
		}
		switch k := w.r.IntN(12); {
		case k < 2 && len(live) > 0:
			g := live[w.r.IntN(len(live))]
			c := w.newWork(g.Name(), 1)
			w.logf("driver add %s to %s", c.Name(), g.Name())
			w.protect("add", func() {
				var err error
				if w.r.IntN(2) == 0 {
					name := c.Name()
					err = g.AddWorkWithCallback(func() { w.logf("cb %s", name) }, c)
				} else {
					err = g.AddWork(c)
				}
				if err != nil {
					w.logf("add err %v", err)
				}
			})
		case k == 2 && len(live) > 0 && len(w.all) > 0:
			g := live[w.r.IntN(len(live))]
			c := w.all[w.r.IntN(len(w.all))]
			w.logf("driver readd %s (%v) to %s", c.Name(), a5State(c), g.Name())
			w.protect("readd", func() {
				if err := g.AddWork(c); err != nil {
					w.logf("add err %v", err)
				}
			})
		case k == 3 && len(w.all) > 0 && w.r.IntN(3) == 0:
			c := w.all[w.r.IntN(len(w.all))]
			w.logf("driver shutdown %s (%v)", c.Name(), a5State(c))
			w.protect("shutdown", func() {
				if a5State(c) != basicwork.InternalPending {
					c.Shutdown()
				}
			})
		case k == 5 && w.r.IntN(4) == 0:
			n := w.r.IntN(4)
			w.logf("driver bandwidth %d", n)
			w.app.Config().MaxConcurrentSubprocesses = n
		case k == 4:
			for range 30 {
				w.protect("crank", func() { w.clock.Crank(false) })
			}
		default:
			w.protect("crank", func() { w.clock.Crank(false) })
		}
		w.snapshot()
		if root.IsDone() {
			break
		}
	}
	w.protect("shutdown all", func() { w.app.WorkScheduler().Shutdown() })
	for i := 0; i < 200; i++ {
		n := 0
		w.protect("drain", func() { n = w.clock.Crank(false) })
		if n == 0 {
			break
		}
	}
	w.logf("end root %s t=%d", root.Status(), w.clock.Elapsed().Milliseconds())
	for _, c := range w.all {
		var err error
		if c.State() == basicwork.Failure {
			err = basicwork.ResultError(c)
		}
		var ce *a5Cause
		w.logf("final %s %v %v is=%v as=%v", c.Name(), a5State(c), err, errors.Is(err, errA5), errors.As(err, &ce))
	}
	if logs != nil {
		for _, e := range logs.All() {
			w.logf("L %v %s", e.Level, e.Message)
		}
	}
	return w.log.String()
}

// TestAttack5RandomTreesFastPathsMatchGeneralPaths plays random trees
// (leaves of every shape: hooks of their own that may panic, a BasicWork
// at a non-zero offset, through a pointer, several levels down, in a
// generic type; Works, BatchWorks and WorkSequences inside each other;
// retries with timers, failures with causes, shutdowns from OnRun, from
// the driver and from a transition listener, which also adds children and
// panics now and then; children re-added, taken over, added twice;
// applications of four shapes; the batch's bandwidth changed under way)
// three ways, and requires the same event log from each: the fast paths
// (logging off), the general paths (a logger at TRACE turns StartWork's,
// AddWork's and the plain moves' fast paths off: its lines are left out of
// the comparison), and the walk's full scan of the C++ instead of the
// active-child bitmap. After every step of the driver each composite's
// counts (AnyChildRunning and the others) must match a scan of its
// children. The same log was compared, seed by seed, with the tree before
// the fast paths (main at 5bdd568) on 2,000 seeds.
func TestAttack5RandomTreesFastPathsMatchGeneralPaths(t *testing.T) {
	seeds := uint64(30)
	if testing.Short() {
		seeds = 10
	}
	for seed := range seeds {
		fast := a5RunMode(seed, false, false)
		for _, bad := range []string{"COUNT MISMATCH", "HOOK MISMATCH"} {
			if i := strings.Index(fast, bad); i >= 0 {
				t.Fatalf("seed %d: %s", seed, fast[i:i+strings.IndexByte(fast[i:], '\n')])
			}
		}
		var general []string
		for _, l := range strings.Split(a5RunMode(seed, true, false), "\n") {
			if !strings.HasPrefix(l, "L ") {
				general = append(general, l)
			}
		}
		if g := strings.Join(general, "\n"); g != fast {
			t.Fatalf("seed %d: the fast paths and the general paths differ:\n%s", seed, a5FirstDiff(fast, g))
		}
		if slow := a5RunMode(seed, false, true); slow != fast {
			t.Fatalf("seed %d: the bitmap's walk and the full scan differ:\n%s", seed, a5FirstDiff(fast, slow))
		}
	}
}

// a5FirstDiff returns the lines around the first line where a and b differ.
func a5FirstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		if i >= len(la) || i >= len(lb) || la[i] != lb[i] {
			from := max(0, i-5)
			return fmt.Sprintf("%s\n<<< %s\n>>> %s", strings.Join(la[from:i], "\n"), a5At(la, i), a5At(lb, i))
		}
	}
	return ""
}

func a5At(l []string, i int) string {
	if i < len(l) {
		return l[i]
	}
	return "(end)"
}
