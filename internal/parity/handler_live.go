package parity

// handleLive writes "live <n>", n being the batched works of a batch work
// still alive, counted with weak pointers after a full collection:
//
//	live <name>
func (e *Env) handleLive(c *command) error {
	name, err := c.oneName()
	if err != nil {
		return err
	}
	w, err := e.work(name)
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
