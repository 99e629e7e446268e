package vclock_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/stellarwork/stellarwork/internal/stdheap"
	"github.com/stellarwork/stellarwork/vclock"
)

// modelEvent, modelTimer and timerModel are the clock's timers as the C++
// has them, written plainly: each wait an object of its own in a libstdc++
// heap of pointers (internal/stdheap), no chunks, no refs, no reuse.
type modelEvent struct {
	when      time.Duration
	seq       int
	id        int
	triggered bool
}

type modelTimer struct {
	expiry    time.Duration
	cancelled bool
	waits     []*modelEvent // since the expiry was last set
}

type timerModel struct {
	now     time.Duration
	heap    *stdheap.Heap[*modelEvent]
	flushes int
	log     []string
}

func newTimerModel() *timerModel {
	return &timerModel{heap: stdheap.New(func(a, b *modelEvent) bool {
		return a.when > b.when || (a.when == b.when && a.seq > b.seq)
	})}
}

func (m *timerModel) asyncWait(t *modelTimer, id int) {
	if t.cancelled {
		return
	}
	ev := &modelEvent{when: t.expiry, seq: len(t.waits), id: id}
	t.waits = append(t.waits, ev)
	m.heap.Push(ev)
}

func (m *timerModel) cancel(t *modelTimer) {
	if t.cancelled {
		return
	}
	t.cancelled = true
	for _, ev := range t.waits {
		if !ev.triggered {
			ev.triggered = true
			m.log = append(m.log, fmt.Sprintf("abort %d", ev.id))
		}
	}
	// The throttled flush: a rebuild once it was called more times than
	// there are queued events.
	if m.flushes <= m.heap.Len() {
		m.flushes++
	} else {
		var kept []*modelEvent
		for m.heap.Len() > 0 {
			if ev := m.heap.Pop(); !ev.triggered {
				kept = append(kept, ev)
			}
		}
		m.heap.Init(kept)
		m.flushes = 0
	}
	t.waits = nil
}

func (m *timerModel) expiresFromNow(t *modelTimer, d time.Duration) {
	m.cancel(t)
	t.expiry = m.now + d
	t.cancelled = false
}

// crank is an idle VirtualTime crank: jump to the earliest event, pop
// every event due, then fire them in that order.
func (m *timerModel) crank() int {
	if m.heap.Len() == 0 {
		return 0
	}
	m.now = max(m.now, m.heap.Top().when)
	var due []*modelEvent
	for m.heap.Len() > 0 && m.heap.Top().when <= m.now {
		due = append(due, m.heap.Pop())
	}
	for _, ev := range due {
		if !ev.triggered {
			ev.triggered = true
			m.log = append(m.log, fmt.Sprintf("fire %d", ev.id))
		}
	}
	return len(due)
}

func (m *timerModel) pending() int {
	n := 0
	for _, ev := range m.heap.Items() {
		if !ev.triggered {
			n++
		}
	}
	return n
}

