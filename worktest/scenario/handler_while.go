package scenario

import "fmt"

// handleWhile is a loop whose body says when to crank:
//
//	while <expression>
//	<statements, crank among them>
//
// It runs the body while the expression holds, at most MaxCranks rounds (or
// RunOptions.MaxCranks).
func (e *Env) handleWhile(c *command) error {
	for n := 0; ; n++ {
		ok, err := c.expr.truth(e)
		if err != nil || !ok {
			return err
		}
		if limit := e.maxCranks(); n >= limit {
			return fmt.Errorf("more than %d rounds: the loop does not end", limit)
		}
		if err := e.execBlock(c.body); err != nil {
			return err
		}
	}
}
