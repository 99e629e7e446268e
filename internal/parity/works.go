package parity

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/conditionalwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
	"github.com/stellarwork/stellarwork/worksequence"
)

// A work spec is "<kind> <name> [options]". The kinds and their options:
//
//	basic NAME [fail] [steps=N] [retries=R]        TestBasicWork (3 steps, once)
//	waiting NAME                                   TestWaitingWork
//	work NAME                                      TestWork
//	batch NAME [fail]                              TestBatchWork
//	batch-condition NAME                           TestBatchWorkCondition
//	always-fail NAME [retries=R]                   AlwaysFailWork (once)
//	double-wait NAME                               DoubleWaitWork
//	list-batch NAME items=(A, B, ...)              ListBatchWork
//	callback NAME returns=true|false               WorkWithCallback
//	callback NAME fails=(MESSAGE)                  WorkWithCallback
//	sequence NAME [works=(A, B, ...)] [retries=R] [stop-at-first-failure=BOOL]
//	conditional NAME work=A when=(EXPR) [sleep=DURATION]
//
// R is never, once, a-few, a-lot or a number.

// specOptions holds the options of a spec, each read at most once.
type specOptions struct {
	kind, name string
	opts       map[string][]string
	used       map[string]bool
}

func parseSpec(args []datadriven.CmdArg) (*specOptions, error) {
	if len(args) < 2 || len(args[0].Vals) > 0 || len(args[1].Vals) > 0 {
		return nil, errors.New("a work spec is <kind> <name> [options]")
	}
	s := &specOptions{kind: args[0].Key, name: args[1].Key, opts: map[string][]string{}, used: map[string]bool{}}
	for _, a := range args[2:] {
		if _, dup := s.opts[a.Key]; dup {
			return nil, fmt.Errorf("option %s given twice", a.Key)
		}
		vals := a.Vals
		if len(vals) == 1 && vals[0] == "" && a.Key != "fails" {
			vals = nil
		}
		if vals == nil {
			vals = []string{}
		}
		s.opts[a.Key] = vals
	}
	return s, nil
}

// has reports whether the option is given, and marks it used.
func (s *specOptions) has(key string) bool {
	_, ok := s.opts[key]
	s.used[key] = true
	return ok
}

// single returns the one value of an option, or def.
func (s *specOptions) single(key, def string) (string, error) {
	if !s.has(key) {
		return def, nil
	}
	v := s.opts[key]
	if len(v) != 1 {
		return "", fmt.Errorf("%s takes one value", key)
	}
	return v[0], nil
}

// flag reads "key" or "key=true|false".
func (s *specOptions) flag(key string) (bool, error) {
	if !s.has(key) {
		return false, nil
	}
	switch v := s.opts[key]; {
	case len(v) == 0:
		return true, nil
	case len(v) == 1:
		return strconv.ParseBool(v[0])
	}
	return false, fmt.Errorf("%s takes at most one value", key)
}

