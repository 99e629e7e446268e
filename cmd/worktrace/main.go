// Command worktrace runs one scenario file of the parity language (the
// scenario engine of worktest/scenario with the library's test works) and
// prints its whole trace to stdout, ignoring the expected output in the
// file:
//
//	go run ./cmd/worktrace internal/parity/testdata/basicwork/one-work.txt
//
// With -expected it runs nothing and prints the expected output recorded
// in the file instead, every directive's output joined: for an up-to-date
// file, the same trace.
//
// The scenario language is documented in docs/SCENARIOS.md and the trace
// format in docs/TRACES.md. The exit status is 0 when the scenario ran and
// every check held, 1 when a check printed FAILED or the scenario is wrong
// (the error goes to stderr, after the trace written so far), and 2 on bad
// usage.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/stellarwork/stellarwork/internal/parity"
	"github.com/stellarwork/stellarwork/worktest/scenario"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("worktrace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	expected := fs.Bool("expected", false, "print the expected output recorded in the file instead of running it")
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: worktrace [-expected] FILE") }
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		if err == nil {
			fs.Usage()
		}
		return 2
	}
	path := fs.Arg(0)
	if *expected {
		return printExpected(path, stdout, stderr)
	}
	trace, env, err := parity.RunFile(path)
	if _, werr := io.WriteString(stdout, trace); werr != nil {
		fmt.Fprintln(stderr, "worktrace:", werr)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "worktrace:", err)
		return 1
	}
	if failed := env.Failed(); len(failed) > 0 {
		fmt.Fprintf(stderr, "worktrace: %d check(s) FAILED\n", len(failed))
		return 1
	}
	return 0
}

// printExpected prints the expected outputs of the file at path, joined.
func printExpected(path string, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, "worktrace:", err)
		return 1
	}
	defer f.Close()
	ds, err := scenario.ReadDirectives(path, f)
	if err == nil {
		_, err = io.WriteString(stdout, scenario.Expected(ds))
	}
	if err != nil {
		fmt.Fprintln(stderr, "worktrace:", err)
		return 1
	}
	return 0
}
