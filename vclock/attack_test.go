package vclock_test

import (
	"cmp"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
	"weak"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/vclock"
)

// TestAttackCopyOfArmedTimerPanics: the Timer doc promises that the
// methods of a copy panic, also a copy made while the original's first
// wait is queued, whose next AsyncWait takes the path of a second wait.
func TestAttackCopyOfArmedTimerPanics(t *testing.T) {
	c := newVirtual()
	tm := vclock.NewTimer(c)
	tm.ExpiresFromNow(time.Second)
	tm.AsyncWait(func(error) {})
	cp := copyTimer(tm)
	const msg = "vclock: a Timer used through a copy of its value, or not made by NewTimer: use the *Timer that NewTimer returned"
	require.PanicsWithValue(t, msg, func() { cp.AsyncWait(func(error) {}) })
	require.PanicsWithValue(t, msg, cp.Cancel)
	require.Equal(t, 1, c.PendingTimers())
}

// heapInUse returns the live heap after two collections.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestAttackTimerChurnMemoryBounded: a long-running clock that arms timers
// and drops them for ever, some fired, some cancelled, one in 64 kept
// armed far out and dropped (its chunk stays alive while it is queued),
// holds a bounded heap: the live heap after 200,000 more cycles is within
// a small margin of what it was after the first 200,000.
func TestAttackTimerChurnMemoryBounded(t *testing.T) {
	c := newVirtual()
	fired := 0
	cycle := func(i int) {
		tm := vclock.NewTimer(c)
		switch i % 3 {
		case 0:
			tm.ExpiresFromNow(time.Millisecond)
			tm.AsyncWait(func(err error) {
				if err == nil {
					fired++
				}
			})
		case 1:
			tm.ExpiresFromNow(time.Hour)
			tm.AsyncWait(func(error) {})
			tm.AsyncWait(func(error) {}) // an extra event
			tm.Cancel()
		default:
			// Held only by the queue, 10 ms out: a window of these stays
			// queued at any moment.
			tm.ExpiresFromNow(10 * time.Millisecond)
			tm.AsyncWait(func(error) {})
		}
		if i%16 == 0 {
			for c.Crank(false) > 0 {
			}
		}
	}
	const n = 200_000
	for i := range n {
		cycle(i)
	}
	before := heapInUse()
	for i := n; i < 2*n; i++ {
		cycle(i)
	}
	after := heapInUse()
	t.Logf("live heap %d after %d cycles, %d after %d; fired %d", before, n, after, 2*n, fired)
	require.Less(t, after, before+1<<20, "the heap grew by more than 1 MiB over %d cycles", n)
}

