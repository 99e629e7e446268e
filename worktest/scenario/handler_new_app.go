package scenario

import (
	"fmt"
	"strconv"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/worktest"
)

// handleNewApp builds the virtual clock, the application and its
// WorkScheduler:
//
//	new-app [jitter=low|high] [bandwidth=N]
//
// jitter picks the bound every backoff draw returns (default low);
// bandwidth is MaxConcurrentSubprocesses (default 16).
func (e *Env) handleNewApp(c *command) error {
	var opts worktest.Options
	for _, a := range c.args {
		if len(a.Vals) != 1 {
			return fmt.Errorf("%s takes one value", a.Key)
		}
		v := a.Vals[0]
		switch a.Key {
		case "jitter":
			switch v {
			case "low":
				opts.Rand = basicwork.LowerBound{}
			case "high":
				opts.Rand = basicwork.UpperBound{}
			default:
				return fmt.Errorf("jitter=%s: want low or high", v)
			}
		case "bandwidth":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("bandwidth=%s: want a count of at least 1", v)
			}
			opts.Config = basicwork.Config{MaxConcurrentSubprocesses: n}
		default:
			return fmt.Errorf("unknown option %s", a.Key)
		}
	}
	e.r = worktest.NewRecorder(opts)
	return nil
}
