package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/worksequence"
)

// The shape of the simulated history archive, as in stellar-core: a
// checkpoint every 64 ledgers, named by its last ledger (63, 127, ...).
const checkpointFrequency = 64

// Simulated durations, in clock time.
const (
	minDownload = time.Second     // a download takes minDownload..maxDownload
	maxDownload = 5 * time.Second //
	verifyTime  = 500 * time.Millisecond
	applyStep   = 500 * time.Millisecond // per applyBatch ledgers
	applyBatch  = 16
	gatePoll    = 500 * time.Millisecond // how often a gated apply checks
)

// download fetches one checkpoint's files: each attempt waits a random time,
// then fails with the configured probability. It is retried
// basicwork.RetryAFew times, with the library's exponential backoff.
type download struct {
	basicwork.BasicWork
	rng         *rand.Rand
	failureRate float64
	inFlight    bool
}

func newDownload(app basicwork.Application, checkpoint uint32, failureRate float64, seed uint64) *download {
	d := &download{
		// One source per download, so that its draws do not depend on the
		// order in which the downloads run.
		rng:         rand.New(rand.NewPCG(seed, uint64(checkpoint))),
		failureRate: failureRate,
	}
	d.Init(app, fmt.Sprintf("download-%d", checkpoint), basicwork.RetryAFew, d)
	return d
}

func (d *download) OnRun() basicwork.State {
	if !d.inFlight {
		d.inFlight = true
		steps := int64((maxDownload - minDownload) / (100 * time.Millisecond))
		d.SetupWaitingCallback(minDownload + time.Duration(d.rng.Int64N(steps+1))*100*time.Millisecond)
		return basicwork.Waiting
	}
	d.inFlight = false
	if d.rng.Float64() < d.failureRate {
		return basicwork.Failure
	}
	return basicwork.Success
}

func (d *download) OnAbort() bool { return true }
func (d *download) OnReset()      { d.inFlight = false }

// Status says which attempt is downloading.
func (d *download) Status() string {
	s := d.BasicWork.Status()
	if d.inFlight && strings.HasPrefix(s, "Waiting: ") {
		return fmt.Sprintf("Downloading, attempt %d of %d: %s", d.Attempt(), d.MaxRetries()+1, d.Name())
	}
	return s
}

// verify checks the downloaded files.
type verify struct {
	basicwork.BasicWork
	inFlight bool
}

func newVerify(app basicwork.Application, checkpoint uint32) *verify {
	v := &verify{}
	v.Init(app, fmt.Sprintf("verify-%d", checkpoint), basicwork.RetryAFew, v)
	return v
}

func (v *verify) OnRun() basicwork.State {
	if !v.inFlight {
		v.inFlight = true
		v.SetupWaitingCallback(verifyTime)
		return basicwork.Waiting
	}
	v.inFlight = false
	return basicwork.Success
}

func (v *verify) OnAbort() bool { return true }
func (v *verify) OnReset()      { v.inFlight = false }

// apply applies a checkpoint's ledgers, applyBatch at a time.
type apply struct {
	basicwork.BasicWork
	first, last uint32
	applied     uint32
}

func newApply(app basicwork.Application, checkpoint uint32) *apply {
	a := &apply{first: max(1, checkpoint+1-checkpointFrequency), last: checkpoint}
	a.Init(app, fmt.Sprintf("apply-%d", checkpoint), basicwork.RetryAFew, a)
	return a
}

func (a *apply) total() uint32 { return a.last - a.first + 1 }

func (a *apply) OnRun() basicwork.State {
	if a.applied == a.total() {
		return basicwork.Success
	}
	a.applied = min(a.total(), a.applied+applyBatch)
	a.SetupWaitingCallback(applyStep)
	return basicwork.Waiting
}

func (a *apply) OnAbort() bool { return true }
func (a *apply) OnReset()      { a.applied = 0 }

// Status counts the ledgers applied.
func (a *apply) Status() string {
	if a.applied > 0 && !a.IsDone() {
		return fmt.Sprintf("Applied %d/%d ledgers (%d-%d): %s", a.applied, a.total(), a.first, a.last, a.Name())
	}
	return a.BasicWork.Status()
}

// catchup is the BatchWork over the checkpoints: it yields, in order, one
// WorkSequence per checkpoint, download then verify then apply, whose apply
// is gated on the apply of the checkpoint before it. At most
// Config().MaxConcurrentSubprocesses checkpoints are in flight; a
// checkpoint's apply only waits on checkpoints yielded before it, so the
// batch always makes progress.
type catchup struct {
	batchwork.BatchWork
	app         basicwork.Application
	checkpoints []uint32
	failureRate float64
	seed        uint64

	next      int
	prevApply *apply
}

func newCatchup(app basicwork.Application, count int, failureRate float64, seed uint64) *catchup {
	c := &catchup{app: app, failureRate: failureRate, seed: seed}
	for i := range count {
		c.checkpoints = append(c.checkpoints, uint32((i+1)*checkpointFrequency-1))
	}
	c.Init(app, fmt.Sprintf("catchup-%d-%d", c.checkpoints[0], c.checkpoints[count-1]), basicwork.RetryNever, c)
	return c
}

func (c *catchup) HasNext() bool { return c.next < len(c.checkpoints) }

func (c *catchup) ResetIter() {
	c.next = 0
	c.prevApply = nil
}

func (c *catchup) YieldMoreWork() basicwork.Work {
	cp := c.checkpoints[c.next]
	c.next++

	ap := newApply(c.app, cp)
	cond := func(basicwork.Application) bool { return true }
	if prev := c.prevApply; prev != nil {
		// Monotonic: an applied checkpoint stays applied.
		cond = func(basicwork.Application) bool { return prev.State() == basicwork.Success }
	}
	c.prevApply = ap
	gated, err := conditionalwork.New(c.app, fmt.Sprintf("gated-apply-%d", cp), cond, ap,
		conditionalwork.SleepDelay(gatePoll))
	if err != nil {
		panic(err) // neither is nil
	}
	seq, err := worksequence.New(c.app, fmt.Sprintf("checkpoint-%d", cp), []basicwork.Work{
		newDownload(c.app, cp, c.failureRate, c.seed),
		newVerify(c.app, cp),
		gated,
	}, worksequence.MaxRetries(basicwork.RetryNever))
	if err != nil {
		panic(err)
	}
	return seq
}
