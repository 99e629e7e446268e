package scenario

import "github.com/stellarwork/stellarwork/basicwork"

// handleShutdown calls shutdown() on works, in order:
//
//	shutdown <name>...
//
// wm or work-scheduler names the WorkScheduler.
func (e *Env) handleShutdown(c *command) error {
	return e.eachWork(c, func(_ string, w basicwork.Work) error {
		w.Shutdown()
		return nil
	})
}
