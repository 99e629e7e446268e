package batchwork_test

import (
	"context"
	"fmt"
	"time"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// fileDownload waits a while on the clock, then succeeds.
type fileDownload struct {
	basicwork.BasicWork
	took    time.Duration
	waiting bool
}

func (d *fileDownload) OnRun() basicwork.State {
	if !d.waiting {
		d.waiting = true
		d.SetupWaitingCallback(d.took)
		return basicwork.Waiting
	}
	fmt.Printf("%v: %s done\n", d.App().Clock().Elapsed(), d.Name())
	return basicwork.Success
}

func (d *fileDownload) OnAbort() bool { return true }
func (d *fileDownload) OnReset()      { d.waiting = false }

// downloadAll is a BatchWork: its Iterator yields one download per file.
// (batchwork.NewSlice and NewSeq are such a BatchWork ready made, over a
// slice or an iter.Seq: ExampleNewSeq.)
type downloadAll struct {
	batchwork.BatchWork
	files []string
	next  int
}

func (b *downloadAll) HasNext() bool { return b.next < len(b.files) }
func (b *downloadAll) ResetIter()    { b.next = 0 }

func (b *downloadAll) YieldMoreWork() basicwork.Work {
	d := &fileDownload{took: time.Duration(len(b.files[b.next])) * time.Second}
	d.Init(b.App(), b.files[b.next], basicwork.RetryAFew, d)
	b.next++
	fmt.Printf("%v: start %s\n", b.App().Clock().Elapsed(), d.Name())
	return d
}

// A BatchWork runs the works its iterator yields, at most
// Config().MaxConcurrentSubprocesses at a time: here 2.
func ExampleBatchWork() {
	cfg := basicwork.DefaultConfig()
	cfg.MaxConcurrentSubprocesses = 2
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithConfig(cfg))
	b := &downloadAll{files: []string{"aaaa", "bb", "c", "ddd"}}
	b.Init(app, "download-all", basicwork.RetryNever, b)
	_ = app.WorkScheduler().ExecuteWork(context.Background(), b)
	fmt.Println(b.Status())
	// Output:
	// 0s: start aaaa
	// 0s: start bb
	// 2s: bb done
	// 2s: start c
	// 3s: c done
	// 3s: start ddd
	// 4s: aaaa done
	// 6s: ddd done
	// Succeeded: download-all : 4/4 children completed
}
