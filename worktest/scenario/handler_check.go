package scenario

// handleCheck evaluates expressions and writes "check <label>: ok", or
// ": FAILED" when the expression does not hold:
//
//	check <expression>
//	check "<label>" <expression>
//
// The label is the expression as written, or the Go string literal before
// it. At directive level each input line is one more check (the only way
// to write = in a directive, whose line datadriven parses as key=value).
func (e *Env) handleCheck(c *command) error {
	if c.expr != nil {
		if err := e.check(c.label, c.expr); err != nil {
			return err
		}
	}
	for _, line := range c.lines {
		label, src, _, err := splitLabel(line)
		if err != nil {
			return err
		}
		x, err := e.lang.compile(src)
		if err != nil {
			return err
		}
		if err := e.check(label, x); err != nil {
			return err
		}
	}
	return nil
}

// check writes one check line.
func (e *Env) check(label string, x *expr) error {
	ok, err := x.truth(e)
	if err != nil {
		return err
	}
	e.r.Check(label, ok)
	return nil
}

// Holds evaluates an expression of the scenario language as a condition: a
// boolean, or an integer that holds when it is not 0. It is an error if the
// expression does not parse, names an unknown work or is of another kind.
// A registered command calls it to check what a scenario file could.
func (e *Env) Holds(src string) (bool, error) {
	x, err := e.lang.compile(src)
	if err != nil {
		return false, err
	}
	return x.truth(e)
}

// Eval evaluates an expression of the scenario language and returns its
// value: an int64, a bool, a string, a basicwork.State, a basicwork.Work,
// or nil for nullptr. It is an error if the expression does not parse or
// names an unknown work.
func (e *Env) Eval(src string) (any, error) {
	x, err := e.lang.compile(src)
	if err != nil {
		return nil, err
	}
	v, err := x.value(e)
	return v.any(), err
}
