package basicwork_test

import (
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/dagwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
	"github.com/stellarwork/stellarwork/worksequence"
)

// a6Nap waits, with no timer, at its first crank after each start, and
// succeeds at the next: only a wake-up from outside ends the wait. It has
// no OnReset (each start gives it two cranks, so the parity of its runs
// says which one it is at), so that a Work's plain start (startAdded) may
// start it.
type a6Nap struct {
	basicwork.BasicWork
	runs int
}

func (n *a6Nap) OnRun() basicwork.State {
	if n.runs++; n.runs%2 == 1 {
		return basicwork.Waiting
	}
	return basicwork.Success
}
func (n *a6Nap) OnAbort() bool { return true }

// a6Keeper is a Work that adds its child at its first run, then waits for
// ever once its children are done (its wake-ups are what the test
// watches), until it is shut down.
type a6Keeper struct {
	work.Work
	child basicwork.Work
}

func (k *a6Keeper) DoWork() basicwork.State {
	if k.child != nil {
		c := k.child
		k.child = nil
		if err := k.AddWork(c); err != nil {
			panic(err)
		}
		return basicwork.Running
	}
	if k.AllChildrenDone() {
		return basicwork.Waiting
	}
	return k.CheckChildrenStatus()
}

// TestAttack6WakeUpReachesTheParentHoldingTheChild moves one child through
// a Work, a WorkSequence, a ConditionalWork, a DAGWork, the WorkScheduler
// itself and back into the first Work. Each time it waits in its new
// parent, with the parents before still waiting (or done), and is woken
// from outside; the wake-up must reach the parent that started it this
// time, and only that one (and, through it, the WorkScheduler). Since
// f64ba78 a child started with its parent's shared wake-up keeps a flag
// instead of the callback and reaches the parent through its registration:
// a wake-up that went to an earlier parent, or to none, fails this test.
// With logging off (the plain starts) and at TRACE (the general paths),
// and with the wake-up given by WakeUp and by the child's own
// WakeSelfUpCallback.
func TestAttack6WakeUpReachesTheParentHoldingTheChild(t *testing.T) {
	for _, logging := range []bool{false, true} {
		for _, byCallback := range []bool{false, true} {
			t.Run(fmt.Sprintf("logging=%v/callback=%v", logging, byCallback), func(t *testing.T) {
				a6WakeUpsThroughParents(t, logging, byCallback)
			})
		}
	}
}

func a6WakeUpsThroughParents(t *testing.T, logging, byCallback bool) {
	clock := vclock.New(vclock.VirtualTime)
	defer clock.Shutdown()
	var events []string
	opts := []scheduler.Option{scheduler.WithTransitionListener(func(e basicwork.TransitionEvent) {
		events = append(events, fmt.Sprintf("%s %v->%v", e.Work.Name(), e.From, e.To))
	})}
	if logging {
		core, _ := observer.New(basicwork.TraceLevel)
		opts = append(opts, scheduler.WithLogger(zap.New(core)))
	}
	app := scheduler.NewApp(clock, opts...)
	ws := app.WorkScheduler()
	idle := func() {
		t.Helper()
		for i := 0; clock.Crank(false) != 0; i++ {
			if i > 1000 {
				t.Fatal("the clock does not go idle")
			}
		}
	}
	c := &a6Nap{}
	c.Init(app, "c", basicwork.RetryNever, c)
	wake := func(holder string) {
		t.Helper()
		if got := c.InternalState(); got != basicwork.InternalWaiting {
			t.Fatalf("in %s: c is %v, want waiting", holder, got)
		}
		events = nil
		if byCallback {
			c.WakeSelfUpCallback(nil)()
		} else {
			c.WakeUp(nil)
		}
		want := []string{"c WORK_WAITING->WORK_RUNNING"}
		if holder != "work-scheduler" {
			want = append(want, holder+" WORK_WAITING->WORK_RUNNING")
		}
		want = append(want, "work-scheduler WORK_WAITING->WORK_RUNNING")
		if got := strings.Join(events, ", "); got != strings.Join(want, ", ") {
			t.Fatalf("c woken in %s: events %q, want %q", holder, got, strings.Join(want, ", "))
		}
		idle()
		if c.State() != basicwork.Success {
			t.Fatalf("c woken in %s ended %v", holder, c.State())
		}
	}

	keeper := &a6Keeper{child: c}
	keeper.Init(app, "keeper", basicwork.RetryNever, keeper)
	ws.ScheduleWork(keeper)
	idle()
	wake("keeper")
	if keeper.InternalState() != basicwork.InternalWaiting {
		t.Fatalf("keeper is %v, want waiting", keeper.InternalState())
	}

	seq, err := worksequence.New(app, "seq", []basicwork.Work{c})
	if err != nil {
		t.Fatal(err)
	}
	ws.ScheduleWork(seq)
	idle()
	wake("seq")

	cond, err := conditionalwork.New(app, "cond", func(basicwork.Application) bool { return true }, c)
	if err != nil {
		t.Fatal(err)
	}
	ws.ScheduleWork(cond)
	idle()
	wake("cond")

	dag, err := dagwork.New(app, "dag", []dagwork.Node{{Work: c}})
	if err != nil {
		t.Fatal(err)
	}
	ws.ScheduleWork(dag)
	idle()
	wake("dag")

	ws.ScheduleWork(c)
	idle()
	wake("work-scheduler")

	// Back into the keeper, which still waits: the add wakes it.
	if err := keeper.AddWork(c); err != nil {
		t.Fatal(err)
	}
	idle()
	wake("keeper")

	ws.Shutdown()
	idle()
	if !keeper.IsDone() {
		t.Fatalf("keeper is %v after its shutdown", keeper.InternalState())
	}
}
