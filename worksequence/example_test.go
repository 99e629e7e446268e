package worksequence_test

import (
	"context"
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/worksequence"
)

// stage is a leaf that prints its run and succeeds, or fails if told.
type stage struct {
	basicwork.BasicWork
	fail bool
}

func newStage(app basicwork.Application, name string, fail bool) *stage {
	s := &stage{fail: fail}
	s.Init(app, name, basicwork.RetryNever, s)
	return s
}

func (s *stage) OnRun() basicwork.State {
	fmt.Println("run", s.Name())
	if s.fail {
		return basicwork.Failure
	}
	return basicwork.Success
}

func (s *stage) OnAbort() bool { return true }

// A sequence runs its works one after another.
func ExampleNew() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	seq, err := worksequence.New(app, "publish", []basicwork.Work{
		newStage(app, "write-snapshot", false),
		newStage(app, "upload", false),
		newStage(app, "cleanup", false),
	})
	if err != nil {
		panic(err)
	}
	_ = app.WorkScheduler().ExecuteWork(context.Background(), seq)
	fmt.Println(seq.Status())
	// Output:
	// run write-snapshot
	// run upload
	// run cleanup
	// Succeeded: publish
}

// By default the first failure ends the sequence (after its own retries:
// none here). With WithStopAtFirstFailure(false) the others still run, and the
// sequence fails at the end.
func ExampleWithStopAtFirstFailure() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	for _, stop := range []bool{true, false} {
		seq, err := worksequence.New(app, fmt.Sprintf("stop-%v", stop), []basicwork.Work{
			newStage(app, "first", false),
			newStage(app, "broken", true),
			newStage(app, "last", false),
		}, worksequence.WithStopAtFirstFailure(stop), worksequence.WithMaxRetries(basicwork.RetryNever))
		if err != nil {
			panic(err)
		}
		_ = app.WorkScheduler().ExecuteWork(context.Background(), seq)
		fmt.Println(seq.Status())
	}
	// Output:
	// run first
	// run broken
	// Failed: stop-true
	// run first
	// run broken
	// run last
	// Failed: stop-false
}
