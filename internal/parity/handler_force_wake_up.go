package parity

import (
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
)

// handleForceWakeUp calls the TestBasicWork forceWakeUp() (which calls
// wakeUp()) on works, in order:
//
//	force-wake-up <name>...
func (e *Env) handleForceWakeUp(c *command) error {
	return e.eachWork(c, func(n string, w basicwork.Work) error {
		f, ok := w.(interface{ ForceWakeUp() })
		if !ok {
			return fmt.Errorf("%s (%T) has no forceWakeUp", n, w)
		}
		f.ForceWakeUp()
		return nil
	})
}
