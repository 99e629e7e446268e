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

// A BatchWork over a Go iterator: each download is built only when the
// batch has room for it, here two at a time. "c" (1 s) starts when "bb"
// (2 s) is done, and ends before "aaaa" (4 s).
func ExampleNewSeq() {
	cfg := basicwork.DefaultConfig()
	cfg.MaxConcurrentSubprocesses = 2
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime), scheduler.WithConfig(cfg))
	files := []string{"aaaa", "bb", "c"}
	downloads := func(yield func(basicwork.Work) bool) {
		for _, f := range files {
			d := &fileDownload{took: time.Duration(len(f)) * time.Second}
			d.Init(app, f, basicwork.RetryAFew, d)
			fmt.Printf("%v: start %s\n", app.Clock().Elapsed(), f)
			if !yield(d) {
				return
			}
		}
	}
	b := batchwork.NewSeq(app, "download-all", basicwork.RetryNever, downloads)
	err := app.WorkScheduler().ExecuteWork(context.Background(), b)
	fmt.Println(b.Status(), err)
	// Output:
	// 0s: start aaaa
	// 0s: start bb
	// 2s: bb done
	// 2s: start c
	// 3s: c done
	// 4s: aaaa done
	// Succeeded: download-all : 3/3 children completed <nil>
}
