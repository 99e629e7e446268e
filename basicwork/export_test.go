package basicwork

// SetParentForTest and ParentForTest reach the parent registration of a
// work, which the library's composites reach through package tree.
func (b *BasicWork) SetParentForTest(parent *BasicWork, slot int) { b.setParent(parent, slot) }

func (b *BasicWork) ParentForTest() (*BasicWork, int) { return b.parent, int(b.slot) }

// DefaultHooksForTest names the hooks that b's outer type leaves to
// BasicWork's own (typeInfo), in hookFlags' order, then StartWork if the
// type leaves it to BasicWork too.
func DefaultHooksForTest(b *BasicWork) []string {
	var names []string
	for _, h := range hookFlags {
		if b.defaults(h.flag) {
			names = append(names, h.method)
		}
	}
	if b.defaults(defaultStartWork) {
		names = append(names, "StartWork")
	}
	return names
}

// OwnForTest declares the owner of c, which package scheduler does
// through internal/appenv.
func (c *EnvCache) OwnForTest(app Application, listen *TransitionListener) { c.own(app, listen) }

// CacheOffsetForTest is cacheOffset: where t's values hold the EnvCache
// their envCache method returns, if at a fixed offset.
var CacheOffsetForTest = cacheOffset

// BasicWorkOffsetForTest is basicWorkOffset: where t's values hold the
// BasicWork their basicWork method returns, if at a fixed offset.
var BasicWorkOffsetForTest = basicWorkOffset
