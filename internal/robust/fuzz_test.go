package robust

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/parity"
)

// FuzzOps decodes its input into a random tree and a sequence of
// operations (schedule, add a child, crank, wake up, shut down the
// scheduler or a work, advance time), runs it on the library and on the
// reference model, and fails on any difference, any broken invariant, or
// any panic other than a documented programmer error that the model, which
// asserts where the C++ does, also hits. Unlike the property test, it keeps
// the operations the C++ asserts on (waking a work that waits for a retry,
// shutting down the running child of a sequence, ...).
func FuzzOps(f *testing.F) {
	r := rand.New(rand.NewPCG(8, 8))
	for _, n := range []int{0, 8, 32, 64, 128, 256, 512} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cs := genCase(&byteSource{b: data})
		if _, err := runCase(cs, false); err != nil {
			t.Fatal(err)
		}
	})
}

// fuzzMaxCranks bounds the cranks (and loop rounds) of a fuzzed scenario:
// the fuzzing engine gives up on an input that takes 10 s, and a scenario
// that runs "live" (a full collection) at every crank of a long loop took
// longer (testdata/fuzz/FuzzScenario/624201f2d5f88c21).
const fuzzMaxCranks = 300

// FuzzScenario runs its input as a scenario file (the parity scenario
// language, as cmd/worktrace runs one). A syntax error, an unknown work or a
// scenario that never ends must come back as an error; the only panics
// allowed are the documented programmer errors that a scenario can commit
// (cranking a waiting work, an illegal transition, a duplicate batch child,
// ...). Once the scenario is over, the scheduler must abort after a
// shutdown within a bounded number of cranks, leaving no timer armed.
func FuzzScenario(f *testing.F) {
	files, err := scenarioFiles()
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, src string) {
		if err := fuzzScenario(src); err != nil {
			t.Fatal(err)
		}
	})
}

// fuzzScenario runs one fuzzed scenario and checks how it ends.
func fuzzScenario(src string) error {
	var env *parity.Env
	v, panicked := catch(func() {
		_, env, _ = parity.RunWith("fuzz", strings.NewReader(src), parity.RunOptions{MaxCranks: fuzzMaxCranks})
	})
	if panicked {
		if !documentedPanic(v) {
			return fmt.Errorf("undocumented panic %T: %v", v, v)
		}
		return nil
	}
	if env == nil || env.Recorder() == nil {
		return nil // rejected before new-app
	}
	var err error
	v, panicked = catch(func() { err = shutdownAndDrain(env, 10*fuzzMaxCranks) })
	if panicked && !documentedPanic(v) {
		return fmt.Errorf("undocumented panic while shutting down %T: %v", v, v)
	}
	return err
}

// shutdownAndDrain shuts the scenario's scheduler down and cranks until it
// is aborted, then checks that no timer is armed and nothing is posted.
func shutdownAndDrain(env *parity.Env, bound int) error {
	rec := env.Recorder()
	clock, ws := rec.Clock(), rec.Scheduler()
	ws.Shutdown()
	for n := 0; ws.State() != basicwork.Aborted; n++ {
		if n >= bound {
			return fmt.Errorf("the scheduler is %s %d cranks after the shutdown", baseOf(ws).InternalState(), bound)
		}
		if clock.Crank(false) == 0 {
			return fmt.Errorf("the scheduler is %s and nothing is left to crank", baseOf(ws).InternalState())
		}
	}
	if n := clock.PendingTimers(); n != 0 {
		return fmt.Errorf("%d timers armed after the scheduler aborted", n)
	}
	if n := clock.ActionQueueSize(); n != 0 {
		return fmt.Errorf("%d actions posted after the scheduler aborted", n)
	}
	return nil
}

// scenarioFiles lists the scenario files of internal/parity/testdata (not
// the traces).
func scenarioFiles() ([]string, error) {
	all, err := filepath.Glob(filepath.Join("..", "parity", "testdata", "*", "*.txt"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range all {
		if !strings.Contains(filepath.ToSlash(p), "/traces/") {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenario files")
	}
	return out, nil
}
