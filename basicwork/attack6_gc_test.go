package basicwork_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"

	"github.com/stellarwork/stellarwork/basicwork"
)

// The outer types of TestAttack6SelfChurnChild: a BasicWork after fields
// of odd sizes, one level down, two levels down beside other embedded
// structs, in a generic type, embedded through a pointer (Init's general
// path, which keeps the write barrier), and as elements of one slice
// (each self points into the middle of the slice's array).
type (
	a6Odd struct {
		_ [3]byte
		_ *int
		basicwork.BasicWork
		_ byte
	}
	a6Inner struct {
		s string
		basicwork.BasicWork
	}
	a6Side   struct{ q, _ *int }
	a6Nested struct {
		_ [5]uint16
		a6Side
		a6Inner
	}
	a6Gen[T any] struct {
		v T
		basicwork.BasicWork
	}
	a6ByPtr struct {
		z int
		*basicwork.BasicWork
	}
)

func (*a6Odd) OnRun() basicwork.State    { return basicwork.Success }
func (*a6Odd) OnAbort() bool             { return true }
func (*a6Inner) OnRun() basicwork.State  { return basicwork.Success }
func (*a6Inner) OnAbort() bool           { return true }
func (*a6Nested) OnRun() basicwork.State { return basicwork.Success }
func (*a6Nested) OnAbort() bool          { return true }
func (*a6Gen[T]) OnRun() basicwork.State { return basicwork.Success }
func (*a6Gen[T]) OnAbort() bool          { return true }
func (*a6ByPtr) OnRun() basicwork.State  { return basicwork.Success }
func (*a6ByPtr) OnAbort() bool           { return true }

// TestAttack6SelfUnderCheckmark runs TestAttack6SelfChurnChild in a child
// process under the collector's checkmark mode (GODEBUG=gccheckmark=1: after
// each marking the runtime checks that every object reachable was marked,
// and crashes otherwise), with freed memory clobbered (clobberfree=1) and
// a collection at every percent of heap growth (GOGC=1): Init stores the
// outer work without the write barrier (setSelf, f64ba78), here for outer
// types of every shape, from four goroutines at once while the collector
// runs. For a6ByPtr only the BasicWork is kept, so that its self is the
// only path to the outer value: with basicWorkOffset made to read a
// BasicWork embedded through a pointer as fixed (setSelf then stores, with
// no barrier, a pointer to another object), checkmark crashed the child in
// 3 runs of 15; with setSelf storing a data word 8 bytes off, the event
// check failed every time.
func TestAttack6SelfUnderCheckmark(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestAttack6SelfChurnChild$", "-test.count", "1")
	cmd.Env = append(os.Environ(), "GODEBUG=gccheckmark=1,clobberfree=1", "GOGC=1", "STELLARWORK_ATTACK6_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("the child did not pass:\n%s", out)
	}
}

// TestAttack6SelfChurnChild is TestAttack6SelfUnderCheckmark's child: four
// goroutines, each with an application of its own, build works of the
// shapes above, keep one in five, drop the others; then each kept work is
// started, and the transition event it gives must name that very work
// (its outer value, which Init stored), and a slice element must name
// itself, not a neighbour.
func TestAttack6SelfChurnChild(t *testing.T) {
	if os.Getenv("STELLARWORK_ATTACK6_CHILD") == "" {
		t.Skip("run by TestAttack6SelfUnderCheckmark")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		app, _ := newTestApp(t, nil)
		app.logger = zap.NewNop()
		wg.Go(func() {
			var seen basicwork.Work
			app.listen = func(e basicwork.TransitionEvent) { seen = e.Work }
			var kept []basicwork.Work
			// For a6ByPtr only the embedded BasicWork is kept: its self is
			// then the only path to the outer value.
			var keptPtr []*basicwork.BasicWork
			var keptZ []int
			for i := range 100000 {
				name := fmt.Sprintf("g%d-%d", g, i)
				var w basicwork.Work
				switch i % 6 {
				case 0:
					x := &a6Odd{}
					x.Init(app, name, 0, x)
					w = x
				case 1:
					x := &a6Inner{s: name}
					x.Init(app, name, 0, x)
					w = x
				case 2:
					x := &a6Nested{a6Side: a6Side{q: &i}}
					x.Init(app, name, 0, x)
					w = x
				case 3:
					x := &a6Gen[[3]string]{v: [3]string{name}}
					x.Init(app, name, 0, x)
					w = x
				case 4:
					x := &a6ByPtr{z: i, BasicWork: &basicwork.BasicWork{}}
					x.Init(app, name, 0, x)
					w = x
					if i%5 == 4 {
						keptPtr, keptZ = append(keptPtr, x.BasicWork), append(keptZ, i)
					}
				case 5:
					xs := make([]a6Inner, 3)
					for j := range xs {
						xs[j].Init(app, fmt.Sprintf("%s.%d", name, j), 0, &xs[j])
					}
					w = &xs[1]
				}
				if i%5 == 0 {
					kept = append(kept, w)
				}
				if i%10000 == 0 {
					runtime.GC()
				}
			}
			runtime.GC()
			for _, w := range kept {
				seen = nil
				w.StartWork(nil)
				if seen != w {
					errs <- fmt.Errorf("%s started: the event names %v, want the work itself", w.Name(), seen)
					return
				}
			}
			for k, b := range keptPtr {
				seen = nil
				b.StartWork(nil)
				if x, ok := seen.(*a6ByPtr); !ok || x.z != keptZ[k] || x.BasicWork != b {
					errs <- fmt.Errorf("%s started: the event names %v, want its outer a6ByPtr %d", b.Name(), seen, keptZ[k])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
