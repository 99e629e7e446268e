package dagwork_test

import (
	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
)

// baseOf returns the BasicWork inside a work, as the library's packages
// reach it (package tree): the public API has no such accessor.
var baseOf = itree.Get[basicwork.Work, *basicwork.BasicWork]().Base
