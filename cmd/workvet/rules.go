package main

import (
	"go/types"
	"strings"
)

// The import paths of the library packages whose methods the rules name.
const (
	modulePath       = "github.com/stellarwork/stellarwork"
	basicworkPath    = modulePath + "/basicwork"
	workPath         = modulePath + "/work"
	worksequencePath = modulePath + "/worksequence"
	batchworkPath    = modulePath + "/batchwork"
	schedulerPath    = modulePath + "/scheduler"
	processPath      = modulePath + "/process"
)

// methodKey names a method by its receiver's package path and type name.
type methodKey struct{ pkg, typ, name string }

// String reads as the method is written in Go source, such as
// "work.Work.OnRun".
func (k methodKey) String() string { return lastElem(k.pkg) + "." + k.typ + "." + k.name }

// finalRule is a method that ports a C++ method declared final: an outer
// type must not define a method of the same name, which would hide it.
type finalRule struct {
	cpp  string // the C++ final, such as "Work::onRun"
	hint string // what to do instead
}

// finals are the C++ finals of src/work (Work.h, WorkSequence.h,
// BatchWork.h), by the Go method that ports each.
var finals = map[methodKey]finalRule{
	{workPath, "Work", "OnRun"}:   {"Work::onRun", "put the work's own step in DoWork"},
	{workPath, "Work", "OnAbort"}: {"Work::onAbort", "a Work aborts by aborting its children; it has no abort hook of its own"},
	{workPath, "Work", "OnReset"}: {"Work::onReset", "put extra cleanup in DoReset"},

	{worksequencePath, "WorkSequence", "OnRun"}:   {"WorkSequence::onRun", "the sequence runs the works it was given; add a work to it instead"},
	{worksequencePath, "WorkSequence", "OnAbort"}: {"WorkSequence::onAbort", "the sequence aborts its current work; it has no abort hook of its own"},
	{worksequencePath, "WorkSequence", "OnReset"}: {"WorkSequence::onReset", "a sequence has no reset hook of its own"},

	{batchworkPath, "BatchWork", "DoWork"}:  {"BatchWork::doWork", "a BatchWork's children come from HasNext and YieldMoreWork"},
	{batchworkPath, "BatchWork", "DoReset"}: {"BatchWork::doReset", "put extra cleanup in ResetIter"},
}

// nonVirtuals are the methods of BasicWork.h that are not virtual in C++
// and that the Work interface has: in C++ a subclass's method of that name
// is never called by the library, but the Go library calls them through
// the outer value, so a type must not declare them either (Init refuses
// it). The library's own packages may extend them (dagwork's StartWork),
// as Init allows.
var nonVirtuals = map[methodKey]finalRule{
	{basicworkPath, "BasicWork", "Name"}:       {"BasicWork::getName", nonVirtualHint},
	{basicworkPath, "BasicWork", "State"}:      {"BasicWork::getState", nonVirtualHint},
	{basicworkPath, "BasicWork", "IsDone"}:     {"BasicWork::isDone", nonVirtualHint},
	{basicworkPath, "BasicWork", "IsAborting"}: {"BasicWork::isAborting", nonVirtualHint},
	{basicworkPath, "BasicWork", "CrankWork"}:  {"BasicWork::crankWork", nonVirtualHint},
	{basicworkPath, "BasicWork", "StartWork"}:  {"BasicWork::startWork", nonVirtualHint},
}

// nonVirtualHint is the hint of every non-virtual rule.
const nonVirtualHint = "give the method another name"

// dutyRule is a method whose overrides must call it: an outer type that
// defines a method of the same name must call the one it hides.
type dutyRule struct {
	why string // where the duty comes from
}

// shutdownDuty applies to every Shutdown of a type that is, or embeds,
// basicwork.BasicWork: each C++ override of shutdown calls the base one, as
// Work::shutdown calls BasicWork::shutdown, and only BasicWork's moves the
// work to Aborting.
var shutdownDuty = dutyRule{"as C++ Work::shutdown calls BasicWork::shutdown; without it the work never aborts"}

// duties are the other methods whose doc says an override must call them.
var duties = map[methodKey]dutyRule{
	{processPath, "RunCommandWork", "OnRun"}:   {"its doc: an override must call the RunCommandWork one, which runs the command"},
	{processPath, "RunCommandWork", "OnAbort"}: {"its doc: an override must call the RunCommandWork one, which stops the process"},
	{processPath, "RunCommandWork", "OnReset"}: {"its doc: an override must call the RunCommandWork one, which forgets the last run"},
}

// adders are the methods that add a child to the work they are called on
// and start it, making it Running (C++ Work::addWork and
// WorkScheduler::scheduleWork).
var adders = map[methodKey]bool{
	{workPath, "Work", "AddWork"}:                    true,
	{workPath, "Work", "AddWorkWithCallback"}:        true,
	{schedulerPath, "WorkScheduler", "ScheduleWork"}: true,
}

// keyOf returns the key of method m, and false for a function that is not
// a method of a named type (an interface method, for instance).
func keyOf(m *types.Func) (methodKey, bool) {
	n := recvNamed(m)
	if n == nil || n.Obj().Pkg() == nil {
		return methodKey{}, false
	}
	if _, isIface := n.Underlying().(*types.Interface); isIface {
		return methodKey{}, false
	}
	return methodKey{n.Obj().Pkg().Path(), n.Obj().Name(), m.Name()}, true
}

// dutyOf returns the duty of overriding hidden, if it has one.
func dutyOf(hidden *types.Func) (dutyRule, bool) {
	k, ok := keyOf(hidden)
	if !ok {
		return dutyRule{}, false
	}
	if d, ok := duties[k]; ok {
		return d, true
	}
	if k.name == "Shutdown" && isOrEmbedsBasicWork(recvNamed(hidden)) {
		return shutdownDuty, true
	}
	return dutyRule{}, false
}

// isOrEmbedsBasicWork reports whether n is basicwork.BasicWork or has it as
// a promoted (embedded) field.
func isOrEmbedsBasicWork(n *types.Named) bool {
	if n == nil {
		return false
	}
	if isNamed(n, basicworkPath, "BasicWork") {
		return true
	}
	obj, _, _ := types.LookupFieldOrMethod(n, true, nil, "BasicWork")
	v, ok := obj.(*types.Var)
	return ok && v.Embedded() && isNamed(v.Type(), basicworkPath, "BasicWork")
}

// isNamed reports whether t (or what it points to) is the named type
// pkg.name.
func isNamed(t types.Type, pkg, name string) bool {
	n := namedOf(t)
	return n != nil && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// namedOf returns the named type t is, or points to, or nil.
func namedOf(t types.Type) *types.Named {
	t = types.Unalias(t)
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	n, _ := t.(*types.Named)
	if n != nil {
		n = n.Origin()
	}
	return n
}

// recvNamed returns the named type of m's receiver, or nil.
func recvNamed(m *types.Func) *types.Named {
	recv := m.Signature().Recv()
	if recv == nil {
		return nil
	}
	return namedOf(recv.Type())
}

func lastElem(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[i+1:]
		}
	}
	return path
}

// inLibrary reports whether the package path is one of the library's own
// packages, not an external test package of one (whose path ends in
// _test): those may extend a non-virtual method, as Init allows.
func inLibrary(pkg string) bool {
	return (pkg == modulePath || strings.HasPrefix(pkg, modulePath+"/")) && !strings.HasSuffix(pkg, "_test")
}
