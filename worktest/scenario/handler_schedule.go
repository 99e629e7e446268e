package scenario

import (
	"fmt"

	"github.com/cockroachdb/datadriven"
	"github.com/stellarwork/stellarwork/basicwork"
)

// handleSchedule schedules works on the WorkScheduler, as
// wm.scheduleWork<T>(args):
//
//	schedule <kind> <name> [options]     create, track and schedule
//	schedule <name>                      schedule a standalone work
//
// Input lines give more works, one per line, in either form.
func (e *Env) handleSchedule(c *command) error {
	items, err := c.items()
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("schedule needs a work")
	}
	for _, args := range items {
		if _, err := e.schedule(args); err != nil {
			return err
		}
	}
	return nil
}

// schedule creates (unless args name an existing work) and schedules one
// work.
func (e *Env) schedule(args []datadriven.CmdArg) (basicwork.Work, error) {
	var w basicwork.Work
	if len(args) == 1 && len(args[0].Vals) == 0 {
		var err error
		if w, err = e.Work(args[0].Key); err != nil {
			return nil, err
		}
	} else {
		var err error
		if w, err = e.create(args); err != nil {
			return nil, err
		}
		if err := e.register(w); err != nil {
			return nil, err
		}
	}
	if e.r.Scheduler().ScheduleWork(w) == nil {
		return nil, fmt.Errorf("the work scheduler refused %s", w.Name())
	}
	return w, nil
}
