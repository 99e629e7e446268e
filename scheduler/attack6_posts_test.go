package scheduler_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// a6Spin is a leaf that asks for n cranks, and panics at the crank
// numbered panicAt (0: never), once.
type a6Spin struct {
	basicwork.BasicWork
	n, panicAt, runs int
}

func (s *a6Spin) OnRun() basicwork.State {
	if s.runs++; s.runs == s.panicAt {
		panic(fmt.Sprintf("spin %s panics at crank %d", s.Name(), s.runs))
	}
	if s.runs < s.n {
		return basicwork.Running
	}
	return basicwork.Success
}

func (s *a6Spin) OnAbort() bool { return true }

// TestAttack6PostsFromOtherGoroutinesWhileTheSchedulerCranks: while the
// WorkScheduler cranks its tree (the Self's post and move at the end of
// each of its actions, RunOne's Moved, the ready state after it), four
// goroutines post actions (two to one queue, one to the scheduler's own),
// some of which panic; the crank goroutine
// recovers every panic and cranks on. Every action posted runs exactly
// once, each goroutine's in the order it posted them, no Crank is refused
// as a second crank, and the tree succeeds. In both modes of the clock.
// (Run it with -race: the Moved path's swap and a post racing it are the
// point.)
func TestAttack6PostsFromOtherGoroutinesWhileTheSchedulerCranks(t *testing.T) {
	for _, mode := range []vclock.Mode{vclock.VirtualTime, vclock.RealTime} {
		t.Run(mode.String(), func(t *testing.T) {
			clock := vclock.New(mode)
			app := scheduler.NewApp(clock)
			ws := app.WorkScheduler()
			var spins []*a6Spin
			for i := range 8 {
				s := &a6Spin{n: 200 + 50*i, panicAt: 17 * (i % 3)}
				s.Init(app, fmt.Sprintf("spin%d", i), basicwork.RetryNever, s)
				spins = append(spins, s)
				ws.ScheduleWork(s)
			}
			const posters, posts = 4, 500
			var ran [posters]atomic.Int64
			var order [posters]int // written by the crank goroutine only
			var bad atomic.Value
			var wg sync.WaitGroup
			for g := range posters {
				wg.Go(func() {
					for i := range posts {
						clock.PostAction(func() {
							if order[g] != i {
								bad.CompareAndSwap(nil, fmt.Sprintf("poster %d: action %d ran after %d", g, i, order[g]))
							}
							order[g] = i + 1
							ran[g].Add(1)
							if i%7 == 3 {
								panic(fmt.Sprintf("action %d of poster %d panics", i, g))
							}
						}, []string{"a", "b", scheduler.ActionName, "a"}[g], vclock.NormalAction)
					}
				})
			}
			panics, misuse := 0, 0
			crank := func() {
				defer func() {
					if v := recover(); v != nil {
						if e, ok := v.(error); ok && errors.Is(e, vclock.ErrCrankMisuse) {
							misuse++
						}
						panics++
					}
				}()
				clock.Crank(false)
			}
			done := func() bool {
				for g := range posters {
					if ran[g].Load() != posts {
						return false
					}
				}
				for _, s := range spins {
					if !s.IsDone() {
						return false
					}
				}
				return true
			}
			for i := 0; !done(); i++ {
				if i > 10_000_000 {
					t.Fatal("the actions and the tree did not finish")
				}
				crank()
			}
			wg.Wait()
			for range 100 {
				crank() // nothing more may run
			}
			if misuse != 0 {
				t.Fatalf("%d cranks refused as a second crank after a recovered panic", misuse)
			}
			if v := bad.Load(); v != nil {
				t.Fatal(v)
			}
			for g := range posters {
				if n := ran[g].Load(); n != posts {
					t.Fatalf("poster %d: %d actions ran, want %d", g, n, posts)
				}
			}
			// Each poster's i%7 == 3 actions panic (71 or 72 of 500), and
			// spins 1, 2, 4, 5, 7 panic once each (panicAt 17 or 34).
			want := 5
			for range posters {
				want += (posts-4)/7 + 1
			}
			if panics != want {
				t.Fatalf("%d panics recovered, want %d", panics, want)
			}
			for _, s := range spins {
				if s.State() != basicwork.Failure && s.State() != basicwork.Success {
					t.Fatalf("%s ended %v", s.Name(), s.State())
				}
			}
			clock.Shutdown()
		})
	}
}
