// Package worktest helps users test their own works against stellar-core:
// a virtual-time application whose Work log goes into a trace, a recorder
// that writes that trace in the parity format (docs/TRACES.md), and the
// crank loops the upstream tests use. Its subpackage scenario runs
// scenario files of the user's own works (docs/SCENARIOS.md).
package worktest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"weak"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// Recorder writes a parity trace. Build it with NewRecorder, which also
// builds the application whose log it captures.
type Recorder struct {
	b       strings.Builder
	app     *scheduler.App
	clock   *vclock.Clock
	cranks  int
	tracked []tracked
	failed  []string
	// AfterStatus, if set, runs after the status lines of every crank (the
	// scenario "live" line hooks here).
	AfterStatus func()
}

type tracked struct {
	name string
	w    basicwork.Work
}

// Options are the settings of NewRecorder. The zero value gives the parity
// environment: MaxConcurrentSubprocesses 16 and backoff at its lower bound.
type Options struct {
	// Config overrides the default configuration when its
	// MaxConcurrentSubprocesses is not zero.
	Config basicwork.Config
	// Rand overrides the jitter source (default basicwork.LowerBound{}).
	Rand basicwork.Rand
}

// NewRecorder builds a virtual clock, an application whose Work logger
// writes every line at every level into the trace, and its WorkScheduler,
// tracked first.
func NewRecorder(opts Options) *Recorder {
	r := &Recorder{clock: vclock.New(vclock.VirtualTime)}
	cfg := basicwork.DefaultConfig()
	if opts.Config.MaxConcurrentSubprocesses != 0 {
		cfg = opts.Config
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = basicwork.LowerBound{}
	}
	logger := zap.New(&traceCore{r: r})
	r.app = scheduler.NewApp(r.clock, scheduler.WithConfig(cfg), scheduler.WithLogger(logger), scheduler.WithRand(rnd))
	r.Track(scheduler.Name, r.app.WorkScheduler())
	return r
}

// App returns the application.
func (r *Recorder) App() *scheduler.App { return r.app }

// Clock returns the virtual clock.
func (r *Recorder) Clock() *vclock.Clock { return r.clock }

// Scheduler returns the WorkScheduler.
func (r *Recorder) Scheduler() *scheduler.WorkScheduler { return r.app.WorkScheduler() }

// Track adds w to the works whose status is written after each crank and
// whose state is written by Finish, under name.
func (r *Recorder) Track(name string, w basicwork.Work) {
	r.tracked = append(r.tracked, tracked{name, w})
}

// ErrWouldBlock is returned by TryCrank when the crank would block: nothing
// was ready to run, no timer was pending and no background work was
// outstanding, so a blocking crank would wait for a post that never comes.
var ErrWouldBlock = errors.New("worktest: the crank would block forever: nothing to run and no timer pending")

// TryCrank is Crank for scenarios that must not hang. It cranks without
// blocking, which in virtual time does exactly what a blocking crank does
// unless that crank would block; then it writes nothing and returns
// ErrWouldBlock.
func (r *Recorder) TryCrank() (int, error) {
	p := r.clock.Crank(false)
	if p == 0 {
		return 0, ErrWouldBlock
	}
	r.record(p)
	return p, nil
}

// Crank runs one blocking crank and writes its crank and status lines.
func (r *Recorder) Crank() int {
	p := r.clock.Crank(true)
	r.record(p)
	return p
}

func (r *Recorder) record(p int) {
	r.cranks++
	fmt.Fprintf(&r.b, "crank %d progress=%d t=%d\n", r.cranks, p, r.clock.Elapsed().Milliseconds())
	for _, t := range r.tracked {
		fmt.Fprintf(&r.b, "status %s: %s\n", t.name, t.w.Status())
	}
	if r.AfterStatus != nil {
		r.AfterStatus()
	}
}

