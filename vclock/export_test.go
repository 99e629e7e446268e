package vclock

// Blocked reports whether a Crank is waiting (or about to wait) for a post.
func (c *Clock) Blocked() bool { return c.blocked.Load() }
