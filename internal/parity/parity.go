package parity

import (
	"errors"
	"fmt"
	"io"

	"github.com/cockroachdb/datadriven"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/worktest/scenario"
)

// Env is the state of one parity scenario.
type Env = scenario.Env

// RunOptions adjust RunWith; see scenario.RunOptions.
type RunOptions = scenario.RunOptions

// ErrStopped is returned by RunWith when RunOptions.BeforeCrank stopped the
// scenario.
var ErrStopped = scenario.ErrStopped

// lang is the parity language, built once: its registrations never change.
var lang = Language()

// Run runs a parity scenario; see scenario.Language.Run.
func Run(source string, r io.Reader) (string, *Env, error) { return lang.Run(source, r) }

// RunWith runs a parity scenario with options; see
// scenario.Language.RunWith.
func RunWith(source string, r io.Reader, opts RunOptions) (string, *Env, error) {
	return lang.RunWith(source, r, opts)
}

// RunFile runs the parity scenario file at path; see
// scenario.Language.RunFile.
func RunFile(path string) (string, *Env, error) { return lang.RunFile(path) }

// Language returns a new scenario language with the test works of
// internal/testworks as kinds (see docs/SCENARIOS.md, "Work kinds"), the
// commands check-success, force-wake-up, hold and check-held, and the
// functions scheduleWork, forceWakeUpReturns and addTestWorkFails.
func Language() *scenario.Language {
	l := scenario.New()
	l.Kind("basic", func(s *scenario.Spec) (basicwork.Work, error) {
		fail, err := s.Flag("fail")
		if err != nil {
			return nil, err
		}
		steps, err := s.Int("steps", 3)
		if err != nil {
			return nil, err
		}
		retries, err := s.Retries(basicwork.RetryOnce)
		if err != nil {
			return nil, err
		}
		return testworks.NewBasicWork(s.Env().App(), s.Name, fail, steps, retries), nil
	})
	l.Kind("waiting", func(s *scenario.Spec) (basicwork.Work, error) {
		return testworks.NewWaitingWork(s.Env().App(), s.Name), nil
	})
	l.Kind("work", func(s *scenario.Spec) (basicwork.Work, error) {
		return testworks.NewWork(s.Env().App(), s.Name), nil
	})
	l.Kind("batch", func(s *scenario.Spec) (basicwork.Work, error) {
		fail, err := s.Flag("fail")
		if err != nil {
			return nil, err
		}
		return testworks.NewBatchWork(s.Env().App(), s.Name, fail), nil
	})
	l.Kind("batch-condition", func(s *scenario.Spec) (basicwork.Work, error) {
		b := testworks.NewBatchWorkCondition(s.Env().App(), s.Name)
		b.OnCheck = func(label string, ok bool) { s.Env().Check(label, ok) }
		return b, nil
	})
	l.Kind("always-fail", func(s *scenario.Spec) (basicwork.Work, error) {
		retries, err := s.Retries(basicwork.RetryOnce)
		if err != nil {
			return nil, err
		}
		w := testworks.NewAlwaysFailWork(s.Env().App(), s.Name, retries)
		w.OnNote = s.Env().Note
		return w, nil
	})
	l.Kind("double-wait", func(s *scenario.Spec) (basicwork.Work, error) {
		return testworks.NewDoubleWaitWork(s.Env().App(), s.Name), nil
	})
	l.Kind("list-batch", func(s *scenario.Spec) (basicwork.Work, error) {
		items, err := s.Works("items")
		if err != nil {
			return nil, err
		}
		b := testworks.NewListBatchWork(s.Env().App(), s.Name, items)
		b.OnNote = s.Env().Note
		return b, nil
	})
	l.Command("check-success", checkSuccess)
	l.Command("force-wake-up", forceWakeUp)
	l.Command("hold", hold)
	l.Command("check-held", checkHeld)
	l.Func("scheduleWork", scheduleWork)
	l.Func("forceWakeUpReturns", forceWakeUpReturns)
	l.Func("addTestWorkFails", addTestWorkFails)
	return l
}

// eachWork calls f on the work of each name a command lists (one per
// argument, without values), in order, looking each one up just before its
// call; it stops at the first error.
func eachWork(e *Env, cmd string, args []datadriven.CmdArg, f func(name string, w basicwork.Work) error) error {
	if len(args) == 0 {
		return fmt.Errorf("%s needs at least one name", cmd)
	}
	for _, a := range args {
		if len(a.Vals) > 0 {
			return fmt.Errorf("%s takes names, not %s", cmd, a)
		}
		w, err := e.Work(a.Key)
		if err != nil {
			return err
		}
		if err := f(a.Key, w); err != nil {
			return err
		}
	}
	return nil
}

// oneName returns the single name argument of a command.
func oneName(cmd string, args []datadriven.CmdArg) (string, error) {
	if len(args) != 1 || len(args[0].Vals) > 0 {
		return "", fmt.Errorf("%s takes one work name", cmd)
	}
	return args[0].Key, nil
}

// scheduleWork is scheduleWork(NAME) in a check: it schedules a new
// TestBasicWork and returns it, or nullptr when the scheduler refuses it.
// The work is not tracked.
func scheduleWork(e *Env, args []string) (any, error) {
	if len(args) != 1 {
		return nil, errors.New("takes one name")
	}
	w := testworks.NewDefaultBasicWork(e.App(), args[0])
	if e.Recorder().Scheduler().ScheduleWork(w) == nil {
		return nil, nil
	}
	return w, nil
}

// forceWakeUpReturns is forceWakeUpReturns(NAME): it calls forceWakeUp()
// on a TestBasicWork and tells whether it returned normally (the upstream
// check that it does not throw).
func forceWakeUpReturns(e *Env, args []string) (ok any, err error) {
	if len(args) != 1 {
		return nil, errors.New("takes one name")
	}
	w, err := e.Work(args[0])
	if err != nil {
		return nil, err
	}
	f, isTest := w.(interface{ ForceWakeUp() })
	if !isTest {
		return nil, fmt.Errorf("%s (%T) has no forceWakeUp", args[0], w)
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	f.ForceWakeUp()
	return true, nil
}

// parent is a work that takes children.
type parent interface {
	basicwork.Work
	AddWork(basicwork.Work) error
}

// addTestWorkFails is addTestWorkFails(PARENT, CHILD): it adds a new
// TestBasicWork CHILD to PARENT and tells whether that failed, as the C++
// addTestWork throws std::runtime_error. A child that is added is not
// tracked.
func addTestWorkFails(e *Env, args []string) (any, error) {
	if len(args) != 2 {
		return nil, errors.New("takes a parent and a child name")
	}
	w, err := e.Work(args[0])
	if err != nil {
		return nil, err
	}
	p, ok := w.(parent)
	if !ok {
		return nil, fmt.Errorf("%s (%T) takes no children", args[0], w)
	}
	return p.AddWork(testworks.NewDefaultBasicWork(e.App(), args[1])) != nil, nil
}
