package parity

import (
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
)

// handleCheckHeld checks that every work hold keeps is WORK_SUCCESS or
// WORK_ABORTED, one check line per work:
//
//	check-held
func (e *Env) handleCheckHeld(c *command) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	for _, w := range e.held {
		st := w.State()
		e.r.Check(fmt.Sprintf("%s state == WORK_SUCCESS || %s state == WORK_ABORTED", w.Name(), w.Name()),
			st == basicwork.Success || st == basicwork.Aborted)
	}
	return nil
}
