package parity

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cockroachdb/datadriven"
)

// ReadDirectives reads a scenario file as datadriven does, without the
// testing package: comment lines (#) are skipped, a directive line may be
// continued with a trailing backslash, its input runs up to "----", and the
// expected output after it (up to a blank line, or up to "----" twice in
// the double-separator form) is skipped. source names the file in the
// directives' positions.
func ReadDirectives(source string, r io.Reader) ([]*datadriven.TestData, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	line := 0
	scan := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return sc.Text(), true
	}
	var out []*datadriven.TestData
	for {
		text, ok := scan()
		if !ok {
			break
		}
		pos := fmt.Sprintf("%s:%d", source, line)
		text = strings.TrimSpace(text)
		if strings.HasPrefix(text, "#") {
			continue
		}
		for strings.HasSuffix(text, `\`) {
			next, ok := scan()
			if !ok {
				break
			}
			text = strings.TrimSuffix(text, `\`) + " " + strings.TrimSpace(next)
		}
		cmd, args, err := datadriven.ParseLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pos, err)
		}
		if cmd == "" {
			continue
		}
		if cmd == "subtest" {
			return nil, fmt.Errorf("%s: subtests are not part of the scenario language", pos)
		}
		d := &datadriven.TestData{Pos: pos, Cmd: cmd, CmdArgs: args}
		var input strings.Builder
		separator := false
		for {
			l, ok := scan()
			if !ok {
				break
			}
			if l == "----" {
				separator = true
				break
			}
			input.WriteString(l)
			input.WriteByte('\n')
		}
		d.Input = strings.TrimSpace(input.String())
		if separator {
			if err := skipExpected(scan); err != nil {
				return nil, fmt.Errorf("%s: %w", pos, err)
			}
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// skipExpected skips the expected output that follows a separator.
func skipExpected(scan func() (string, bool)) error {
	first, ok := scan()
	if !ok || strings.TrimSpace(first) == "" {
		return nil
	}
	if first != "----" {
		for {
			l, ok := scan()
			if !ok || strings.TrimSpace(l) == "" {
				return nil
			}
		}
	}
	for {
		l, ok := scan()
		if !ok {
			return errors.New("the double-separator block has no end")
		}
		if l != "----" {
			continue
		}
		l2, ok := scan()
		if !ok {
			return errors.New("the double-separator block has no end")
		}
		if l2 == "----" {
			if l3, ok := scan(); ok && l3 != "" {
				return errors.New("non-blank line after the end of a double-separator block")
			}
			return nil
		}
	}
}

// Run runs every directive of a scenario and returns its whole trace. On
// an error it returns the trace written so far with the error.
func Run(source string, r io.Reader) (string, *Env, error) {
	ds, err := ReadDirectives(source, r)
	if err != nil {
		return "", nil, err
	}
	return runDirectives(source, NewEnv(), ds)
}

// runDirectives runs the directives of a scenario on e.
func runDirectives(source string, e *Env, ds []*datadriven.TestData) (string, *Env, error) {
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
func RunFile(path string) (string, *Env, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	return Run(path, f)
}
