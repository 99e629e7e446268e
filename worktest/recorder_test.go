package worktest_test

import (
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/worktest"
)

// schedulerStart is how every trace starts: the WorkScheduler's creation.
const schedulerStart = `log TRACE Starting work-scheduler
log TRACE resetting work-scheduler
log DEBUG work work-scheduler : WORK_PENDING -> WORK_RUNNING
log DEBUG Running work-scheduler
log DEBUG work work-scheduler : WORK_RUNNING -> WORK_WAITING
`

func TestNewRecorderTracesTheSchedulerStart(t *testing.T) {
	r := worktest.NewRecorder(worktest.Options{})
	require.Equal(t, schedulerStart, r.String())
	require.Equal(t, []string{"work-scheduler"}, r.Tracked())
	require.Equal(t, 16, r.App().Config().MaxConcurrentSubprocesses)
}

func TestLevelsAreNamedAsInStellarCore(t *testing.T) {
	r := worktest.NewRecorder(worktest.Options{})
	lg := r.App().Logger()
	lg.Log(basicwork.TraceLevel, "t")
	lg.Debug("d")
	lg.Info("i")
	lg.Warn("w")
	lg.Error("e")
	require.Equal(t, schedulerStart+"log TRACE t\nlog DEBUG d\nlog INFO i\nlog WARNING w\nlog ERROR e\n", r.String())
}

func TestChecksAreEvaluated(t *testing.T) {
	r := worktest.NewRecorder(worktest.Options{})
	one := len("x")
	require.True(t, r.Check("one == 1", one == 1))
	require.False(t, r.Check("one == 2", one == 2))
	r.Note("a note")
	r.Live(3)
	require.Equal(t, schedulerStart+"check one == 1: ok\ncheck one == 2: FAILED\nnote a note\nlive 3\n", r.String())
	require.Equal(t, []string{"one == 2"}, r.Failed())
}

func TestCrankLoopsAndFinish(t *testing.T) {
	r := worktest.NewRecorder(worktest.Options{})
	w := testworks.NewDefaultBasicWork(r.App(), "w")
	require.NotNil(t, r.Scheduler().ScheduleWork(w))
	r.Track("w", w)
	require.True(t, r.CrankUntil(func() bool { return r.Scheduler().AllChildrenSuccessful() }, 0))
	require.Equal(t, 6, r.Cranks()) // as basicwork/one-work
	// One crank is left to do (the scheduler goes back to waiting); the
	// limit stops the loop before a crank that would block.
	require.False(t, r.CrankWhile(func() bool { return true }, 1))
	require.Equal(t, 7, r.Cranks())
	r.Finish()
	trace := r.String()
	require.Contains(t, trace, "crank 1 progress=2 t=0\nstatus work-scheduler: Running: work-scheduler : 0/1 children completed\nstatus w: Running: w\n")
	require.True(t, strings.HasSuffix(trace, "state work-scheduler: WORK_WAITING\nstate w: WORK_SUCCESS\n"), trace)
}

func TestTryCrankRefusesToBlock(t *testing.T) {
	r := worktest.NewRecorder(worktest.Options{})
	// The scheduler waits and nothing is posted: a blocking crank would
	// never return.
	_, err := r.TryCrank()
	require.ErrorIs(t, err, worktest.ErrWouldBlock)
	require.Equal(t, 0, r.Cranks())
	require.Equal(t, schedulerStart, r.String())
}

func TestExecuteAndJitter(t *testing.T) {
	for _, tc := range []struct {
		rand basicwork.Rand
		end  int64
	}{{nil, 6004}, {basicwork.LowerBound{}, 6004}, {basicwork.UpperBound{}, 7004}} {
		r := worktest.NewRecorder(worktest.Options{Rand: tc.rand, Config: basicwork.Config{MaxConcurrentSubprocesses: 4}})
		require.Equal(t, 4, r.App().Config().MaxConcurrentSubprocesses)
		w := testworks.NewBasicWork(r.App(), "w", true, 1, 3)
		require.True(t, r.Execute(w, 1000))
		require.Equal(t, basicwork.Failure, w.State())
		require.Equal(t, []string{"work-scheduler", "w"}, r.Tracked())
		// One 1 ms step per attempt; retries after 1 s, 2 s, then 3 s (low,
		// the default) or 4 s (high).
		require.Equal(t, tc.end, r.Clock().Elapsed().Milliseconds())
	}
}

// node is big enough, and has a pointer, so that the tiny allocator does
// not put two of them in one block (which would keep both alive).
type node struct {
	next *node
	pad  [8]int64
}

var _ = node{next: nil, pad: [8]int64{}}

func TestCountLive(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	alive := new(node)
	ps := []weak.Pointer[node]{weak.Make(alive), weak.Make(new(node))}
	require.Equal(t, 1, worktest.CountLive(ps))
	runtime.KeepAlive(alive)
	require.Equal(t, procs, runtime.GOMAXPROCS(0), "Collect restores GOMAXPROCS")
}
