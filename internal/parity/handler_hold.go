package parity

import (
	"fmt"

	"github.com/stellarwork/stellarwork/internal/testworks"
)

// handleHold locks every weak pointer a TestBatchWork keeps to its batched
// works, checks "batched work is alive" for each, and keeps a strong
// reference to those alive (for check-held):
//
//	hold <name>
func (e *Env) handleHold(c *command) error {
	name, err := c.oneName()
	if err != nil {
		return err
	}
	w, err := e.work(name)
	if err != nil {
		return err
	}
	b, ok := w.(*testworks.BatchWork)
	if !ok {
		return fmt.Errorf("%s (%T) is not a TestBatchWork", name, w)
	}
	for _, p := range b.BatchedWorks {
		v := p.Value()
		e.r.Check("batched work is alive", v != nil)
		if v != nil {
			e.held = append(e.held, v)
		}
	}
	return nil
}
