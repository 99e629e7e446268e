package scenario

// handleFinish writes the final state line of every tracked work and ends
// the scenario; its output is the whole trace:
//
//	finish
func (e *Env) handleFinish(c *command) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	e.r.Finish()
	e.finished = true
	return nil
}