// TestTimersMatchModel plays random scripts of timer operations on a clock
// and on timerModel, with expiries drawn from a few milliseconds so that
// ties are common, and more timers than one chunk holds, and requires the
// same callbacks in the same order, the same progress per crank, and the
// same count of pending timers. It checks the clock's queue of
// pointer-free entries, its chunks of timers and its tables of refs
// against plain objects.
func TestTimersMatchModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := vclock.New(vclock.VirtualTime)
		m := newTimerModel()
		var log []string
		var timers []*vclock.Timer
		var models []*modelTimer
		id := 0
		ops := rapid.IntRange(1, 600).Draw(t, "ops")
		for range ops {
			op := rapid.IntRange(0, 9).Draw(t, "op")
			if len(timers) == 0 || op == 0 {
				timers = append(timers, vclock.NewTimer(c))
				models = append(models, &modelTimer{expiry: m.now})
				continue
			}
			i := rapid.IntRange(0, len(timers)-1).Draw(t, "timer")
			switch {
			case op < 3:
				d := time.Duration(rapid.IntRange(0, 4).Draw(t, "ms")) * time.Millisecond
				timers[i].ExpiresFromNow(d)
				m.expiresFromNow(models[i], d)
			case op < 6:
				n := id
				id++
				timers[i].AsyncWait(func(err error) {
					if err == nil {
						log = append(log, fmt.Sprintf("fire %d", n))
					} else {
						log = append(log, fmt.Sprintf("abort %d", n))
					}
				})
				m.asyncWait(models[i], n)
			case op < 7:
				timers[i].Cancel()
				m.cancel(models[i])
			default:
				got := c.Crank(false)
				if want := m.crank(); got != want {
					t.Fatalf("crank progressed %d, the model %d", got, want)
				}
			}
			require.Equal(t, m.log, log)
			require.Equal(t, m.pending(), c.PendingTimers())
			require.Equal(t, m.heap.Len(), c.RefsHeld(), "refs held for the queue")
		}
		for m.heap.Len() > 0 {
			require.Equal(t, m.crank(), c.Crank(false))
		}
		require.Equal(t, 0, c.Crank(false))
		require.Equal(t, m.log, log)
		require.Zero(t, c.RefsHeld())
	})
}

// TestTimerCopyPanics: a Timer lives where NewTimer put it, among the
// other timers of its chunk, and finds its chunk and clock from its own
// address; the methods of a copy of one, or of a zero Timer, panic instead
// of taking some other memory for a chunk.
func TestTimerCopyPanics(t *testing.T) {
	const want = "vclock: a Timer used through a copy of its value, or not made by NewTimer: " +
		"use the *Timer that NewTimer returned"
	c := newVirtual()
	tm := vclock.NewTimer(c)
	tm.ExpiresFromNow(time.Second)
	tm.AsyncWait(func(error) {})
	for name, bad := range map[string]*vclock.Timer{"copy": copyTimer(tm), "zero": new(vclock.Timer)} {
		for method, call := range map[string]func(){
			"ExpiresFromNow": func() { bad.ExpiresFromNow(time.Second) },
			"ExpiresAt":      func() { bad.ExpiresAt(c.Now()) },
			"AsyncWait":      func() { bad.AsyncWait(func(error) {}) },
			"Cancel":         func() { bad.Cancel() },
			"ExpiryTime":     func() { bad.ExpiryTime() },
		} {
			require.PanicsWithValue(t, want, call, "%s of a %s", method, name)
		}
	}
	require.Equal(t, 1, c.PendingTimers(), "the original is armed, nothing else")
	require.Equal(t, 1, c.Crank(false))
}

// TestDroppedTimersAreCollected: timers share their memory with the other
// timers of their chunk (64 of them), so a dropped timer is freed once
// every timer of its chunk is dropped and none is queued. A dropped timer
// that is still armed fires all the same; the queue keeps it alive.
func TestDroppedTimersAreCollected(t *testing.T) {
	c := newVirtual()
	fired := 0
	var w weak.Pointer[vclock.Timer]
	func() {
		for i := range 64 {
			tm := vclock.NewTimer(c)
			tm.ExpiresFromNow(time.Duration(i+1) * time.Millisecond)
			tm.AsyncWait(func(err error) {
				if err == nil {
					fired++
				}
			})
			if i == 0 {
				w = weak.Make(tm)
			}
		}
	}()
	runtime.GC()
	require.NotNil(t, w.Value(), "an armed timer was collected")
	for c.Crank(false) > 0 {
	}
	require.Equal(t, 64, fired)
	// Fired, dropped, and its chunk holds no timer anyone refers to.
	runtime.GC()
	require.Nil(t, w.Value(), "a fired, dropped timer was not collected")
	// The clock still hands out timers from a fresh chunk.
	keep := vclock.NewTimer(c)
	keep.ExpiresFromNow(time.Millisecond)
	keep.AsyncWait(func(error) { fired++ })
	require.Equal(t, 1, c.Crank(false))
	require.Equal(t, 65, fired)
}
