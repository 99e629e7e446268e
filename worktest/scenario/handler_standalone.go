package scenario

import "fmt"

// handleStandalone creates works without starting them (they stay
// PENDING), as std::make_shared<T>(app, args), for a sequence, a
// conditional work or a list batch to take:
//
//	standalone <kind> <name> [options]
//
// Input lines give more works, one per line.
func (e *Env) handleStandalone(c *command) error {
	items, err := c.items()
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("standalone needs a work spec")
	}
	for _, args := range items {
		w, err := e.create(args)
		if err != nil {
			return err
		}
		if err := e.register(w); err != nil {
			return err
		}
	}
	return nil
}
