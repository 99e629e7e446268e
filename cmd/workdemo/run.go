package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/trace"
	"strings"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/historywork"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worksequence"
	"github.com/stellarwork/stellarwork/workview"
)

// options are the settings of one run; parseFlags fills them in.
type options struct {
	checkpoints int
	bandwidth   int
	failureRate float64
	seed        uint64
	realTime    bool
	traceFile   string
	// every is the clock time between two status views; 0 picks
	// defaultEvery, or defaultLiveEvery when live.
	every time.Duration
	// live redraws the status view in place (a terminal) instead of
	// printing successive snapshots.
	live bool
	// frameDelay is a wall-clock pause after each redraw in live virtual
	// mode, so that the eye can follow.
	frameDelay time.Duration
	// dir is where the run makes its work directory (the archive, the
	// downloads, the temporary files), removed at the end; "" is
	// os.TempDir().
	dir string
}

const (
	defaultEvery     = 5 * time.Second
	defaultLiveEvery = time.Second
	// liveEvents is how many recent events the live view shows.
	liveEvents = 6
)

// report is what run returns: the counts of the summary.
type report struct {
	state       basicwork.State
	works       int // distinct works started
	attempts    int // starts plus retries
	retries     int
	failures    int // works that failed with no retry left, but for gets and gunzips, whose parent retries
	applied     int // checkpoints applied
	processes   int // processes started
	gets        int // get processes (GetRemoteFileWork runs)
	failedGets  int
	gunzips     int
	downloaded  int64 // gzipped bytes downloaded
	verified    int64 // unzipped bytes verified against the manifest
	cranks      int
	virtualTime time.Duration
	wallTime    time.Duration
}

// demo is one run in progress.
type demo struct {
	opts  options
	out   io.Writer
	clock *vclock.Clock
	root  *batchwork.Seq // the catchup
	work  string         // the work directory, shown as $WORK

	header  string // the first line
	rep     report
	started map[basicwork.Work]bool
	events  []string // the recent events, live mode
}

