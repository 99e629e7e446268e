package robust

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/parity"
)

// shutdownBound bounds the cranks from a shutdown to ABORTED in the
// scenarios: their trees abort within a few dozen cranks.
const shutdownBound = 1000

// TestShutdownAtEveryCrank runs every scenario of internal/parity/testdata
// (the 28 parity scenarios and the extra ones) once to count its cranks K,
// then once for every k in 0..K, stopping it before crank k+1 (k = K: after
// its finish) to shut the work scheduler down. The scheduler must then
// reach WORK_ABORTED within shutdownBound cranks without ever finding
// nothing to crank, and leave every work of the scenario pending or done,
// no timer armed, no action posted and no goroutine running.
//
// Each run repeats the scenario up to crank k, so a scenario costs K²/2
// cranks: about 1.26 million cranks in all, some 90 s under -race. That is
// the long run (STELLARWORK_LONG=1); the normal run takes the points of
// shutdownPoints, about 1,000 shutdowns and 100,000 cranks.
func TestShutdownAtEveryCrank(t *testing.T) {
	defer goleak.VerifyNone(t)
	files, err := scenarioFiles()
	if err != nil {
		t.Fatal(err)
	}
	var runs, cranks int
	for _, path := range files {
		name := strings.TrimSuffix(filepath.ToSlash(path), ".txt")
		name = name[strings.Index(name, "testdata/")+len("testdata/"):]
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, env, err := parity.Run(path, strings.NewReader(string(src)))
			if err != nil {
				t.Fatal(err)
			}
			total := env.Cranks()
			for _, k := range shutdownPoints(total, long()) {
				_, env, err := parity.RunWith(path, strings.NewReader(string(src)), parity.RunOptions{
					BeforeCrank: func(_ *parity.Env, n int) bool { return n == k },
					NoCollect:   true,
				})
				switch {
				case k < total && !errors.Is(err, parity.ErrStopped):
					t.Fatalf("k=%d: the scenario did not stop: %v", k, err)
				case k == total && err != nil:
					t.Fatalf("k=%d: %v", k, err)
				}
				n, err := shutdownScenario(env)
				if err != nil {
					t.Fatalf("shutdown after crank %d of %d: %v", k, total, err)
				}
				runs++
				cranks += k + n
			}
		})
	}
	t.Logf("%d scenarios, %d shutdowns, %d cranks", len(files), runs, cranks)
}

// shutdownPoints returns the cranks k in 0..total before which to shut a
// scenario of total cranks down: all of them in a long run; otherwise
// every one of the first 24 and the last 8 (where the starts and the end
// of a scenario are), and 16 more spread evenly in between, so that a
// scenario costs at most about 16 runs of its whole length.
func shutdownPoints(total int, all bool) []int {
	const head, tail, spread = 24, 8, 16
	var ks []int
	for k := 0; k <= total; k++ {
		if all || k < head || k > total-tail || (k*spread)%(total+1) < spread {
			ks = append(ks, k)
		}
	}
	return ks
}

// shutdownScenario shuts the scenario's scheduler down, cranks it to
// WORK_ABORTED and checks that nothing is left; it returns the cranks it
// took.
func shutdownScenario(env *parity.Env) (int, error) {
	rec := env.Recorder()
	clock, ws := rec.Clock(), rec.Scheduler()
	ws.Shutdown()
	n := 0
	for ; ws.State() != basicwork.Aborted; n++ {
		if n >= shutdownBound {
			return n, fmt.Errorf("the scheduler is %s %d cranks after the shutdown", baseOf(ws).InternalState(), n)
		}
		if clock.Crank(false) == 0 {
			return n, fmt.Errorf("the scheduler is %s and nothing is left to crank", baseOf(ws).InternalState())
		}
	}
	for _, w := range env.Works() {
		switch st := baseOf(w).InternalState(); st {
		case basicwork.InternalPending, basicwork.InternalSuccess, basicwork.InternalFailure, basicwork.InternalAborted:
		default:
			return n, fmt.Errorf("%s is %s after the scheduler aborted", w.Name(), st)
		}
	}
	if k := clock.PendingTimers(); k != 0 {
		return n, fmt.Errorf("%d timers armed after the scheduler aborted", k)
	}
	if k := clock.ActionQueueSize(); k != 0 {
		return n, fmt.Errorf("%d actions posted after the scheduler aborted", k)
	}
	return n, nil
}
