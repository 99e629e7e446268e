package main

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"
)

// checkWaiting reports each `return Waiting` of an OnRun or DoWork that
// can be reached from a call adding a child to the receiver's own work. The
// child is Running, but a parent that returns Waiting is not cranked until
// something wakes it up, so nobody cranks the child (C++ Work::addWork has
// the same trap; see work.Work.AddWork).
//
// Reachability is over the control-flow graph of the body (go/cfg), so an
// add and a return on different branches are not paired, while a loop that
// adds and then, on a later turn, returns Waiting is. The check is
// deliberately narrow, so that it has no false positives:
//   - only a return whose result is the constant basicwork.Waiting counts;
//     a computed state (such as work.GetWorkStatus) is trusted;
//   - only a direct call of AddWork, AddWorkWithCallback or ScheduleWork on
//     the receiver (or an embedded field of it) counts as an add, not a
//     call of a helper that adds;
//   - code in a function literal is not on the method's path.
func checkWaiting(pass *analysis.Pass, fd *ast.FuncDecl, recv *types.Var) {
	if fd.Body == nil {
		return
	}
	g := newCFG(pass, fd.Body)

	reported := map[token.Pos]bool{}
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			add := findAdd(pass, n, recv)
			if add == nil {
				continue
			}
			for _, ret := range waitingReturnsAfter(pass, b, i) {
				if reported[ret.Pos()] {
					continue
				}
				reported[ret.Pos()] = true
				pass.Report(analysis.Diagnostic{
					Pos:      ret.Pos(),
					Category: "waiting",
					Message: fd.Name.Name + " returns Waiting after adding a child (" + addName(add) +
						" at line " + strconv.Itoa(pass.Fset.Position(add.Pos()).Line) +
						"): the child is Running but its parent waits, so nothing cranks it; return Running",
				})
			}
		}
	}
}

// waitingReturnsAfter returns the `return Waiting` statements reachable
// from node i of block b: later in b, or in any block reachable from b.
func waitingReturnsAfter(pass *analysis.Pass, b *cfg.Block, i int) []*ast.ReturnStmt {
	var out []*ast.ReturnStmt
	scan := func(nodes []ast.Node) {
		for _, n := range nodes {
			if r, ok := n.(*ast.ReturnStmt); ok && returnsWaiting(pass, r) {
				out = append(out, r)
			}
		}
	}
	scan(b.Nodes[i+1:])
	walkBlocks(b.Succs, func(s *cfg.Block) bool {
		scan(s.Nodes)
		return true
	})
	return out
}

// findAdd returns the first call in n (outside function literals) that
// adds a child to the receiver's work, or nil.
func findAdd(pass *analysis.Pass, n ast.Node, recv *types.Var) *ast.CallExpr {
	isAdder := func(f *types.Func) bool {
		k, ok := keyOf(f)
		return ok && adders[k]
	}
	var found *ast.CallExpr
	inspectPath(n, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && selectsOnReceiver(pass, sel, recv, isAdder) {
				found = call
			}
		}
		return found == nil
	})
	return found
}

// addName is the name of the adding method, for the message.
func addName(call *ast.CallExpr) string {
	return ast.Unparen(call.Fun).(*ast.SelectorExpr).Sel.Name
}

// returnsWaiting reports whether r returns the constant basicwork.Waiting.
func returnsWaiting(pass *analysis.Pass, r *ast.ReturnStmt) bool {
	if len(r.Results) != 1 {
		return false
	}
	tv, ok := pass.TypesInfo.Types[r.Results[0]]
	if !ok || tv.Value == nil {
		return false
	}
	n := namedOf(tv.Type)
	if n == nil || !isNamed(n, basicworkPath, "State") {
		return false
	}
	w, ok := n.Obj().Pkg().Scope().Lookup("Waiting").(*types.Const)
	return ok && constant.Compare(tv.Value, token.EQL, w.Val())
}
