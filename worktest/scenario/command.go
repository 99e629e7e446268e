package scenario

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cockroachdb/datadriven"
)

// form says how a command reads its arguments and its input lines.
type form int

const (
	// argForm: key and key=value arguments, no input lines.
	argForm form = iota
	// listForm: arguments on the command line, and the same again on each
	// input line (one work spec or one name per line).
	listForm
	// exprForm: the rest of the line is an expression; at directive level
	// each input line is one more (check).
	exprForm
	// blockForm: the rest of the line is an expression (none for else) and
	// the input lines, or the indented lines below, are statements.
	blockForm
	// textForm: the rest of the line is text; at directive level each
	// input line is one more (note).
	textForm
)

// forms lists every command of the language and how it is written.
var forms = map[string]form{
	"new-app":     argForm,
	"schedule":    listForm,
	"standalone":  listForm,
	"add-child":   listForm,
	"execute":     argForm,
	"crank":       argForm,
	"crank-while": blockForm,
	"crank-until": blockForm,
	"while":       blockForm,
	"if":          blockForm,
	"elif":        blockForm,
	"else":        blockForm,
	"check":       exprForm,
	"note":        textForm,
	"shutdown":    listForm,
	"live":        argForm,
	"finish":      argForm,
}

// formOf returns the form of a command, built-in or registered (whose form
// is argForm).
func (l *Language) formOf(name string) (form, bool) {
	if f, ok := forms[name]; ok {
		return f, true
	}
	_, ok := l.commands[name]
	return argForm, ok
}

// command is one parsed statement: a directive of the file or a line of a
// block.
type command struct {
	pos  string
	name string
	// rest is the text after the command name (the expression of the
	// expression and block forms).
	rest string
	args []datadriven.CmdArg
	// lines holds the extra items of the list and expression forms.
	lines []string
	expr  *expr
	// label is the label of a check that gives its own ("label" expr).
	label    string
	hasLabel bool
	body     []*command
	// orElse is the elif or else that follows an if or elif.
	orElse *command
}

// commandFromDirective turns a datadriven directive into a command.
func (l *Language) commandFromDirective(d *datadriven.TestData) (*command, error) {
	f, ok := l.formOf(d.Cmd)
	if !ok {
		return nil, fmt.Errorf("unknown command %q", d.Cmd)
	}
	parts := make([]string, len(d.CmdArgs))
	for i, a := range d.CmdArgs {
		parts[i] = a.String()
	}
	c := &command{pos: d.Pos, name: d.Cmd, rest: strings.Join(parts, " "), args: d.CmdArgs}
	var lines []string
	if d.Input != "" {
		lines = strings.Split(d.Input, "\n")
	}
	switch f {
	case argForm:
		if len(lines) > 0 {
			return nil, fmt.Errorf("%s takes no input lines", d.Cmd)
		}
	case listForm, exprForm, textForm:
		for _, line := range lines {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				c.lines = append(c.lines, line)
			}
		}
	case blockForm:
		if d.Cmd == "elif" || d.Cmd == "else" {
			return nil, fmt.Errorf("%s must follow an if inside a block", d.Cmd)
		}
		body, err := l.parseBody(d.Pos, lines)
		if err != nil {
			return nil, err
		}
		c.body = body
	}
	if err := l.compileCommand(c, f); err != nil {
		return nil, err
	}
	return c, nil
}

// compileCommand parses the expression of the expression and block forms,
// after the label of a check.
func (l *Language) compileCommand(c *command, f form) error {
	switch {
	case c.name == "else":
		if c.rest != "" {
			return errors.New("else takes no condition")
		}
	case f == textForm:
		if c.rest == "" && len(c.lines) == 0 {
			return fmt.Errorf("%s needs a text", c.name)
		}
	case f == exprForm || f == blockForm:
		src := c.rest
		if c.name == "check" {
			var err error
			if c.label, src, c.hasLabel, err = splitLabel(src); err != nil {
				return err
			}
		}
		if src == "" {
			if c.name == "check" && len(c.lines) > 0 && !c.hasLabel {
				return nil
			}
			return fmt.Errorf("%s needs an expression", c.name)
		}
		x, err := l.compile(src)
		if err != nil {
			return err
		}
		c.expr = x
	}
	return nil
}