// run builds a local archive and catches up from it as opts say, writing
// the status views, the events and the summary to out. It returns the
// summary's counts; an error if the runtime trace could not be written or
// the work directory made. Cancelling ctx aborts the catchup. Nothing is
// left behind: the process manager is shut down, the work directory
// removed.
func run(ctx context.Context, out io.Writer, opts options) (report, error) {
	wallStart := time.Now()
	if opts.every <= 0 {
		opts.every = defaultEvery
		if opts.live {
			opts.every = defaultLiveEvery
		}
	}
	if opts.traceFile != "" {
		f, err := os.Create(opts.traceFile)
		if err != nil {
			return report{}, err
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			return report{}, err
		}
		defer trace.Stop()
		var task *trace.Task
		ctx, task = trace.NewTask(ctx, "catchup")
		defer task.End()
	}

	dir := opts.dir
	if dir == "" {
		dir = os.TempDir()
	}
	work, err := os.MkdirTemp(dir, "workdemo-")
	if err != nil {
		return report{}, err
	}
	defer os.RemoveAll(work)
	var checkpoints []uint32
	for i := range opts.checkpoints {
		checkpoints = append(checkpoints, uint32((i+1)*checkpointFrequency-1))
	}
	ar, err := buildArchive(work, checkpoints, opts.seed, opts.failureRate)
	if err != nil {
		return report{}, err
	}
	if err := os.Mkdir(filepath.Join(work, tmpDirName), 0o755); err != nil {
		return report{}, err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return report{}, err
	}
	defer devnull.Close()

	mode := vclock.VirtualTime
	if opts.realTime {
		mode = vclock.RealTime
	}
	d := &demo{opts: opts, out: out, clock: vclock.New(mode), work: work, started: map[basicwork.Work]bool{}}
	cfg := basicwork.DefaultConfig()
	cfg.MaxConcurrentSubprocesses = opts.bandwidth
	base := scheduler.NewApp(d.clock,
		scheduler.WithConfig(cfg),
		scheduler.WithRand(basicwork.NewRand(opts.seed)),
		scheduler.WithTmpDir(filepath.Join(work, tmpDirName)),
		scheduler.WithTransitionListener(d.onTransition))
	// In virtual time, processes take none, and their exits come in a
	// repeatable order (the option does nothing in real time). The
	// commands' complaints (cp's, gzip's) are not the demo's output.
	papp := process.NewApp(base, process.WithHoldVirtualTime(), process.WithStderr(devnull), process.WithStdout(devnull))
	local := historywork.MustNewHistoryArchive(historywork.HistoryArchiveConfiguration{Name: "local", GetCmd: ar.getCmd})
	app := historywork.NewApp(papp, historywork.NewHistoryArchiveManager(basicwork.NewRand(opts.seed), nil, local))
	defer app.Shutdown()
	defer d.clock.Shutdown()
	ws := app.WorkScheduler()
	d.root = newCatchup(app, ar, &d.rep.verified)

	getVia := "cp"
	if opts.failureRate > 0 {
		getVia = fmt.Sprintf("a get failing %.4g%% of the time", 100*opts.failureRate)
	}
	d.header = fmt.Sprintf("catchup of %d checkpoints (ledgers 1-%d, %s gzipped) from a local archive via %s, %d in flight, seed %d, %s time\n",
		opts.checkpoints, checkpoints[len(checkpoints)-1], formatBytes(ar.gzBytes), getVia, opts.bandwidth,
		opts.seed, strings.ToLower(strings.TrimSuffix(mode.String(), "_TIME")))
	if !opts.live {
		io.WriteString(out, d.header)
	}
	ws.ScheduleWork(d.root)

	// The status view is drawn every opts.every of clock time, on a timer
	// of the clock itself: in virtual time it shows the tree at exactly
	// 5 s, 10 s, ...
	due := false
	var frameTimer *vclock.Timer
	var arm func(at time.Duration)
	arm = func(at time.Duration) {
		frameTimer = vclock.NewTimer(d.clock)
		frameTimer.ExpiresAt(d.clock.Epoch().Add(at))
		frameTimer.AsyncWaitFunc(func() { due = true; arm(at + opts.every) }, vclock.OnFailureNoop)
	}
	arm(opts.every)

	// A blocking crank waits for a timer or a post: on cancellation, post
	// a no-op so that the loop sees it.
	stop := context.AfterFunc(ctx, func() { d.clock.PostAction(func() {}, "cancel", vclock.NormalAction) })
	defer stop()
	aborting := false
	for !d.root.IsDone() {
		if ctx.Err() != nil && !aborting {
			aborting = true
			d.event("interrupted: aborting the catchup")
			ws.Shutdown()
		}
		d.clock.Crank(true)
		d.rep.cranks++
		if due {
			due = false
			d.frame(ctx)
		}
	}
	frameTimer.Cancel()
	d.frame(ctx)

	d.rep.state = d.root.State()
	d.rep.virtualTime = d.clock.Elapsed()
	d.rep.processes = app.ProcessManager().ProcessesStarted()
	d.rep.downloaded = app.HistoryMetrics().GetBytes
	app.Shutdown()
	d.rep.wallTime = time.Since(wallStart)
	d.summary()
	return d.rep, nil
}

// onTransition is the application's transition listener: it counts, and
// reports the events worth a line.
func (d *demo) onTransition(e basicwork.TransitionEvent) {
	if _, ok := e.Work.(*scheduler.WorkScheduler); ok {
		return
	}
	get, isGet := e.Work.(*historywork.GetRemoteFileWork)
	_, isGunzip := e.Work.(*historywork.GunzipFileWork)
	switch {
	case e.From == basicwork.InternalPending && e.To == basicwork.InternalRunning:
		d.rep.attempts++
		if !d.started[e.Work] {
			d.started[e.Work] = true
			d.rep.works++
		}
		if isGet {
			d.rep.gets++
		}
		if isGunzip {
			d.rep.gunzips++
		}
	case e.To == basicwork.InternalRetrying:
		d.rep.retries++
		d.rep.attempts++
	case e.From == basicwork.InternalRetrying:
		// The retry timer is armed: the status says when.
		when, _, _ := strings.Cut(strings.TrimPrefix(e.Work.Status(), "Retrying in "), ":")
		d.event(fmt.Sprintf("%s: attempt %d of %d failed, retrying in %s", e.Name(), e.Attempt(), e.MaxRetries+1, when))
	case e.To == basicwork.InternalFailure && isGet:
		d.rep.failedGets++
		d.event(fmt.Sprintf("%s: %s", e.Name(), exitText(get.LastExit())))
	case e.To == basicwork.InternalFailure && !isGunzip:
		d.rep.failures++
		d.event(fmt.Sprintf("%s: FAILED after %d attempts", e.Name(), e.Attempt()))
	case e.To == basicwork.InternalSuccess:
		if _, ok := e.Work.(*worksequence.WorkSequence); ok {
			d.rep.applied++
			d.event(fmt.Sprintf("%s applied (%d/%d)", e.Name(), d.rep.applied, d.opts.checkpoints))
		}
	}
}

