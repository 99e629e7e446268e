package work_test

import (
	"context"
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// chunk is a leaf that takes a few cranks and says so.
type chunk struct {
	basicwork.BasicWork
	left int
}

func newChunk(app basicwork.Application, name string, cranks int) *chunk {
	c := &chunk{left: cranks}
	c.Init(app, name, basicwork.RetryNever, c)
	return c
}

func (c *chunk) OnRun() basicwork.State {
	c.left--
	fmt.Println("crank", c.Name(), "left", c.left)
	if c.left > 0 {
		return basicwork.Running
	}
	return basicwork.Success
}

func (c *chunk) OnAbort() bool { return true }

// fetchAll is a work with children: it adds them on its first DoWork, then
// waits until they are all done. (For a fixed list of children, with
// nothing to print, work.NewGroup is this work ready made: ExampleNewGroup.)
type fetchAll struct {
	work.Work
	added bool
}

func newFetchAll(app basicwork.Application) *fetchAll {
	f := &fetchAll{}
	f.Init(app, "fetch-all", basicwork.RetryNever, f)
	return f
}

// DoWork is called when no child is ready to be cranked.
func (f *fetchAll) DoWork() basicwork.State {
	if !f.added {
		f.added = true
		app := f.App()
		for _, c := range []basicwork.Work{newChunk(app, "a", 1), newChunk(app, "b", 3), newChunk(app, "c", 2)} {
			if err := f.AddWork(c); err != nil {
				return basicwork.Failure
			}
		}
		return basicwork.Running // not Waiting: the new children must be cranked
	}
	fmt.Println("DoWork:", f.Status())
	return f.CheckChildrenStatus()
}

// DoReset forgets the children, for a retry.
func (f *fetchAll) DoReset() { f.added = false }

// A Work cranks its children round-robin, one per crank, and calls its own
// DoWork when a round finds none to crank. A finished child is counted as
// completed, and dropped, when the next round's walk passes it.
func ExampleWork() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	f := newFetchAll(app)
	err := app.WorkScheduler().ExecuteWork(context.Background(), f)
	fmt.Println(f.Status(), err)
	// Output:
	// crank a left 0
	// crank b left 2
	// crank c left 1
	// DoWork: Running: fetch-all : 0/3 children completed
	// crank b left 1
	// crank c left 0
	// DoWork: Running: fetch-all : 1/3 children completed
	// crank b left 0
	// DoWork: Running: fetch-all : 2/3 children completed
	// Succeeded: fetch-all : 3/3 children completed <nil>
}

// GetWorkStatus sums up a set of works as a parent does.
func ExampleGetWorkStatus() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	a, b := newChunk(app, "a", 1), newChunk(app, "b", 1)
	fmt.Println(work.GetWorkStatus([]basicwork.Work{a, b}))
	// Output:
	// WORK_RUNNING
}