// TestAttackTimerOutlivesChunkMates: one timer of a chunk is kept while the
// other 63 are armed, fired and dropped, the clock's queue is emptied (the
// chunk loses its index, which another chunk then takes), and collections
// run in between; the kept timer then still arms, cancels, re-arms and
// fires, on the clock it was made on, with no other clock's timers mixed
// up with it.
func TestAttackTimerOutlivesChunkMates(t *testing.T) {
	a, b := newVirtual(), newVirtual()
	var kept *vclock.Timer
	var log []string
	var w weak.Pointer[vclock.Timer]
	func() {
		for i := range 64 {
			ta := vclock.NewTimer(a)
			tb := vclock.NewTimer(b) // interleaved with another clock's
			if i == 17 {
				kept = ta
				continue
			}
			if i == 18 {
				w = weak.Make(ta)
			}
			ta.ExpiresFromNow(time.Duration(i) * time.Millisecond)
			ta.AsyncWait(func(err error) { log = append(log, fmt.Sprintf("a%d %v", i, err)) })
			tb.ExpiresFromNow(time.Duration(i) * time.Millisecond)
			tb.AsyncWait(func(err error) { log = append(log, fmt.Sprintf("b%d %v", i, err)) })
		}
	}()
	for a.Crank(false) > 0 {
	}
	require.Len(t, log, 63)
	runtime.GC()
	runtime.GC()
	require.NotNil(t, w.Value(), "a chunk-mate of a kept timer is freed with its chunk only")
	// Another chunk takes the index the kept timer's chunk had.
	other := vclock.NewTimer(a)
	for range 64 {
		other = vclock.NewTimer(a)
	}
	other.ExpiresFromNow(time.Hour)
	other.AsyncWait(func(err error) { log = append(log, fmt.Sprintf("other %v", err)) })
	runtime.GC()
	log = nil
	kept.ExpiresFromNow(time.Minute)
	kept.AsyncWait(func(err error) { log = append(log, fmt.Sprintf("kept1 %v", err)) })
	kept.Cancel()
	kept.ExpiresFromNow(2 * time.Minute)
	kept.AsyncWait(func(err error) { log = append(log, fmt.Sprintf("kept2 %v", err)) })
	kept.AsyncWait(func(err error) { log = append(log, fmt.Sprintf("kept3 %v", err)) })
	runtime.GC()
	for a.Crank(false) > 0 {
	}
	require.Equal(t, []string{
		"kept1 operation aborted", "kept2 <nil>", "kept3 <nil>", "other <nil>",
	}, log)
	log = nil
	for b.Crank(false) > 0 {
	}
	require.Len(t, log, 63, "the other clock's timers fire on it")
	// After Shutdown, the kept timer's methods do nothing and panic not.
	kept.ExpiresFromNow(time.Second)
	kept.AsyncWait(func(err error) { log = append(log, fmt.Sprintf("kept4 %v", err)) })
	a.Shutdown()
	require.Equal(t, "kept4 operation aborted", log[len(log)-1])
	kept.Cancel()
	kept.ExpiresFromNow(time.Second)
	kept.AsyncWait(func(err error) { log = append(log, "after shutdown") })
	kept.Cancel()
	require.Equal(t, 0, a.Crank(false))
	require.NotContains(t, log, "after shutdown")
}

// TestAttackRingOfClocksPosting: n clocks, each cranked with Crank(true) by
// a goroutine of its own; every action posts the next hop of its token to
// the next clock, from that crank goroutine, so each poster is the crank
// goroutine of another clock and most posts wake a waiting crank (the
// handoff). Plus outside goroutines posting to every clock at once, and
// FinishedBackgroundWork. Every hop must run and every goroutine end.
func TestAttackRingOfClocksPosting(t *testing.T) {
	for _, mode := range []vclock.Mode{vclock.VirtualTime, vclock.RealTime} {
		t.Run(mode.String(), func(t *testing.T) {
			const n, tokens, hops = 4, 8, 300
			clocks := make([]*vclock.Clock, n)
			for i := range clocks {
				clocks[i] = vclock.New(mode)
			}
			var done atomic.Int64
			var hop func(i, left int) func()
			hop = func(i, left int) func() {
				return func() {
					if left == 0 {
						done.Add(1)
						return
					}
					next := (i + 1) % n
					clocks[next].PostAction(hop(next, left-1), "ring", vclock.NormalAction)
				}
			}
			var extra atomic.Int64
			var wg sync.WaitGroup
			for i, c := range clocks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !c.IsStopped() {
						c.Crank(true)
					}
					_ = i
				}()
			}
			for k := range tokens {
				clocks[k%n].PostAction(hop(k%n, hops), "ring", vclock.NormalAction)
			}
			var posters sync.WaitGroup
			for p := range 3 {
				posters.Add(1)
				go func() {
					defer posters.Done()
					for j := range 500 {
						c := clocks[(p+j)%n]
						if mode == vclock.VirtualTime && j%7 == 0 {
							c.NewBackgroundWork()
							c.FinishedBackgroundWork()
						}
						c.PostAction(func() { extra.Add(1) }, fmt.Sprint("p", p), vclock.DroppableAction)
						if j%50 == 0 {
							runtime.Gosched()
						}
					}
				}()
			}
			posters.Wait()
			deadline := time.After(60 * time.Second) // only ends a hung test
			for done.Load() < tokens || extra.Load() < 1500 {
				select {
				case <-deadline:
					t.Fatalf("hung: %d of %d tokens done, %d of 1500 extra actions", done.Load(), tokens, extra.Load())
				default:
					runtime.Gosched()
				}
			}
			for _, c := range clocks {
				c.PostAction(c.Shutdown, "stop", vclock.NormalAction)
			}
			wg.Wait()
		})
	}
}

