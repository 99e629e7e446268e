package parity

import (
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
)

// handleCheckSuccess is the upstream checkSuccess(w) of TestBasicWorks:
//
//	check-success <name>...
//
// For each work it checks, each as one check line, that the state is
// WORK_SUCCESS, runningCount == steps, successCount == 1, failureCount == 0
// and retryCount == 0.
func (e *Env) handleCheckSuccess(c *command) error {
	return e.eachWork(c, func(n string, w basicwork.Work) error {
		var steps int
		switch t := w.(type) {
		case *testworks.BasicWork:
			steps = t.Steps
		case *testworks.WaitingWork:
			steps = t.Steps
		default:
			return fmt.Errorf("%s (%T) is not a TestBasicWork", n, w)
		}
		for _, src := range []string{
			n + " state == WORK_SUCCESS",
			fmt.Sprintf("%s.runningCount == %d", n, steps),
			n + ".successCount == 1",
			n + ".failureCount == 0",
			n + ".retryCount == 0",
		} {
			x, err := compile(src)
			if err != nil {
				return err
			}
			if err := e.check(x); err != nil {
				return err
			}
		}
		return nil
	})
}
