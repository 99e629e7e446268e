package scenario

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/stellarwork/stellarwork/basicwork"
)

// MaxCranks bounds the cranks of one scenario, and the rounds of one while
// loop, so that a loop that never ends fails instead of spinning. The
// longest parity scenario needs about 1,300 cranks.
const MaxCranks = 1_000_000

// KindFunc builds the work of one work spec ("<kind> <name> [options]").
// It reads its options from s (an option it does not read is an error) and
// returns the work, created but not started. An error names what is wrong
// with the spec.
type KindFunc func(s *Spec) (basicwork.Work, error)

// CommandFunc runs one command that a user registered with
// Language.Command. args are the words after the command name, parsed as
// datadriven parses a directive line (key and key=value or key=(a, b)).
// What the command writes into the trace (e.Note, e.Check, e.Crank) is its
// output. An error stops the scenario.
type CommandFunc func(e *Env, args []datadriven.CmdArg) error

// Func is a function of the expression language, called as name(a, b).
// args are the words between the parentheses, unevaluated. It returns an
// int, int64, bool, string, basicwork.State, basicwork.Work, or nil (which
// compares as nullptr).
type Func func(e *Env, args []string) (any, error)

// Language is a scenario language: the built-in commands, work kinds and
// expressions of docs/SCENARIOS.md, plus the kinds, commands and functions
// registered on it. Register everything before running scenarios; a
// Language is not safe for registration from several goroutines, and
// running scenarios of one Language at once is safe only if the registered
// functions are.
type Language struct {
	kinds    map[string]KindFunc
	commands map[string]CommandFunc
	funcs    map[string]Func
}

// New returns a language with the built-in kinds: sequence (a WorkSequence),
// conditional (a ConditionalWork) and callback (a WorkWithCallback).
func New() *Language {
	l := &Language{kinds: map[string]KindFunc{}, commands: map[string]CommandFunc{}, funcs: map[string]Func{}}
	l.Kind("sequence", buildSequence)
	l.Kind("conditional", buildConditional)
	l.Kind("callback", buildCallback)
	return l
}

// Kind registers a kind of work, usable in every work spec (schedule,
// standalone, add-child, execute). It panics if name is empty, has a space,
// or is already a kind.
func (l *Language) Kind(name string, build KindFunc) {
	l.checkName("kind", name, l.kinds[name] != nil)
	l.kinds[name] = build
}

// Command registers a command, usable as a directive and as a statement of
// a block. It panics if name is empty, has a space, or is already a command
// (built-in or registered).
func (l *Language) Command(name string, run CommandFunc) {
	_, builtin := forms[name]
	l.checkName("command", name, builtin || l.commands[name] != nil)
	l.commands[name] = run
}

// Func registers a function of the expression language, called as
// name(args). It panics if name is empty, has a space, or is already a
// function (built-in or registered).
func (l *Language) Func(name string, f Func) {
	l.checkName("function", name, builtinFuncs[name] || l.funcs[name] != nil)
	l.funcs[name] = f
}

func (l *Language) checkName(what, name string, taken bool) {
	switch {
	case name == "":
		panic(fmt.Sprintf("scenario: a %s needs a name", what))
	case len(name) != len(wordPrefix(name)):
		panic(fmt.Sprintf("scenario: %s name %q has a character that ends a word", what, name))
	case taken:
		panic(fmt.Sprintf("scenario: %s %q is already registered", what, name))
	}
}

// RunOptions adjust RunWith, for tests that drive scenarios from outside
// (robustness tests, fuzzing). The zero value runs a scenario as Run does.
type RunOptions struct {
	// MaxCranks, when positive, replaces MaxCranks as the bound on the
	// cranks of the scenario and on the rounds of one while loop.
	MaxCranks int
	// BeforeCrank, when set, is called before every crank of the scenario
	// with the number of cranks run so far (0 before the first). Returning
	// true stops the scenario there, before that crank: RunWith returns
	// ErrStopped, and the Env is left as it is for the caller to go on
	// with (shut the scheduler down, crank the clock, inspect the works).
	BeforeCrank func(e *Env, cranks int) bool
	// NoCollect skips the full garbage collection before live works are
	// counted (the live command and liveWorks): the counts may then include
	// works not yet collected. For runs that ignore the trace and would
	// otherwise spend their time collecting.
	NoCollect bool
}

