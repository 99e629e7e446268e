// Command worktrace runs one parity scenario file and prints its whole
// trace to stdout, ignoring any expected output in the file:
//
//	go run ./cmd/worktrace internal/parity/testdata/basicwork/one-work.txt
//
// The scenario language is documented in docs/SCENARIOS.md. The exit status
// is 0 when the scenario ran and every check held, 1 when a check printed
// FAILED or the scenario is wrong (the error goes to stderr, after the
// trace written so far), and 2 on bad usage.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stellarwork/stellarwork/internal/parity"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: worktrace FILE")
		return 2
	}
	trace, env, err := parity.RunFile(args[0])
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
