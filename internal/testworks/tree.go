package testworks

import (
	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
)

// tree is basicwork's record of the work tree (see package tree).
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()

// ParentOf returns the BasicWork of w's registered parent, or nil: what
// basicwork.PathOf walks up through.
func ParentOf(w basicwork.Work) *basicwork.BasicWork {
	p, _ := tree.Parent(w)
	return p
}
