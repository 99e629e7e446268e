package stellarwork_test

import (
	"context"
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
	"github.com/stellarwork/stellarwork/work"
)

// download is the leaf of the package guide: three cranks, then success.
type download struct {
	basicwork.BasicWork
	left int
}

func newDownload(app basicwork.Application, name string) *download {
	d := &download{left: 3}
	d.Init(app, name, basicwork.RetryAFew, d)
	return d
}

func (d *download) OnRun() basicwork.State {
	if d.left--; d.left > 0 {
		return basicwork.Running // crank me again
	}
	return basicwork.Success
}

func (d *download) OnAbort() bool { return true }

// The guide's leaf, run on its own and then as two children of a Group.
func Example() {
	app := scheduler.NewApp(vclock.New(vclock.VirtualTime))
	d := newDownload(app, "ledger-63")
	err := app.WorkScheduler().ExecuteWork(context.Background(), d)
	fmt.Println(d.Status(), err)

	g := work.NewGroup(app, "catchup", basicwork.RetryNever,
		newDownload(app, "ledger-127"), newDownload(app, "ledger-191"))
	err = app.WorkScheduler().ExecuteWork(context.Background(), g)
	fmt.Println(g.Status(), err)
	// Output:
	// Succeeded: ledger-63 <nil>
	// Succeeded: catchup : 2/2 children completed <nil>
}