func (s *specOptions) intOpt(key string, def int) (int, error) {
	v, err := s.single(key, strconv.Itoa(def))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

func (s *specOptions) retries(def int) (int, error) {
	v, err := s.single("retries", "")
	if err != nil || v == "" {
		return def, err
	}
	switch v {
	case "never":
		return basicwork.RetryNever, nil
	case "once":
		return basicwork.RetryOnce, nil
	case "a-few":
		return basicwork.RetryAFew, nil
	case "a-lot":
		return basicwork.RetryALot, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("retries=%s: want never, once, a-few, a-lot or a count", v)
	}
	return n, nil
}

// list returns the values of a list option (empty if absent).
func (s *specOptions) list(key string) []string {
	if !s.has(key) {
		return nil
	}
	return s.opts[key]
}

// unused reports options the kind does not take.
func (s *specOptions) unused() error {
	var bad []string
	for k := range s.opts {
		if !s.used[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("%s does not take %s", s.kind, strings.Join(bad, ", "))
}

// works resolves names to existing works.
func (e *Env) worksNamed(names []string) ([]basicwork.Work, error) {
	out := make([]basicwork.Work, 0, len(names))
	for _, n := range names {
		w, err := e.work(n)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// create builds the work of a spec, not started and not yet named in the
// scenario.
func (e *Env) create(args []datadriven.CmdArg) (basicwork.Work, error) {
	s, err := parseSpec(args)
	if err != nil {
		return nil, err
	}
	if _, ok := e.lookup(s.name); ok {
		return nil, fmt.Errorf("a work named %q already exists", s.name)
	}
	w, err := e.build(s)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", s.kind, s.name, err)
	}
	if err := s.unused(); err != nil {
		return nil, err
	}
	return w, nil
}

func (e *Env) build(s *specOptions) (basicwork.Work, error) {
	app := e.app()
	switch s.kind {
	case "basic":
		fail, err := s.flag("fail")
		if err != nil {
			return nil, err
		}
		steps, err := s.intOpt("steps", 3)
		if err != nil {
			return nil, err
		}
		retries, err := s.retries(basicwork.RetryOnce)
		if err != nil {
			return nil, err
		}
		return testworks.NewBasicWork(app, s.name, fail, steps, retries), nil
	case "waiting":
		return testworks.NewWaitingWork(app, s.name), nil
	case "work":
		return testworks.NewWork(app, s.name), nil
	case "batch":
		fail, err := s.flag("fail")
		if err != nil {
			return nil, err
		}
		return testworks.NewBatchWork(app, s.name, fail), nil
	case "batch-condition":
		b := testworks.NewBatchWorkCondition(app, s.name)
		b.OnCheck = func(label string, ok bool) { e.r.Check(label, ok) }
		return b, nil
	case "always-fail":
		retries, err := s.retries(basicwork.RetryOnce)
		if err != nil {
			return nil, err
		}
		w := testworks.NewAlwaysFailWork(app, s.name, retries)
		w.OnNote = e.r.Note
		return w, nil
	case "double-wait":
		return testworks.NewDoubleWaitWork(app, s.name), nil
	case "list-batch":
		items, err := e.worksNamed(s.list("items"))
		if err != nil {
			return nil, err
		}
		b := testworks.NewListBatchWork(app, s.name, items)
		b.OnNote = e.r.Note
		return b, nil
	case "callback":
		return e.buildCallback(s)
	case "sequence":
		return e.buildSequence(s)
	case "conditional":
		return e.buildConditional(s)
	}
	return nil, fmt.Errorf("unknown kind of work %q", s.kind)
}

func (e *Env) buildCallback(s *specOptions) (basicwork.Work, error) {
	var cb basicwork.Callback
	switch {
	case s.has("returns") && s.has("fails"):
		return nil, errors.New("give returns or fails, not both")
	case s.has("returns"):
		v, err := s.single("returns", "")
		if err != nil {
			return nil, err
		}
		ok, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("returns=%s: want true or false", v)
		}
		cb = func(basicwork.Application) (bool, error) { return ok, nil }
	case s.has("fails"):
		msg := strings.Join(s.opts["fails"], ", ")
		cb = func(basicwork.Application) (bool, error) { return false, errors.New(msg) }
	default:
		return nil, errors.New("needs returns=true|false or fails=(message)")
	}
	return basicwork.NewWorkWithCallback(e.app(), s.name, cb)
}

func (e *Env) buildSequence(s *specOptions) (basicwork.Work, error) {
	works, err := e.worksNamed(s.list("works"))
	if err != nil {
		return nil, err
	}
	retries, err := s.retries(basicwork.RetryAFew)
	if err != nil {
		return nil, err
	}
	stop := true
	if s.has("stop-at-first-failure") {
		v, err := s.single("stop-at-first-failure", "")
		if err != nil {
			return nil, err
		}
		if stop, err = strconv.ParseBool(v); err != nil {
			return nil, err
		}
	}
	return worksequence.New(e.app(), s.name, works,
		worksequence.MaxRetries(retries), worksequence.StopAtFirstFailure(stop))
}

func (e *Env) buildConditional(s *specOptions) (basicwork.Work, error) {
	name, err := s.single("work", "")
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errors.New("needs work=<name>")
	}
	w, err := e.work(name)
	if err != nil {
		return nil, err
	}
	if !s.has("when") || len(s.opts["when"]) != 1 {
		return nil, errors.New("needs when=(<expression>)")
	}
	x, err := compile(s.opts["when"][0])
	if err != nil {
		return nil, err
	}
	var opts []conditionalwork.Option
	if s.has("sleep") {
		v, err := s.single("sleep", "")
		if err != nil {
			return nil, err
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, err
		}
		opts = append(opts, conditionalwork.SleepDelay(d))
	}
	cond := func(basicwork.Application) bool {
		ok, err := x.truth(e)
		if err != nil && e.asyncErr == nil {
			e.asyncErr = fmt.Errorf("condition: %w", err)
		}
		return ok
	}
	return conditionalwork.New(e.app(), s.name, cond, w, opts...)
}
