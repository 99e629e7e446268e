package scenario

// handleIf runs the statements of the first branch whose expression holds:
//
//	if <expression>
//	  <statements>
//	elif <expression>
//	  <statements>
//	else
//	  <statements>
//
// elif and else exist only inside a block. At directive level, the input
// lines are the statements of the if.
func (e *Env) handleIf(c *command) error {
	for b := c; b != nil; b = b.orElse {
		if b.expr != nil {
			ok, err := b.expr.truth(e)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		return e.execBlock(b.body)
	}
	return nil
}
