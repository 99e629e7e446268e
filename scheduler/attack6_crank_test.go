package scheduler_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// a6World is one random run of the crank machinery: a WorkScheduler
// cranking a tree of works, actions posted around it (some panic, post
// again, arm timers, advance the virtual clock or shut it down), and a log
// of everything observable: each crank's progress and panic, the actions
// in the order they ran, the transitions, the clock's time and queue size.
type a6World struct {
	r      *rand.Rand
	clock  *vclock.Clock
	app    *scheduler.App
	app2   *scheduler.App // a second application on the same clock
	log    strings.Builder
	n      int
	timers []*vclock.Timer
}

func (w *a6World) logf(format string, args ...any) {
	fmt.Fprintf(&w.log, format, args...)
	w.log.WriteByte('\n')
}

// a6Leaf runs a script of steps drawn when it starts.
type a6Leaf struct {
	basicwork.BasicWork
	w      *a6World
	script []int
	pos    int
}

func (l *a6Leaf) OnRun() basicwork.State {
	if l.pos >= len(l.script) {
		return basicwork.Success
	}
	s := l.script[l.pos]
	l.pos++
	switch s {
	case 0:
		return basicwork.Running
	case 1:
		l.SetupWaitingCallback(time.Duration(1+l.pos) * time.Millisecond)
		return basicwork.Waiting
	case 2:
		return basicwork.Failure
	case 3:
		panic("leaf panic " + l.Name())
	case 4:
		// Posts an action from inside the crank.
		name := l.Name()
		l.w.clock.PostAction(func() { l.w.logf("A from %s", name) }, "leafq", vclock.NormalAction)
		return basicwork.Running
	}
	return basicwork.Success
}

func (l *a6Leaf) OnAbort() bool { return true }
func (l *a6Leaf) OnReset()      { l.pos = 0 }

type a6Group struct {
	work.Work
	w     *a6World
	adds  int
	first int
}

func (g *a6Group) DoWork() basicwork.State {
	for ; g.first > 0; g.first-- {
		g.w.n++
		_ = g.AddWork(g.w.newLeaf(fmt.Sprintf("%s.k%d", g.Name(), g.w.n)))
	}
	if g.adds > 0 && g.w.r.IntN(3) == 0 {
		g.adds--
		g.w.n++
		_ = g.AddWork(g.w.newLeaf(fmt.Sprintf("%s.c%d", g.Name(), g.w.n)))
		return basicwork.Running
	}
	return g.CheckChildrenStatus()
}

func (w *a6World) newLeaf(name string) *a6Leaf {
	l := &a6Leaf{w: w}
	for range w.r.IntN(6) {
		l.script = append(l.script, []int{0, 0, 0, 1, 1, 2, 3, 4, 5}[w.r.IntN(9)])
	}
	retries := []int{0, 0, 1}[w.r.IntN(3)]
	app := w.app
	if w.r.IntN(3) == 0 {
		app = w.app2
	}
	l.Init(app, name, retries, l)
	return l
}

func (w *a6World) newGroup(name string) *a6Group {
	g := &a6Group{w: w, adds: w.r.IntN(5), first: 1 + w.r.IntN(4)}
	app := w.app
	if w.r.IntN(3) == 0 {
		app = w.app2
	}
	g.Init(app, name, basicwork.RetryNever, g)
	return g
}

// protect runs f, logging a panic out of it, which it recovers.
func (w *a6World) protect(what string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			if e, ok := v.(error); ok && errors.Is(e, vclock.ErrCrankMisuse) {
				w.logf("CRANK MISUSE after %s", what)
				return
			}
			w.logf("panic in %s: %v", what, v)
		}
	}()
	f()
}

