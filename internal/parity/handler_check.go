package parity

import "strings"

// handleCheck evaluates expressions and writes "check <expression>: ok"
// or ": FAILED"; the label is the expression as written:
//
//	check <expression>
//
// At directive level each input line is one more check (the only way to
// write = in a directive, whose line datadriven parses as key=value).
func (e *Env) handleCheck(c *command) error {
	if c.expr != nil {
		if err := e.check(c.expr); err != nil {
			return err
		}
	}
	for _, l := range c.lines {
		x, err := compile(l)
		if err != nil {
			return err
		}
		if err := e.check(x); err != nil {
			return err
		}
	}
	return nil
}

// check writes one check line.
func (e *Env) check(x *expr) error {
	ok, err := x.truth(e)
	if err != nil {
		return err
	}
	e.r.Check(strings.TrimSpace(x.src), ok)
	return nil
}
