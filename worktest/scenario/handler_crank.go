package scenario

import (
	"fmt"
	"strconv"
)

// handleCrank runs clock.crank(true), writing the crank and status lines:
//
//	crank [N]
//
// N cranks, 1 by default.
func (e *Env) handleCrank(c *command) error {
	n := 1
	switch {
	case len(c.args) == 1 && len(c.args[0].Vals) == 0:
		var err error
		if n, err = strconv.Atoi(c.args[0].Key); err != nil || n < 1 {
			return fmt.Errorf("crank %s: want a count of at least 1", c.args[0].Key)
		}
	case len(c.args) > 1:
		return fmt.Errorf("crank takes at most one count")
	}
	for range n {
		if err := e.Crank(); err != nil {
			return err
		}
	}
	return nil
}
