// Command workdemo runs a history catchup, stellar-core style, on real
// files with real processes, in virtual time, and shows its work tree as it
// runs.
//
// It builds a local archive of gzipped checkpoint files with a SHA-256
// manifest in a work directory of its own. The catchup is a BatchWork over
// N checkpoints, at most -bandwidth of them in flight. Each checkpoint is a
// WorkSequence: a historywork.GetAndUnzipRemoteFileWork, whose get runs the
// archive's get template (a flaky variant that fails at a seeded rate, so
// that failing processes, retries and their backoff show) and whose gunzip
// runs gzip; a verify against the manifest; and a simulated apply, a
// ConditionalWork gated on the previous checkpoint's apply. The work
// directory is removed at the end, and no process is left.
//
// On a terminal the status view (package workview) is redrawn in place;
// otherwise a snapshot is printed every -every of clock time, with the
// events (retries, failures, checkpoints applied) between them. A summary
// ends the run. In virtual time (the default) a run takes a fraction of a
// second, and two runs with the same -seed print the same text, but for the
// line that reports the wall time.
//
// Usage:
//
//	go run ./cmd/workdemo [flags]
//
// The exit status is 0 when the catchup succeeds, 1 when it fails or is
// interrupted, and 2 on bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
)

// stopSignals end a run as Ctrl-C does: the tree is aborted, its processes
// killed and the work directory removed. SIGTERM is how timeout(1), a CI
// runner or a container stop ends a program; left to its default, it killed
// the demo before it could clean up.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr, isTerminal(os.Stdout))
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a character device, such as a terminal,
// other than the null device, and the terminal can move its cursor.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 || os.Getenv("TERM") == "dumb" {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// runMain is main without the process: it parses args, runs, and returns
// the exit status.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer, terminal bool) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	opts.live = opts.live && terminal
	rep, err := run(ctx, stdout, opts)
	if err != nil {
		fmt.Fprintln(stderr, "workdemo:", err)
		return 1
	}
	if rep.state != basicwork.Success {
		return 1
	}
	return 0
}

const (
	// maxCheckpoints bounds -checkpoints: 10000 checkpoints are about 500
	// MB of files and a minute and a half of wall time; ten times that
	// filled disks.
	maxCheckpoints = 10000
	// minEvery bounds a non-zero -every: at 1ns a run of 30 s of virtual
	// time drew thirty billion views.
	minEvery = 100 * time.Millisecond
)

// parseFlags reads the command line into options. Errors and the usage go
// to stderr.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("workdemo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: workdemo [flags]\n\nCatches up a history from a local archive of gzipped files, with real processes, in virtual time, and shows its work tree.\n\n")
		fs.PrintDefaults()
	}
	var o options
	plain := false
	fs.IntVar(&o.checkpoints, "checkpoints", 16, "number of checkpoints (of 64 ledgers) to catch up")
	fs.IntVar(&o.bandwidth, "bandwidth", 4, "most checkpoints in flight at once (the batch size)")
	fs.Float64Var(&o.failureRate, "failure-rate", 0.2, "probability that a get attempt fails, in [0, 1)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the files, the get failures and the backoff jitter")
	fs.StringVar(&o.dir, "dir", "", "where to make the work directory (default: the system's temporary directory)")
	fs.BoolVar(&o.realTime, "realtime", false, "run on the wall clock instead of in virtual time")
	fs.StringVar(&o.traceFile, "trace", "", "write a runtime trace to this file (see go tool trace)")
	fs.DurationVar(&o.every, "every", 0, "clock time between two status views (0: 1s on a terminal, 5s otherwise)")
	fs.BoolVar(&plain, "plain", false, "print successive snapshots even on a terminal")
	fs.DurationVar(&o.frameDelay, "frame-delay", 100*time.Millisecond, "wall-clock pause after each redraw on a terminal, in virtual time")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	o.live = !plain
	var bad string
	switch {
	case fs.NArg() > 0:
		bad = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case o.checkpoints < 1 || o.checkpoints > maxCheckpoints:
		bad = fmt.Sprintf("-checkpoints must be in [1, %d], not %d", maxCheckpoints, o.checkpoints)
	case o.bandwidth < 1:
		bad = fmt.Sprintf("-bandwidth must be at least 1, not %d", o.bandwidth)
	case !(o.failureRate >= 0 && o.failureRate < 1):
		bad = fmt.Sprintf("-failure-rate must be in [0, 1), not %v", o.failureRate)
	case o.every != 0 && o.every < minEvery:
		bad = fmt.Sprintf("-every must be 0 or at least %v, not %v", minEvery, o.every)
	case o.frameDelay < 0:
		bad = fmt.Sprintf("-frame-delay must not be negative, not %v", o.frameDelay)
	}
	if bad != "" {
		fmt.Fprintln(stderr, "workdemo:", bad)
		fs.Usage()
		return options{}, errors.New(bad)
	}
	return o, nil
}