// TestAttackManyPostersOrderAndCount: posters on goroutines of their own,
// each to a queue of its own and to one shared queue, in bursts that
// outgrow a pending chunk (128) and the spare chunks a clock keeps (64
// chunks), while the crank goroutine cranks with Crank(true), in both
// modes and with GOMAXPROCS 1 and 2. Every action runs once, each poster's
// actions in the order posted, and every poster returns (no post blocks
// for ever on the waking handoff).
func TestAttackManyPostersOrderAndCount(t *testing.T) {
	for _, procs := range []int{1, 2} {
		for _, mode := range []vclock.Mode{vclock.VirtualTime, vclock.RealTime} {
			t.Run(fmt.Sprintf("%v/procs=%d", mode, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				c := vclock.New(mode)
				const posters = 6
				per := 3000
				if long() {
					per = 30000
				}
				last := make([]int, posters)
				lastShared := make([]int, posters)
				for i := range last {
					last[i], lastShared[i] = -1, -1
				}
				ran := 0
				var bad []string
				var wg sync.WaitGroup
				for p := range posters {
					wg.Add(1)
					go func() {
						defer wg.Done()
						name := fmt.Sprint("p", p)
						for j := range per {
							c.PostAction(func() {
								ran++
								if last[p] != j-1 {
									bad = append(bad, fmt.Sprintf("%s: %d after %d", name, j, last[p]))
								}
								last[p] = j
							}, name, vclock.NormalAction)
							if j%3 == 0 {
								c.PostAction(func() {
									ran++
									if lastShared[p] >= j {
										bad = append(bad, fmt.Sprintf("shared %s: %d after %d", name, j, lastShared[p]))
									}
									lastShared[p] = j
								}, "shared", vclock.NormalAction)
							}
							if j%(128*70) == 0 {
								runtime.Gosched()
							}
						}
					}()
				}
				want := posters * (per + (per+2)/3)
				done := make(chan struct{})
				go func() { wg.Wait(); close(done) }()
				for ran < want {
					c.Crank(true)
				}
				<-done
				require.Empty(t, bad)
				require.Equal(t, want, ran)
				require.Zero(t, c.ActionQueueSize())
				st := c.ActionScheduler().Stats()
				require.Equal(t, uint64(want), st.ActionsEnqueued)
				require.Equal(t, uint64(want), st.ActionsDequeued)
			})
		}
	}
}

// TestAttackShutdownRacesPosts: posters keep posting while the crank
// goroutine cranks, blocking, and then shuts the clock down from an action;
// every poster returns, the crank sees the clock stopped, and a Crank(true)
// after the shutdown returns at once.
//
// What that crank returns while the posters still run is not fixed in
// VirtualTime mode: a crank counts the background work outstanding at its
// end as progress, on a stopped clock too (the C++ crank, whose other
// steps find nothing on a stopped clock, still adds its background
// count), and poster 0 may be inside its NewBackgroundWork /
// FinishedBackgroundWork pair just then: 0 or 1. Once every poster has
// returned, none is outstanding and nothing else can count: 0 in both
// modes.
func TestAttackShutdownRacesPosts(t *testing.T) {
	for _, mode := range []vclock.Mode{vclock.VirtualTime, vclock.RealTime} {
		t.Run(mode.String(), func(t *testing.T) {
			for round := range 50 {
				c := vclock.New(mode)
				var stop atomic.Bool
				var wg sync.WaitGroup
				for p := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for j := 0; !stop.Load(); j++ {
							c.PostAction(func() {}, fmt.Sprint("p", p), vclock.NormalAction)
							if p == 0 && j%5 == 0 {
								c.NewBackgroundWork()
								c.FinishedBackgroundWork()
							}
							if j%10 == 0 {
								runtime.Gosched()
							}
						}
					}()
				}
				ran := 0
				c.PostAction(func() {}, "first", vclock.NormalAction)
				for !c.IsStopped() {
					c.Crank(true)
					ran++
					if ran == 20+round {
						c.PostActionOnCrank(c.Shutdown, "stop", vclock.NormalAction)
					}
				}
				// Poster 0 holds at most one background work at a time;
				// RealTime mode counts none.
				held := 0
				if mode == vclock.VirtualTime {
					held = 1
				}
				require.LessOrEqual(t, c.Crank(true), held, "posters running")
				stop.Store(true)
				wg.Wait()
				require.Equal(t, 0, c.Crank(true), "posters returned")
			}
		})
	}
}