// action returns a random action named id.
func (w *a6World) action(id string, depth int) func() {
	k := w.r.IntN(14)
	d := time.Duration(w.r.IntN(5)) * time.Millisecond
	sub := ""
	var next func()
	if depth < 3 {
		sub = fmt.Sprintf("%s.%d", id, w.r.IntN(100))
		next = w.action(sub, depth+1)
	}
	return func() {
		w.logf("A %s t=%d q=%d", id, w.clock.Elapsed().Microseconds(), w.clock.ActionQueueSize())
		switch {
		case k < 2:
			panic("action panic " + id)
		case k < 4 && next != nil:
			w.clock.PostAction(next, []string{"a", "b", "c"}[k%3], vclock.ActionType(k%2))
		case k == 4 && next != nil:
			t := vclock.NewTimer(w.clock)
			t.ExpiresFromNow(d)
			t.AsyncWait(func(err error) {
				w.logf("T %s err=%v", sub, err)
				if err == nil {
					next()
				}
			})
			w.timers = append(w.timers, t)
		case k == 5:
			w.clock.SleepFor(d)
		case k == 6 && w.r.IntN(30) == 0:
			w.logf("clock shutdown in %s", id)
			w.clock.Shutdown()
		case k == 7:
			g := w.newGroup("g" + id)
			[]*scheduler.App{w.app, w.app2}[w.r.IntN(2)].WorkScheduler().ScheduleWork(g)
		case k == 8 && next != nil:
			w.clock.PostAction(next, "a", vclock.NormalAction)
			panic("action panic after post " + id)
		}
	}
}

func a6Run(seed uint64) string {
	w := &a6World{r: rand.New(rand.NewPCG(seed, 66))}
	w.clock = vclock.New(vclock.VirtualTime)
	listen := func(e basicwork.TransitionEvent) {
		w.logf("S %s %v->%v", e.Work.Name(), e.From, e.To)
	}
	w.app = scheduler.NewApp(w.clock, scheduler.WithTransitionListener(listen), scheduler.WithRand(basicwork.LowerBound{}))
	w.app2 = scheduler.NewApp(w.clock, scheduler.WithTransitionListener(listen), scheduler.WithRand(basicwork.LowerBound{}))
	ws := w.app.WorkScheduler()
	ws2 := w.app2.WorkScheduler()
	w.protect("schedule", func() { ws.ScheduleWork(w.newGroup("root")) })
	for step := 0; step < 300; step++ {
		switch k := w.r.IntN(10); {
		case k < 3:
			id := fmt.Sprintf("p%d", step)
			typ := vclock.ActionType(w.r.IntN(2))
			q := []string{"a", "b", "c", scheduler.ActionName}[w.r.IntN(4)]
			w.clock.PostAction(w.action(id, 0), q, typ)
		case k == 3 && w.r.IntN(4) == 0:
			s := []*scheduler.WorkScheduler{ws, ws2}[w.r.IntN(2)]
			w.protect("schedule", func() { s.ScheduleWork(w.newGroup(fmt.Sprintf("s%d", step))) })
		case k == 3 && w.r.IntN(3) == 0:
			w.protect("ws2 shutdown", func() { ws2.Shutdown() })
		case k == 4 && w.r.IntN(6) == 0 && len(w.timers) > 0:
			w.timers[w.r.IntN(len(w.timers))].Cancel()
		default:
			p := -1
			w.protect(fmt.Sprintf("crank %d", step), func() { p = w.clock.Crank(false) })
			w.logf("C %d p=%d t=%d q=%d stopped=%v", step, p, w.clock.Elapsed().Microseconds(), w.clock.ActionQueueSize(), w.clock.IsStopped())
		}
	}
	w.protect("ws shutdown", func() { ws.Shutdown() })
	w.protect("ws2 shutdown", func() { ws2.Shutdown() })
	for i := 0; i < 100; i++ {
		p := -1
		w.protect("drain", func() { p = w.clock.Crank(false) })
		w.logf("D %d p=%d", i, p)
		if p == 0 {
			break
		}
	}
	w.protect("clock shutdown", w.clock.Shutdown)
	w.logf("end t=%d", w.clock.Elapsed().Microseconds())
	return w.log.String()
}