// Execute is the parity harness's WorkScheduler::executeWork: it schedules
// w, tracks it under its name, and cranks while the clock is not stopped and
// w is not done, up to max cranks (0: no limit). It returns false if the
// scheduler refused w or the loop stopped at the limit.
func (r *Recorder) Execute(w basicwork.Work, max int) bool {
	if r.Scheduler().ScheduleWork(w) == nil {
		return false
	}
	r.Track(w.Name(), w)
	return r.CrankWhile(func() bool { return !r.clock.IsStopped() && !w.IsDone() }, max)
}

// Tracked returns the names of the tracked works, in tracking order.
func (r *Recorder) Tracked() []string {
	out := make([]string, len(r.tracked))
	for i, t := range r.tracked {
		out[i] = t.name
	}
	return out
}

// Cranks returns how many cranks were recorded.
func (r *Recorder) Cranks() int { return r.cranks }

// CrankWhile cranks while cond holds, up to max cranks (0: no limit); it
// returns false if it stopped at the limit.
func (r *Recorder) CrankWhile(cond func() bool, max int) bool {
	for n := 0; cond(); n++ {
		if max > 0 && n >= max {
			return false
		}
		r.Crank()
	}
	return true
}

// CrankUntil cranks until cond holds, up to max cranks (0: no limit).
func (r *Recorder) CrankUntil(cond func() bool, max int) bool {
	return r.CrankWhile(func() bool { return !cond() }, max)
}

// Check writes "check label: ok" or "check label: FAILED" and returns ok.
func (r *Recorder) Check(label string, ok bool) bool {
	res := "ok"
	if !ok {
		res = "FAILED"
		r.failed = append(r.failed, label)
	}
	fmt.Fprintf(&r.b, "check %s: %s\n", label, res)
	return ok
}

// Failed returns the labels of the checks that failed.
func (r *Recorder) Failed() []string { return r.failed }

// Note writes "note text".
func (r *Recorder) Note(text string) { fmt.Fprintf(&r.b, "note %s\n", text) }

// Live writes "live n".
func (r *Recorder) Live(n int) { fmt.Fprintf(&r.b, "live %d\n", n) }

// Finish writes the final state line of every tracked work.
func (r *Recorder) Finish() {
	for _, t := range r.tracked {
		fmt.Fprintf(&r.b, "state %s: %s\n", t.name, t.w.State())
	}
}

// String returns the trace so far.
func (r *Recorder) String() string { return r.b.String() }

// traceCore is a zap core that writes "log LEVEL message" lines into the
// trace, naming levels as stellar-core does.
type traceCore struct {
	r *Recorder
}

// Enabled keeps every level, TRACE included.
func (c *traceCore) Enabled(zapcore.Level) bool { return true }

// With ignores fields: the trace holds the message only.
func (c *traceCore) With([]zapcore.Field) zapcore.Core { return c }

// Sync has nothing to flush.
func (c *traceCore) Sync() error { return nil }

// Write appends "log LEVEL message", the level named as stellar-core does.
func (c *traceCore) Write(e zapcore.Entry, _ []zapcore.Field) error {
	fmt.Fprintf(&c.r.b, "log %s %s\n", basicwork.LevelName(e.Level), e.Message)
	return nil
}

// Check accepts every entry.
func (c *traceCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(e, c)
}

// Collect runs a full garbage collection, as runtime.GC does, with
// GOMAXPROCS at 1 for its duration: a collection that need not wait for
// other threads, several times faster on a busy machine (about 0.5 ms
// instead of 4 to 8 ms per collection under the race detector, measured on
// a loaded 2-core machine). A test that counts live works after every crank
// collects a thousand times. Other goroutines of the process run on one
// thread meanwhile.
func Collect() {
	p := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(p)
	runtime.GC()
}

// CountLive runs a full garbage collection and counts the weak pointers of
// ps that still point to a live value: the Go counterpart of counting the
// unexpired weak_ptrs of a C++ test. Anything the caller still holds
// strongly (a stale slice slot, a captured variable) keeps its value alive.
func CountLive[T any](ps []weak.Pointer[T]) int {
	Collect()
	n := 0
	for _, p := range ps {
		if p.Value() != nil {
			n++
		}
	}
	return n
}
