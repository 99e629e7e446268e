package scenario

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
	"github.com/stellarwork/stellarwork/worksequence"
)

// Spec is one work spec, "<kind> <name> [options]", as a KindFunc sees it.
// Its methods read the options (key, key=value or key=(a, b, ...)); each
// option may be read any number of times, and Language reports the options
// the KindFunc never read as an error.
type Spec struct {
	// Kind is the kind of work, the first word of the spec.
	Kind string
	// Name is the name of the work, the second word.
	Name string
	env  *Env
	opts map[string][]string
	used map[string]bool
}

func (e *Env) parseSpec(args []datadriven.CmdArg) (*Spec, error) {
	if len(args) < 2 || len(args[0].Vals) > 0 || len(args[1].Vals) > 0 {
		return nil, errors.New("a work spec is <kind> <name> [options]")
	}
	s := &Spec{Kind: args[0].Key, Name: args[1].Key, env: e, opts: map[string][]string{}, used: map[string]bool{}}
	for _, a := range args[2:] {
		if _, dup := s.opts[a.Key]; dup {
			return nil, fmt.Errorf("option %s given twice", a.Key)
		}
		vals := a.Vals
		if len(vals) == 1 && vals[0] == "" {
			vals = nil
		}
		if vals == nil {
			vals = []string{}
		}
		s.opts[a.Key] = vals
	}
	return s, nil
}

// Env returns the scenario the work is built in; its App is the
// application to build the work on, and its Note and Check let the work
// write into the trace.
func (s *Spec) Env() *Env { return s.env }

// Has reports whether the option is given.
func (s *Spec) Has(key string) bool {
	_, ok := s.opts[key]
	s.used[key] = true
	return ok
}

// Option returns the one value of an option, or def when it is absent. It
// is an error if the option has no value or several.
func (s *Spec) Option(key, def string) (string, error) {
	if !s.Has(key) {
		return def, nil
	}
	v := s.opts[key]
	if len(v) != 1 {
		return "", fmt.Errorf("%s takes one value", key)
	}
	return v[0], nil
}

// Text returns the values of an option joined with ", ", so that
// key=(a sentence, with commas) reads back as written, and whether the
// option is given.
func (s *Spec) Text(key string) (string, bool) {
	if !s.Has(key) {
		return "", false
	}
	return strings.Join(s.opts[key], ", "), true
}

// Flag reads "key" (true), "key=true" or "key=false"; absent, it is false.
func (s *Spec) Flag(key string) (bool, error) {
	if !s.Has(key) {
		return false, nil
	}
	switch v := s.opts[key]; len(v) {
	case 0:
		return true, nil
	case 1:
		b, err := strconv.ParseBool(v[0])
		if err != nil {
			return false, fmt.Errorf("%s=%s: want true or false", key, v[0])
		}
		return b, nil
	}
	return false, fmt.Errorf("%s takes at most one value", key)
}

// Int reads key=N, or returns def when it is absent.
func (s *Spec) Int(key string, def int) (int, error) {
	v, err := s.Option(key, strconv.Itoa(def))
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%s: want an integer", key, v)
	}
	return n, nil
}

// Duration reads key=D, a Go duration (100ms, 2s), or returns def when it
// is absent.
func (s *Spec) Duration(key string, def time.Duration) (time.Duration, error) {
	v, err := s.Option(key, "")
	if err != nil || v == "" {
		return def, err
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%s: want a duration", key, v)
	}
	return d, nil
}

// Retries reads retries=R, R being never, once, a-few, a-lot (the
// basicwork.Retry constants) or a count, or returns def when it is absent.
func (s *Spec) Retries(def int) (int, error) {
	v, err := s.Option("retries", "")
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

// Work reads key=NAME, a work the scenario created before. It is an error
// if the option is absent or names no work.
func (s *Spec) Work(key string) (basicwork.Work, error) {
	name, err := s.Option(key, "")
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("needs %s=<name>", key)
	}
	return s.env.Work(name)
}