// exitText says how a get's process ended.
func exitText(ev *process.ExitEvent) string {
	var ee *process.ExitError
	switch {
	case ev == nil:
		return "could not start its command"
	case errors.As(ev.Err(), &ee) && ee.Signal != 0:
		return fmt.Sprintf("its process was killed by %v", ee.Signal)
	case errors.As(ev.Err(), &ee):
		return fmt.Sprintf("its process exited %d", ee.Code)
	}
	return fmt.Sprintf("its process failed: %v", ev.Err())
}

// formatBytes is n in KiB or MiB.
func formatBytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}

// shown replaces the work directory, which differs between runs, with
// $WORK.
func (d *demo) shown(s string) string { return strings.ReplaceAll(s, d.work, "$WORK") }

// event reports one event: at once when printing snapshots, in the
// recent events of the next frame when live.
func (d *demo) event(text string) {
	line := fmt.Sprintf("%8s  %s", "t="+workview.FormatDuration(d.clock.Elapsed()), d.shown(text))
	if !d.opts.live {
		fmt.Fprintln(d.out, line)
		return
	}
	d.events = append(d.events, line)
	if len(d.events) > liveEvents {
		d.events = d.events[len(d.events)-liveEvents:]
	}
}

// frame draws the status view of the catchup.
func (d *demo) frame(ctx context.Context) {
	snap := workview.Snapshot(d.root, d.clock.Elapsed())
	var b strings.Builder
	if d.opts.live {
		b.WriteString("\x1b[H\x1b[2J") // home, clear the screen
		b.WriteString(d.header)
	} else {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "=== t=%s  %s\n", workview.FormatDuration(d.clock.Elapsed()), snap.Metrics())
	b.WriteString(d.shown(snap.Render()))
	if d.opts.live {
		b.WriteString("\nrecent events:\n")
		for _, e := range d.events {
			b.WriteString(e + "\n")
		}
		b.WriteString("\n")
	} else {
		b.WriteString("\n")
	}
	io.WriteString(d.out, b.String())
	if d.opts.live && !d.opts.realTime && d.opts.frameDelay > 0 && !d.root.IsDone() {
		t := time.NewTimer(d.opts.frameDelay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
}

// summary prints the closing lines. The wall time is the last line, with
// the crank count, which depends on when the processes end: the only line
// that differs between two virtual-time runs with the same seed.
func (d *demo) summary() {
	r := d.rep
	fmt.Fprintf(d.out, "=== summary\n")
	fmt.Fprintf(d.out, "result:       %s\n", d.root.Status())
	fmt.Fprintf(d.out, "checkpoints:  %d of %d applied\n", r.applied, d.opts.checkpoints)
	fmt.Fprintf(d.out, "works:        %d run, %d attempts\n", r.works, r.attempts)
	fmt.Fprintf(d.out, "retries:      %d\n", r.retries)
	fmt.Fprintf(d.out, "failures:     %d\n", r.failures)
	fmt.Fprintf(d.out, "processes:    %d run: %d gets (%d failed), %d gunzips\n", r.processes, r.gets, r.failedGets, r.gunzips)
	fmt.Fprintf(d.out, "bytes moved:  %s downloaded, %s unzipped and verified\n", formatBytes(r.downloaded), formatBytes(r.verified))
	label := "virtual time:"
	if d.opts.realTime {
		label = "clock time:  "
	}
	fmt.Fprintf(d.out, "%s %s\n", label, workview.FormatDuration(r.virtualTime))
	fmt.Fprintf(d.out, "wall time:    %v, %d cranks\n", r.wallTime.Round(time.Microsecond), r.cranks)
}
