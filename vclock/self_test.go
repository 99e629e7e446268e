package vclock_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/internal/actionsched"
	"github.com/stellarwork/stellarwork/internal/vclockhook"
	"github.com/stellarwork/stellarwork/vclock"
)

// TestSelfPostMatchesPostOnCrank plays one random script on two clocks: on
// each, an action "self" posts itself again at its end while the script
// says so, on the first with a deferred PostActionOnCrank (as a
// WorkScheduler without the clock's Self does), on the second through the
// clock's Self (Posted at a normal end, Unwound after a panic). Around it,
// other actions post to other queues or to the same one, with either post,
// panic, or shut the clock down; timers fire and post; a second self-poster
// finds the Self taken and posts as the first clock does. Every crank must
// report the same progress (the wake-up I/O handlers included) and panic
// alike, the same actions must run in the same order at the same virtual
// time, and ActionQueueSize and the scheduler's statistics, size and next
// queue must agree before each crank.
func TestSelfPostMatchesPostOnCrank(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		type run struct {
			log   []string
			steps []string // per crank: progress or panic, size, stats, next queue
		}
		script := rapid.SliceOfN(rapid.IntRange(0, 13), 1, 80).Draw(t, "script")
		// What each run of the self action does, by run number.
		does := rapid.SliceOfN(rapid.IntRange(0, 9), 1, 40).Draw(t, "does")
		play := func(useSelf bool) run {
			c := vclock.New(vclock.VirtualTime)
			var r run
			self := vclockhook.SelfOf(c)
			runs := 0
			// keep says whether the self action still posts itself.
			keep := true
			var selfFn func()
			repost := func() { c.PostActionOnCrank(selfFn, "self", vclock.NormalAction) }
			selfFn = func() {
				n := runs
				runs++
				d := does[n%len(does)]
				r.log = append(r.log, fmt.Sprintf("self %d@%v", n, c.Elapsed()))
				if useSelf {
					self.Running = true
				} else {
					defer func() {
						if keep {
							repost()
						}
					}()
				}
				switch d {
				case 1:
					// A post of the crank goroutine before the re-post.
					c.PostActionOnCrank(func() { r.log = append(r.log, fmt.Sprint("local ", n)) }, "other", vclock.NormalAction)
				case 2:
					// One to the same queue, which runs before the self
					// action's next run.
					c.PostActionOnCrank(func() { r.log = append(r.log, fmt.Sprint("same ", n)) }, "self", vclock.NormalAction)
				case 3:
					c.PostAction(func() { r.log = append(r.log, fmt.Sprint("locked ", n)) }, "other", vclock.NormalAction)
				case 4:
					c.SleepFor(time.Duration(n%4) * 2 * time.Second) // past the latency window, at times
				case 5:
					panic(fmt.Sprint("self ", n))
				case 6:
					keep = false
				case 7:
					if n%4 == 3 {
						c.Shutdown()
					}
				}
				if useSelf {
					self.Running = false
					if keep {
						self.Posted = true
					}
				}
			}
			if useSelf {
				require.Nil(t, self.Fn)
				self.Fn, self.Name, self.Typ = selfFn, "self", vclock.NormalAction
				self.Unwound = func() {
					if keep {
						repost()
					}
				}
			}
			c.PostActionOnCrank(selfFn, "self", vclock.NormalAction)
			crank := func() {
				s := c.ActionScheduler()
				step := fmt.Sprintf("size %d stats %+v next %q ", c.ActionQueueSize(), s.Stats(), s.NextQueueToRun())
				func() {
					defer func() {
						if p := recover(); p != nil {
							step += fmt.Sprint("panic ", p)
						}
					}()
					step += fmt.Sprint("progress ", c.Crank(false))
				}()
				r.steps = append(r.steps, step)
			}
			for i, op := range script {
				id := fmt.Sprint(i)
				switch {
				case op < 2:
					c.PostAction(func() { r.log = append(r.log, "script "+id) }, []string{"self", "other"}[op], vclock.NormalAction)
				case op < 3:
					c.PostActionOnCrank(func() { r.log = append(r.log, "script local "+id) }, "other", actionsched.DroppableAction)
				case op < 4:
					tm := vclock.NewTimer(c)
					tm.ExpiresFromNow(time.Duration(i%4) * time.Second)
					tm.AsyncWait(func(err error) {
						if err == nil {
							r.log = append(r.log, "timer "+id)
							c.PostActionOnCrank(func() { r.log = append(r.log, "timed "+id) }, "other", vclock.NormalAction)
						}
					})
				case op < 5:
					// Start posting again, if it had stopped.
					if !keep {
						keep = true
						c.PostActionOnCrank(selfFn, "self", vclock.NormalAction)
					}
				default:
					crank()
				}
			}
			for i := 0; i < 200 && !c.IsStopped() && (c.ActionQueueSize() > 0 || i == 0); i++ {
				crank()
			}
			return r
		}
		want, got := play(false), play(true)
		require.Equal(t, want.log, got.log, "actions run")
		require.Equal(t, want.steps, got.steps, "cranks")
	})
}
