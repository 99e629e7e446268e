package parity

import "fmt"

// handleForceWakeUp calls the TestBasicWork forceWakeUp() (which calls
// wakeUp()) on works, in order:
//
//	force-wake-up <name>...
func (e *Env) handleForceWakeUp(c *command) error {
	names, err := c.names()
	if err != nil {
		return err
	}
	for _, n := range names {
		w, err := e.work(n)
		if err != nil {
			return err
		}
		f, ok := w.(interface{ ForceWakeUp() })
		if !ok {
			return fmt.Errorf("%s (%T) has no forceWakeUp", n, w)
		}
		f.ForceWakeUp()
	}
	return nil
}
