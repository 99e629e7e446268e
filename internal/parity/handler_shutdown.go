package parity

// handleShutdown calls shutdown() on works, in order:
//
//	shutdown <name>...
//
// wm or work-scheduler names the WorkScheduler.
func (e *Env) handleShutdown(c *command) error {
	names, err := c.names()
	if err != nil {
		return err
	}
	for _, n := range names {
		w, err := e.work(n)
		if err != nil {
			return err
		}
		w.Shutdown()
	}
	return nil
}
