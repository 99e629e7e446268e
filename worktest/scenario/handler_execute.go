package scenario

import (
	"fmt"
)

// handleExecute is WorkScheduler::executeWork as the parity harness runs
// it: schedule the work, track it, and crank while the clock is not
// stopped and the work is not done:
//
//	execute <kind> <name> [options]
//	execute <name>
func (e *Env) handleExecute(c *command) error {
	if len(c.args) == 0 {
		return fmt.Errorf("execute needs a work")
	}
	w, err := e.schedule(c.args)
	if err != nil {
		return err
	}
	return e.crankWhile(func() (bool, error) {
		return !e.r.Clock().IsStopped() && !w.IsDone(), nil
	}, nil)
}
