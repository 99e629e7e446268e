package scenario

// handleLive writes "live <n>", n being how many of the works a work made
// are still alive (see LiveCounter), counted after a full collection:
//
//	live <name>
func (e *Env) handleLive(c *command) error {
	name, err := c.oneName()
	if err != nil {
		return err
	}
	w, err := e.Work(name)
	if err != nil {
		return err
	}
	v, err := e.liveWorks(w)
	if err != nil {
		return err
	}
	e.r.Live(int(v.i))
	return nil
}
