package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/historywork"
	"github.com/stellarwork/stellarwork/worksequence"
)

// The shape of the simulated history archive, as in stellar-core: a
// checkpoint every 64 ledgers, named by its last ledger (63, 127, ...).
const checkpointFrequency = 64

// Simulated durations, in clock time. Downloads and gunzips are real
// processes: in virtual time they take none (process.WithHoldVirtualTime).
const (
	applyStep  = 500 * time.Millisecond // per applyBatch ledgers
	applyBatch = 16
	gatePoll   = 500 * time.Millisecond // how often a gated apply checks
)

// verify checks a downloaded, unzipped checkpoint file against the
// archive's SHA-256 manifest. A file that does not match fails its
// checkpoint: downloading it again would not change it.
type verify struct {
	basicwork.BasicWork
	ft       historywork.FileTransferInfo
	manifest map[string][sha256.Size]byte
	verified *int64 // bytes verified, the demo's count
}

func newVerify(app basicwork.Application, ft historywork.FileTransferInfo, manifest map[string][sha256.Size]byte, verified *int64) *verify {
	v := &verify{ft: ft, manifest: manifest, verified: verified}
	v.Init(app, fmt.Sprintf("verify-%d", ft.Checkpoint()), basicwork.RetryNever, v)
	return v
}

func (v *verify) OnRun() basicwork.State {
	data, err := os.ReadFile(v.ft.LocalPathNoGz())
	want, ok := v.manifest[v.ft.RemoteName()]
	if err != nil || !ok || sha256.Sum256(data) != want {
		return basicwork.Failure
	}
	*v.verified += int64(len(data))
	return basicwork.Success
}

func (v *verify) OnAbort() bool { return true }

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

// newCatchup returns the BatchWork over the checkpoints, a batchwork.Seq:
// its iterator yields, in order, one WorkSequence per checkpoint: a
// historywork.GetAndUnzipRemoteFileWork (a get through the archive's
// template, then gzip -d), a verify against the manifest, which adds the
// bytes it verified to *verified, and an apply gated on the apply of the
// checkpoint before it. At most Config().MaxConcurrentSubprocesses
// checkpoints are in flight; a checkpoint's apply only waits on checkpoints
// yielded before it, so the batch always makes progress. A retry would
// start the iteration, and the chain of gates, over.
func newCatchup(app *historywork.App, a *archive, verified *int64) *batchwork.Seq {
	first, last := a.files[0].Checkpoint(), a.files[len(a.files)-1].Checkpoint()
	return batchwork.NewSeq(app, fmt.Sprintf("catchup-%d-%d", first, last), basicwork.RetryNever,
		func(yield func(basicwork.Work) bool) {
			var prevApply *apply
			for _, ft := range a.files {
				cp := ft.Checkpoint()
				ap := newApply(app, cp)
				cond := func(basicwork.Application) bool { return true }
				if prev := prevApply; prev != nil {
					// Monotonic: an applied checkpoint stays applied.
					cond = func(basicwork.Application) bool { return prev.State() == basicwork.Success }
				}
				prevApply = ap
				gated, err := conditionalwork.New(app, fmt.Sprintf("gated-apply-%d", cp), cond, ap,
					conditionalwork.WithSleepDelay(gatePoll))
				if err != nil {
					panic(err) // neither is nil
				}
				seq, err := worksequence.New(app, fmt.Sprintf("checkpoint-%d", cp), []basicwork.Work{
					historywork.NewGetAndUnzipRemoteFileWork(app, ft, nil, basicwork.RetryALot, true),
					newVerify(app, ft, a.manifest, verified),
					gated,
				}, worksequence.WithMaxRetries(basicwork.RetryNever))
				if err != nil {
					panic(err)
				}
				if !yield(seq) {
					return
				}
			}
		})
}
