package basicwork

// SetParentForTest and ParentForTest reach the parent registration of a
// work, which the library's composites reach through package tree.
func (b *BasicWork) SetParentForTest(parent *BasicWork, slot int) { b.setParent(parent, slot) }

func (b *BasicWork) ParentForTest() (*BasicWork, int) { return b.parent, int(b.slot) }