// ErrStopped is returned by RunWith when RunOptions.BeforeCrank stopped the
// scenario.
var ErrStopped = errors.New("scenario: stopped before a crank")

// NewEnv returns an empty scenario of this language; its first directive
// must be new-app. Pass every directive to Env.Handle.
func (l *Language) NewEnv() *Env {
	return &Env{lang: l, works: map[string]basicwork.Work{}}
}

// Run runs every directive of a scenario read from r, ignoring the
// expected output in it, and returns the whole trace. source names the
// scenario in error messages. On an error it returns the trace written so
// far, the Env (nil if the file could not be read) and the error; a check
// that does not hold is not an error (see Env.Failed).
func (l *Language) Run(source string, r io.Reader) (string, *Env, error) {
	return l.RunWith(source, r, RunOptions{})
}

// RunWith is Run with options.
func (l *Language) RunWith(source string, r io.Reader, opts RunOptions) (string, *Env, error) {
	ds, err := ReadDirectives(source, r)
	if err != nil {
		return "", nil, err
	}
	e := l.NewEnv()
	e.opts = opts
	for _, d := range ds {
		if _, err := e.Handle(d); err != nil {
			return e.Trace(), e, err
		}
	}
	if !e.Finished() {
		return e.Trace(), e, fmt.Errorf("%s: the scenario has no finish", source)
	}
	return e.Trace(), e, nil
}

// RunFile runs the scenario file at path; see Run.
func (l *Language) RunFile(path string) (string, *Env, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	return l.Run(path, f)
}

// Test runs the scenario file at path as a datadriven test: each
// directive's output (what it wrote into the trace) must equal the
// expected output under it, and `go test -rewrite` rewrites those. It fails
// t on an error in the scenario, on a different output, if the file has no
// finish, and for every check that does not hold (t.Errorf naming the
// directive's position and the check's label). A check that prints FAILED
// is a failure also under -rewrite, which writes the FAILED line into the
// file but leaves the test red: a FAILED line is never recorded silently.
// For a scenario whose checks are meant not to hold, use
// TestExpectingFailures. It returns the Env for further checks.
func (l *Language) Test(t testing.TB, path string) *Env {
	t.Helper()
	return l.test(t, path, nil)
}

// TestExpectingFailures is Test for a scenario that declares which of its
// checks do not hold: the checks labelled labels may print FAILED, and
// must; any other check that prints FAILED fails t, as with Test. It
// fails t unless the checks that failed are exactly labels, in order.
func (l *Language) TestExpectingFailures(t testing.TB, path string, labels ...string) *Env {
	t.Helper()
	e := l.test(t, path, labels)
	if got := e.Failed(); !slices.Equal(got, labels) {
		t.Errorf("%s: the checks that failed are %q, want exactly %q", path, got, labels)
	}
	return e
}

// test is Test, a failed check whose label is in expected excepted.
func (l *Language) test(t testing.TB, path string, expected []string) *Env {
	t.Helper()
	e := l.NewEnv()
	datadriven.RunTestAny(t, path, func(t testing.TB, d *datadriven.TestData) string {
		n := len(e.Failed())
		out, err := e.Handle(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, label := range e.Failed()[n:] {
			if !slices.Contains(expected, label) {
				t.Errorf("%s: check %s: FAILED", d.Pos, label)
			}
		}
		return out
	})
	if !e.Finished() {
		t.Fatalf("%s has no finish", path)
	}
	return e
}
