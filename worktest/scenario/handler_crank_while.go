package scenario

// handleCrankWhile runs the crank loops of the upstream tests:
//
//	crank-while <expression>     while (expression) { crank; body }
//	crank-until <expression>     while (!expression) { crank; body }
//
// The body, the input lines (or the indented lines below inside a block),
// runs after each crank.
func (e *Env) handleCrankWhile(c *command) error {
	until := c.name == "crank-until"
	return e.crankWhile(func() (bool, error) {
		ok, err := c.expr.truth(e)
		return ok != until, err
	}, c.body)
}
