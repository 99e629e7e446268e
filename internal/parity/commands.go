package parity

import (
	"fmt"

	"github.com/cockroachdb/datadriven"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
)

// checkSuccess is the upstream checkSuccess(w) of TestBasicWorks:
//
//	check-success <name>...
//
// For each work it writes five checks: the state is WORK_SUCCESS,
// runningCount == steps, successCount == 1, failureCount == 0 and
// retryCount == 0.
func checkSuccess(e *Env, args []datadriven.CmdArg) error {
	return eachWork(e, "check-success", args, func(n string, w basicwork.Work) error {
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
			ok, err := e.Holds(src)
			if err != nil {
				return err
			}
			e.Check(src, ok)
		}
		return nil
	})
}

// forceWakeUp calls the TestBasicWork forceWakeUp() (which calls
// wakeUp()) on works, in order:
//
//	force-wake-up <name>...
func forceWakeUp(e *Env, args []datadriven.CmdArg) error {
	return eachWork(e, "force-wake-up", args, func(n string, w basicwork.Work) error {
		f, ok := w.(interface{ ForceWakeUp() })
		if !ok {
			return fmt.Errorf("%s (%T) has no forceWakeUp", n, w)
		}
		f.ForceWakeUp()
		return nil
	})
}

// heldKey keys the works hold keeps, in the Env's values.
type heldKey struct{}

// hold locks every weak pointer a TestBatchWork keeps to its batched
// works, checks "batched work is alive" for each, and keeps a strong
// reference to those alive (for check-held):
//
//	hold <name>
func hold(e *Env, args []datadriven.CmdArg) error {
	name, err := oneName("hold", args)
	if err != nil {
		return err
	}
	w, err := e.Work(name)
	if err != nil {
		return err
	}
	b, ok := w.(*testworks.BatchWork)
	if !ok {
		return fmt.Errorf("%s (%T) is not a TestBatchWork", name, w)
	}
	held, _ := e.Value(heldKey{}).([]*basicwork.BasicWork)
	for _, p := range b.BatchedWorks {
		v := p.Value()
		e.Check("batched work is alive", v != nil)
		if v != nil {
			held = append(held, v)
		}
	}
	e.SetValue(heldKey{}, held)
	return nil
}

// checkHeld checks that every work hold keeps is WORK_SUCCESS or
// WORK_ABORTED, one check line per work:
//
//	check-held
func checkHeld(e *Env, args []datadriven.CmdArg) error {
	if len(args) > 0 {
		return fmt.Errorf("check-held takes no arguments")
	}
	held, _ := e.Value(heldKey{}).([]*basicwork.BasicWork)
	for _, w := range held {
		st := w.State()
		e.Check(fmt.Sprintf("%s state == WORK_SUCCESS || %s state == WORK_ABORTED", w.Name(), w.Name()),
			st == basicwork.Success || st == basicwork.Aborted)
	}
	return nil
}