// TestAttackCopiedTimerInReusedMemory: copies of Timer values whose
// originals were all dropped, one per chunk of 64 timers, then a refill of
// the heap with Timers, each given the copy whose chunk's memory it lies
// in, if any. Before, a Timer kept its chunk's address as a number: the
// copies did not keep the chunks alive, the refill landed in their freed
// memory, and a copy there passed the checks of its chunk's address (the
// word where the chunk had kept its own address was left as it was), so
// its methods read another object as the chunk (a nil Clock, or a wild
// pointer) instead of panicking with the copy message. A Timer now holds
// a pointer to its chunk: a copy keeps the chunk allocated, so no refill
// lands in it, and every copy, the refilled ones too, panics with the copy
// message.
func TestAttackCopiedTimerInReusedMemory(t *testing.T) {
	const msg = "vclock: a Timer used through a copy of its value, or not made by NewTimer: use the *Timer that NewTimer returned"
	size := reflect.TypeFor[vclock.Timer]().Size()
	span := 64 * size // the timers of a chunk
	c := newVirtual()
	// Many chunks' worth of timers, one copy per chunk saved; the timers
	// themselves dropped. A fresh clock's NewTimer starts a chunk at every
	// 64th timer, at the chunk's first timer.
	const chunks = 4000
	type saved struct {
		start uintptr // the address of the chunk's first timer, a number
		cp    *vclock.Timer
	}
	var copies []saved
	func() {
		for range chunks {
			first := vclock.NewTimer(c)
			copies = append(copies, saved{uintptr(unsafe.Pointer(first)), copyTimer(first)})
			for range 63 {
				vclock.NewTimer(c)
			}
		}
	}()
	vclock.NewTimer(c) // the clock lets go of the last chunk
	runtime.GC()
	runtime.GC()
	slices.SortFunc(copies, func(a, b saved) int { return cmp.Compare(a.start, b.start) })
	// Refill: heap Timers, each given the saved copy whose chunk spanned
	// its address, if any.
	var keep, suspects []*vclock.Timer
	for range chunks * 80 {
		p := new(vclock.Timer)
		keep = append(keep, p)
		a := uintptr(unsafe.Pointer(p))
		i, _ := slices.BinarySearchFunc(copies, a, func(s saved, a uintptr) int { return cmp.Compare(s.start, a) })
		if i < len(copies) && copies[i].start == a {
			i++
		}
		if i > 0 && a-copies[i-1].start < span {
			setTimer(p, copies[i-1].cp)
			suspects = append(suspects, p)
		}
	}
	hit := 0
	for _, p := range append(suspects, func() (all []*vclock.Timer) {
		for _, s := range copies {
			all = append(all, s.cp)
		}
		return all
	}()...) {
		func() {
			defer func() {
				if r := recover(); fmt.Sprint(r) != msg {
					if hit == 0 {
						t.Logf("copy at %#x: %v", uintptr(unsafe.Pointer(p)), r)
					}
					hit++
				}
			}()
			_ = p.ExpiryTime()
		}()
	}
	runtime.KeepAlive(keep)
	require.Zero(t, hit, "of %d copies (%d in reused chunk memory), %d did not panic with the copy message",
		len(copies)+len(suspects), len(suspects), hit)
	require.Empty(t, suspects, "the copies keep their chunks allocated: no Timer can be allocated in one")
}
