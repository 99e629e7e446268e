package process_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// echo is a RunCommandWork whose output goes to a file.
type echo struct {
	process.RunCommandWork
	out string
}

func (w *echo) GetCommand() process.CommandInfo {
	return process.CommandInfo{Command: "echo hello", OutFile: w.out}
}

// An application that owns its process manager: a RunCommandWork is built
// from it, its temporary files go under the application's TmpDir, and
// shutting the application down shuts the manager down.
func ExampleApp() {
	dir, _ := os.MkdirTemp("", "process-example-")
	defer os.RemoveAll(dir)
	clock := vclock.New(vclock.VirtualTime)
	defer clock.Shutdown()
	app := process.NewApp(scheduler.NewApp(clock, scheduler.WithTmpDir(dir)))

	w := &echo{out: filepath.Join(dir, "hello.txt")}
	w.Init(app, "echo", basicwork.RetryNever, w)
	err := app.WorkScheduler().ExecuteWork(context.Background(), w)
	out, _ := os.ReadFile(w.out)
	fmt.Print(w.State(), " ", err, " ", string(out))
	fmt.Println("exit:", w.LastExit().Err(), "processes:", app.ProcessManager().ProcessesStarted())

	app.Shutdown()
	fmt.Println("manager shut down:", app.ProcessManager().IsShutdown())
	// Output:
	// WORK_SUCCESS <nil> hello
	// exit: <nil> processes: 1
	// manager shut down: true
}
