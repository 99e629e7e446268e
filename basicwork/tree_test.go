package basicwork_test

import (
	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
)

// tree is what basicwork registers for the library's other packages.
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()