// Works reads key=(A, B, ...), works the scenario created before, in
// order; absent, it is empty. It is an error if a name names no work.
func (s *Spec) Works(key string) ([]basicwork.Work, error) {
	if !s.Has(key) {
		return nil, nil
	}
	names := s.opts[key]
	out := make([]basicwork.Work, 0, len(names))
	for _, n := range names {
		w, err := s.env.Work(n)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// Condition reads key=(EXPR), an expression of the scenario language, and
// returns a function that evaluates it as a condition each time it is
// called. It is an error if the option is absent or does not parse. An
// error while evaluating (an unknown work, say) makes the condition false
// and fails the command that was running (the crank).
func (s *Spec) Condition(key string) (func() bool, error) {
	src, ok := s.Text(key)
	if !ok || src == "" {
		return nil, fmt.Errorf("needs %s=(<expression>)", key)
	}
	x, err := s.env.lang.compile(src)
	if err != nil {
		return nil, err
	}
	e := s.env
	return func() bool {
		ok, err := x.truth(e)
		if err != nil && e.asyncErr == nil {
			e.asyncErr = fmt.Errorf("condition: %w", err)
		}
		return ok
	}, nil
}

// unused reports options the kind did not read.
func (s *Spec) unused() error {
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
	return fmt.Errorf("%s does not take %s", s.Kind, strings.Join(bad, ", "))
}

// create builds the work of a spec, not started and not yet named in the
// scenario.
func (e *Env) create(args []datadriven.CmdArg) (basicwork.Work, error) {
	s, err := e.parseSpec(args)
	if err != nil {
		return nil, err
	}
	if _, ok := e.lookup(s.Name); ok {
		return nil, fmt.Errorf("a work named %q already exists", s.Name)
	}
	build, ok := e.lang.kinds[s.Kind]
	if !ok {
		return nil, fmt.Errorf("unknown kind of work %q", s.Kind)
	}
	w, err := build(s)
	if err == nil && w == nil {
		err = errors.New("the kind built no work")
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", s.Kind, s.Name, err)
	}
	if w.Name() != s.Name {
		return nil, fmt.Errorf("%s %s: the kind built a work named %q", s.Kind, s.Name, w.Name())
	}
	if err := s.unused(); err != nil {
		return nil, err
	}
	return w, nil
}

// buildCallback is the callback kind: a WorkWithCallback whose callback
// returns returns=true|false, or fails with fails=(MESSAGE).
func buildCallback(s *Spec) (basicwork.Work, error) {
	var cb basicwork.Callback
	msg, fails := s.Text("fails")
	switch {
	case s.Has("returns") && fails:
		return nil, errors.New("give returns or fails, not both")
	case s.Has("returns"):
		ok, err := s.Flag("returns")
		if err != nil {
			return nil, err
		}
		cb = func(basicwork.Application) (bool, error) { return ok, nil }
	case fails:
		cb = func(basicwork.Application) (bool, error) { return false, errors.New(msg) }
	default:
		return nil, errors.New("needs returns=true|false or fails=(message)")
	}
	return basicwork.NewWorkWithCallback(s.env.App(), s.Name, cb)
}

// buildSequence is the sequence kind: a WorkSequence of works created
// before, works=(A, B, ...), with retries=R (default a-few) and
// stop-at-first-failure=BOOL (default true).
func buildSequence(s *Spec) (basicwork.Work, error) {
	works, err := s.Works("works")
	if err != nil {
		return nil, err
	}
	retries, err := s.Retries(basicwork.RetryAFew)
	if err != nil {
		return nil, err
	}
	stop := true
	if s.Has("stop-at-first-failure") {
		if stop, err = s.Flag("stop-at-first-failure"); err != nil {
			return nil, err
		}
	}
	return worksequence.New(s.env.App(), s.Name, works,
		worksequence.WithMaxRetries(retries), worksequence.WithStopAtFirstFailure(stop))
}

// buildConditional is the conditional kind: a ConditionalWork over
// work=A whose condition is when=(EXPR), sleeping sleep=D between
// evaluations (default that of conditionalwork). With note=(TEXT), each
// evaluation writes "note TEXT: true" or ": false", TEXT interpolated as
// the note command does.
func buildConditional(s *Spec) (basicwork.Work, error) {
	w, err := s.Work("work")
	if err != nil {
		return nil, err
	}
	cond, err := s.Condition("when")
	if err != nil {
		return nil, err
	}
	var opts []conditionalwork.Option
	if s.Has("sleep") {
		d, err := s.Duration("sleep", 0)
		if err != nil {
			return nil, err
		}
		opts = append(opts, conditionalwork.WithSleepDelay(d))
	}
	if text, ok := s.Text("note"); ok {
		e, inner := s.env, cond
		cond = func() bool {
			held := inner()
			note, err := e.interpolate(text)
			if err != nil && e.asyncErr == nil {
				e.asyncErr = fmt.Errorf("note: %w", err)
			}
			e.Note(note + ": " + strconv.FormatBool(held))
			return held
		}
	}
	return conditionalwork.New(s.env.App(), s.Name, func(basicwork.Application) bool { return cond() }, w, opts...)
}
