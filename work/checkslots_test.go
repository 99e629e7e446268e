package work

import (
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
)

// checkSlots checks the record of the children against the slots: every
// child held and registered at owner is registered under its slot plus
// base, live and lastLive count and bound the held ones, and the active
// bitmap (unless scanAll) holds exactly the held children that do not
// read Waiting.
func (c *children) checkSlots(owner *basicwork.BasicWork) error {
	live, last := 0, -1
	for i, b := range c.slots {
		if b == nil {
			if !c.scanAll && c.active.has(i) {
				return fmt.Errorf("empty slot %d is active", i)
			}
			continue
		}
		live, last = live+1, i
		if p, s := tree.Parent(tree.Self(b)); p == owner && s != i+c.base {
			return fmt.Errorf("%s in slot %d (base %d) is registered as slot %d", b.Name(), i, c.base, s)
		}
		if !c.scanAll && c.active.has(i) != (b.State() != basicwork.Waiting) {
			return fmt.Errorf("%s in slot %d reads %s, active %v", b.Name(), i, b.State(), c.active.has(i))
		}
	}
	if !c.scanAll {
		for k, v := range c.active.words {
			if n := len(c.slots) - k<<6; n <= 0 && v != 0 || n > 0 && n < 64 && v>>n != 0 {
				return fmt.Errorf("bitmap word %d (%#x) has members past the %d slots", k, v, len(c.slots))
			}
			if (v != 0) != (c.active.summary[k>>6]&(1<<(k&63)) != 0) {
				return fmt.Errorf("bitmap word %d (%#x) and its summary bit disagree", k, v)
			}
		}
	}
	if live != c.live || last != c.lastLive {
		return fmt.Errorf("live %d, lastLive %d; held %d, last %d", c.live, c.lastLive, live, last)
	}
	return nil
}

// has reports whether i is a member.
func (b *bitmap) has(i int) bool {
	return i>>6 < len(b.words) && b.words[i>>6]&(1<<(i&63)) != 0
}