// splitLabel splits the label off a check, "label" expression, the label
// being a Go string literal. Without one, the label is the expression.
func splitLabel(src string) (label, rest string, ok bool, err error) {
	src = strings.TrimSpace(src)
	if !strings.HasPrefix(src, `"`) {
		return src, src, false, nil
	}
	q, err := strconv.QuotedPrefix(src)
	if err != nil {
		return "", "", false, fmt.Errorf("the label %s has no end", src)
	}
	label, err = strconv.Unquote(q)
	if err != nil {
		return "", "", false, err
	}
	return label, strings.TrimSpace(src[len(q):]), true, nil
}

// bodyLine is one non-blank line of a block, with its indentation.
type bodyLine struct {
	pos    string
	indent int
	text   string
}

// parseBody parses the statements of a block. Statements of one block share
// one indentation; the statements of an if, elif, else or loop are the lines
// below it that are indented further.
func (l *Language) parseBody(pos string, lines []string) ([]*command, error) {
	var ls []bodyLine
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " \t"))
		ls = append(ls, bodyLine{pos: fmt.Sprintf("%s (input line %d)", pos, i+1), indent: indent, text: t})
	}
	if len(ls) == 0 {
		return nil, nil
	}
	if ls[0].indent != 0 {
		return nil, fmt.Errorf("%s: the first statement of a block must not be indented", ls[0].pos)
	}
	out, i, err := l.parseBlock(ls, 0, 0)
	if err != nil {
		return nil, err
	}
	if i != len(ls) {
		return nil, fmt.Errorf("%s: bad indentation", ls[i].pos)
	}
	return out, nil
}

func (l *Language) parseBlock(ls []bodyLine, i, indent int) ([]*command, int, error) {
	var out []*command
	for i < len(ls) {
		line := ls[i]
		if line.indent < indent {
			break
		}
		if line.indent > indent {
			return nil, i, fmt.Errorf("%s: unexpected indentation (only the statements of an if, elif, else or loop are indented)", line.pos)
		}
		c, err := l.parseStatement(line)
		if err != nil {
			return nil, i, err
		}
		i++
		if forms[c.name] == blockForm {
			if i >= len(ls) || ls[i].indent <= indent {
				return nil, i, fmt.Errorf("%s: %s has no indented statements below it", line.pos, c.name)
			}
			c.body, i, err = l.parseBlock(ls, i, ls[i].indent)
			if err != nil {
				return nil, i, err
			}
		}
		if c.name == "elif" || c.name == "else" {
			if len(out) == 0 || out[len(out)-1].name != "if" {
				return nil, i, fmt.Errorf("%s: %s without an if before it", line.pos, c.name)
			}
			last := out[len(out)-1]
			for last.orElse != nil {
				last = last.orElse
			}
			if last.name == "else" {
				return nil, i, fmt.Errorf("%s: %s after else", line.pos, c.name)
			}
			last.orElse = c
			continue
		}
		out = append(out, c)
	}
	return out, i, nil
}

// parseStatement parses one line of a block.
func (lang *Language) parseStatement(l bodyLine) (*command, error) {
	name, rest, _ := strings.Cut(l.text, " ")
	rest = strings.TrimSpace(rest)
	f, ok := lang.formOf(name)
	if !ok {
		return nil, fmt.Errorf("%s: unknown command %q", l.pos, name)
	}
	if name == "new-app" || name == "finish" {
		return nil, fmt.Errorf("%s: %s is not allowed inside a block", l.pos, name)
	}
	c := &command{pos: l.pos, name: name, rest: rest}
	if f == argForm || f == listForm {
		_, args, err := datadriven.ParseLine(l.text)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", l.pos, err)
		}
		c.args = args
	}
	if err := lang.compileCommand(c, f); err != nil {
		return nil, fmt.Errorf("%s: %v", l.pos, err)
	}
	return c, nil
}

// items returns the argument lists of a list-form command: the one on the
// command line, if any, then one per input line.
func (c *command) items() ([][]datadriven.CmdArg, error) {
	var out [][]datadriven.CmdArg
	if len(c.args) > 0 {
		out = append(out, c.args)
	}
	for _, l := range c.lines {
		_, args, err := datadriven.ParseLine("item " + l)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", l, err)
		}
		out = append(out, args)
	}
	return out, nil
}
