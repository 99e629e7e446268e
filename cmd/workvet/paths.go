package main

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"
)

// newCFG builds the control-flow graph of body, in which a call of the
// builtin panic ends its path.
func newCFG(pass *analysis.Pass, body *ast.BlockStmt) *cfg.CFG {
	return cfg.New(body, func(call *ast.CallExpr) bool { return !isPanic(pass, call) })
}

// isPanic reports whether call is a call of the builtin panic.
func isPanic(pass *analysis.Pass, call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := pass.TypesInfo.Uses[id].(*types.Builtin)
	return ok && b.Name() == "panic"
}

// inspectPath calls f on every node of n that runs when n runs: it does not
// enter function literals.
func inspectPath(n ast.Node, f func(ast.Node) bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		return f(n)
	})
}

// selectsOnReceiver reports whether sel selects, through the receiver and
// its embedded fields, a method for which match is true.
func selectsOnReceiver(pass *analysis.Pass, sel *ast.SelectorExpr, recv *types.Var, match func(*types.Func) bool) bool {
	s := pass.TypesInfo.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal {
		return false
	}
	f, ok := s.Obj().(*types.Func)
	return ok && match(f.Origin()) && rootedAtReceiver(pass, sel.X, recv)
}

// walkBlocks calls visit once on every block reachable from start (start
// included), depth first; visit returns whether to go on to the block's
// successors.
func walkBlocks(start []*cfg.Block, visit func(*cfg.Block) bool) {
	seen := map[*cfg.Block]bool{}
	stack := append([]*cfg.Block(nil), start...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if visit(b) {
			stack = append(stack, b.Succs...)
		}
	}
}
