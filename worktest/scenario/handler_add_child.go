package scenario

import (
	"fmt"

	"github.com/cockroachdb/datadriven"
)

// handleAddChild adds children to a work, as parent->addTestWork<T>(args):
//
//	add-child <parent> [<kind> <name> [options]]
//
// Input lines give more children of the same parent, one per line.
func (e *Env) handleAddChild(c *command) error {
	items, err := c.items()
	if err != nil {
		return err
	}
	if len(c.args) == 0 || len(c.args[0].Vals) > 0 {
		return fmt.Errorf("add-child needs the parent's name first")
	}
	name := c.args[0].Key
	w, err := e.Work(name)
	if err != nil {
		return err
	}
	p, ok := w.(parent)
	if !ok || name == "wm" || w == e.r.Scheduler() {
		return fmt.Errorf("%s takes no children here (use schedule for the work scheduler)", name)
	}
	var specs [][]datadriven.CmdArg
	if len(c.args) > 1 {
		specs = append(specs, c.args[1:])
	}
	specs = append(specs, items[1:]...)
	if len(specs) == 0 {
		return fmt.Errorf("add-child %s needs a work spec", name)
	}
	for _, args := range specs {
		child, err := e.create(args)
		if err != nil {
			return err
		}
		if err := p.AddWork(child); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := e.register(child); err != nil {
			return err
		}
	}
	return nil
}
