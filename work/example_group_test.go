package work_test

import (
	"context"
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// A Group runs a fixed list of children side by side and succeeds when all
// of them have: no DoWork of your own to write.
func ExampleNewGroup() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	g := work.NewGroup(app, "fetch-all", basicwork.RetryNever,
		newChunk(app, "a", 1), newChunk(app, "b", 2))
	err := app.WorkScheduler().ExecuteWork(context.Background(), g)
	fmt.Println(g.Status(), err)
	// Output:
	// crank a left 0
	// crank b left 1
	// crank b left 0
	// Succeeded: fetch-all : 2/2 children completed <nil>
}
