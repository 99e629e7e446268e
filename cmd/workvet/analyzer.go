package main

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Analyzer is the workvet pass: it reports an override of a method that is
// final in C++, an override that does not call the method it hides when it
// must, and an OnRun or DoWork that adds a child and then returns Waiting.
var Analyzer = &analysis.Analyzer{
	Name: "workvet",
	Doc: `check the contracts of stellarwork works

workvet reports, in types that embed the stellarwork work types:
  - a method that hides one ported from a C++ final (Work::onRun,
    onAbort, onReset; WorkSequence::onRun, onAbort, onReset;
    BatchWork::doWork, doReset), also one that calls the method it hides,
    since Init refuses it all the same;
  - a method that hides one ported from a non-virtual C++ method that the
    library calls through the outer value (BasicWork::getName, getState,
    isDone, isAborting, crankWork, startWork), which Init refuses too;
  - a Shutdown, or another override whose doc says so, that does not
    call the method it hides;
  - an OnRun or DoWork that adds a child to its own work and returns
    Waiting on the same path.

A method whose doc comment has the line "//workvet:ignore" (optionally
followed by a reason) is not checked: for tests that define a wrong
override on purpose.`,
	Run: run,
}

func run(pass *analysis.Pass) (any, error) {
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				checkMethod(pass, fd)
			}
		}
	}
	return nil, nil
}

// checkMethod applies every rule to one method declaration.
func checkMethod(pass *analysis.Pass, fd *ast.FuncDecl) {
	m, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func)
	if m == nil {
		return
	}
	outer := recvNamed(m)
	if outer == nil {
		return
	}
	st, ok := outer.Underlying().(*types.Struct)
	if !ok {
		return
	}
	if ignored(fd) {
		return
	}
	recv := receiverVar(pass, fd)
	for i := 0; i < st.NumFields(); i++ {
		field := st.Field(i)
		if !field.Embedded() {
			continue
		}
		obj, _, _ := types.LookupFieldOrMethod(field.Type(), true, m.Pkg(), m.Name())
		hidden, ok := obj.(*types.Func)
		if !ok {
			continue
		}
		hidden = hidden.Origin()
		if k, ok := keyOf(hidden); ok {
			rule, ok := finals[k]
			kind := "final"
			if nv, isNV := nonVirtuals[k]; isNV && !inLibrary(pass.Pkg.Path()) {
				rule, ok, kind = nv, true, "non-virtual"
			}
			if ok {
				pass.Report(analysis.Diagnostic{
					Pos:      fd.Name.Pos(),
					Category: "final",
					Message: outer.Obj().Name() + "." + m.Name() + " overrides " + k.String() +
						", the port of the C++ " + kind + " " + rule.cpp + ": the library's own method no longer runs; " + rule.hint,
				})
				continue
			}
		}
		if duty, ok := dutyOf(hidden); ok && !callsHidden(pass, fd.Body, recv, hidden) {
			k, _ := keyOf(hidden)
			pass.Report(analysis.Diagnostic{
				Pos:      fd.Name.Pos(),
				Category: "basecall",
				Message: outer.Obj().Name() + "." + m.Name() + " does not call the " + k.String() +
					" it overrides (call " + callPath(recv, field) + "." + m.Name() + "), " + duty.why,
			})
		}
	}
	if (m.Name() == "OnRun" || m.Name() == "DoWork") && recv != nil && isOrEmbedsBasicWork(outer) {
		checkWaiting(pass, fd, recv)
	}
}

// ignoreDirective, as a line of a method's doc comment, turns every check
// of that method off. It is meant for tests that define a wrong override
// on purpose, such as one checking that Init refuses a final override.
const ignoreDirective = "//workvet:ignore"

// ignored reports whether fd's doc comment holds the ignore directive (on
// a line of its own, optionally followed by a reason).
func ignored(fd *ast.FuncDecl) bool {
	if fd.Doc == nil {
		return false
	}
	for _, c := range fd.Doc.List {
		if c.Text == ignoreDirective || strings.HasPrefix(c.Text, ignoreDirective+" ") {
			return true
		}
	}
	return false
}

// receiverVar returns the variable of fd's receiver, or nil if it has no
// name (or is _).
func receiverVar(pass *analysis.Pass, fd *ast.FuncDecl) *types.Var {
	if len(fd.Recv.List) == 0 || len(fd.Recv.List[0].Names) == 0 {
		return nil
	}
	v, _ := pass.TypesInfo.Defs[fd.Recv.List[0].Names[0]].(*types.Var)
	return v
}

// callPath spells the call of the hidden method, for the message:
// "w.Work" for a receiver w that embeds Work.
func callPath(recv *types.Var, field *types.Var) string {
	name := "recv"
	if recv != nil {
		name = recv.Name()
	}
	return name + "." + field.Name()
}

// callsHidden reports whether body refers to the method hidden through the
// receiver, as recv.Embedded.Method or through a longer path of embedded
// fields. A reference anywhere in the body counts, also one not on every
// path or inside a function literal: the rule is about forgetting the
// call, not about where it is made.
func callsHidden(pass *analysis.Pass, body *ast.BlockStmt, recv *types.Var, hidden *types.Func) bool {
	if body == nil || recv == nil {
		return false
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && selectsOnReceiver(pass, sel, recv, func(f *types.Func) bool { return f == hidden }) {
			found = true
		}
		return !found
	})
	return found
}

// rootedAtReceiver reports whether x is the receiver recv, or a path of
// embedded fields from it (recv.Work, recv.BatchWork.Work, (*recv).Work).
func rootedAtReceiver(pass *analysis.Pass, x ast.Expr, recv *types.Var) bool {
	for {
		x = ast.Unparen(x)
		switch e := x.(type) {
		case *ast.StarExpr:
			x = e.X
		case *ast.Ident:
			return pass.TypesInfo.Uses[e] == recv
		case *ast.SelectorExpr:
			s := pass.TypesInfo.Selections[e]
			if s == nil || s.Kind() != types.FieldVal {
				return false
			}
			if v, ok := s.Obj().(*types.Var); !ok || !v.Embedded() {
				return false
			}
			x = e.X
		default:
			return false
		}
	}
}
