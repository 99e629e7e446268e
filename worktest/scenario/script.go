package scenario

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cockroachdb/datadriven"
)

// ReadDirectives reads a scenario file as datadriven does, without the
// testing package: comment lines (#) are skipped, a directive line may be
// continued with a trailing backslash, its input runs up to "----", and its
// expected output follows (up to a blank line, or up to "----" twice in the
// double-separator form), kept in Expected. source names the file in the
// directives' positions. Subtests are not part of the scenario language.
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
			if d.Expected, err = readExpected(scan); err != nil {
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

// readExpected reads the expected output that follows a separator.
func readExpected(scan func() (string, bool)) (string, error) {
	var b strings.Builder
	first, ok := scan()
	if !ok || strings.TrimSpace(first) == "" {
		return "", nil
	}
	if first != "----" {
		for l := first; ok && strings.TrimSpace(l) != ""; l, ok = scan() {
			b.WriteString(l)
			b.WriteByte('\n')
		}
		return b.String(), nil
	}
	for {
		l, ok := scan()
		if !ok {
			return "", errors.New("the double-separator block has no end")
		}
		if l == "----" {
			l2, ok := scan()
			if !ok {
				return "", errors.New("the double-separator block has no end")
			}
			if l2 == "----" {
				if l3, ok := scan(); ok && l3 != "" {
					return "", errors.New("non-blank line after the end of a double-separator block")
				}
				return b.String(), nil
			}
			b.WriteString(l + "\n" + l2 + "\n")
			continue
		}
		b.WriteString(l + "\n")
	}
}

// Expected returns the expected output recorded in a scenario, all its
// directives' outputs joined in order: for a scenario whose outputs are up
// to date, the whole trace it writes.
func Expected(ds []*datadriven.TestData) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Expected)
	}
	return b.String()
}
