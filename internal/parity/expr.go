package parity

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/internal/testworks"
)

// The expression language of checks, loop conditions and conditions of
// ConditionalWorks. docs/SCENARIOS.md has its grammar.

type kind int

const (
	kInt kind = iota
	kBool
	kState
	kWork
	kNil
)

// kindNames name the kinds with their article, for messages.
var kindNames = [...]string{"an integer", "a boolean", "a state", "a work", "nullptr"}

// val is the value of an expression.
type val struct {
	k  kind
	i  int64
	b  bool
	st basicwork.State
	w  basicwork.Work
}

// node evaluates one part of an expression.
type node func(e *Env) (val, error)

// expr is a compiled expression.
type expr struct {
	src  string
	root node
}

// truth evaluates x as a condition: a boolean, or an integer that is true
// when it is not 0.
func (x *expr) truth(e *Env) (bool, error) {
	v, err := x.root(e)
	if err != nil {
		return false, fmt.Errorf("%q: %w", x.src, err)
	}
	switch v.k {
	case kBool:
		return v.b, nil
	case kInt:
		return v.i != 0, nil
	}
	return false, fmt.Errorf("%q is %s, not a condition", x.src, kindNames[v.k])
}

// compile parses src.
func compile(src string) (*expr, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", src, err)
	}
	p := &parser{toks: toks}
	root, err := p.parseOr()
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	if err != nil {
		return nil, fmt.Errorf("%q: %w", src, err)
	}
	return &expr{src: src, root: root}, nil
}

// operators, longest first.
var operators = []string{"&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "+"}

// tokenize splits src into operators and words. A word is a run of
// characters other than spaces and "!()<>=&|+"; "is" and "is-not" are
// read as == and !=.
func tokenize(src string) ([]string, error) {
	var toks []string
	for i := 0; i < len(src); {
		if src[i] == ' ' || src[i] == '\t' {
			i++
			continue
		}
		op := ""
		for _, o := range operators {
			if strings.HasPrefix(src[i:], o) {
				op = o
				break
			}
		}
		if op != "" {
			toks = append(toks, op)
			i += len(op)
			continue
		}
		j := i
		for j < len(src) && !strings.ContainsRune(" \t!()<>=&|+", rune(src[j])) {
			j++
		}
		if j == i {
			return nil, fmt.Errorf("unexpected %q at column %d", src[i:i+1], i+1)
		}
		w := src[i:j]
		switch w {
		case "is":
			w = "=="
		case "is-not":
			w = "!="
		}
		toks = append(toks, w)
		i = j
	}
	if len(toks) == 0 {
		return nil, errors.New("empty expression")
	}
	return toks, nil
}

type parser struct {
	toks []string
	i    int
}

func (p *parser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *parser) next() string {
	t := p.peek()
	if t != "" {
		p.i++
	}
	return t
}

func (p *parser) expect(want ...string) error {
	for _, w := range want {
		if got := p.next(); got != w {
			if got == "" {
				got = "the end"
			}
			return fmt.Errorf("expected %q, found %q", w, got)
		}
	}
	return nil
}

// word reads a name.
func (p *parser) word() (string, error) {
	t := p.next()
	if t == "" || strings.ContainsAny(t[:1], "!()<>=&|+") {
		return "", fmt.Errorf("expected a name, found %q", t)
	}
	return t, nil
}

func (p *parser) parseOr() (node, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peek() == "||" {
		p.next()
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = logical(l, r, true)
	}
	return l, nil
}

func (p *parser) parseAnd() (node, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.peek() == "&&" {
		p.next()
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = logical(l, r, false)
	}
	return l, nil
}

// logical is a short-circuit || (or) or &&.
func logical(l, r node, or bool) node {
	return func(e *Env) (val, error) {
		a, err := asBool(e, l)
		if err != nil || a == or {
			return val{k: kBool, b: a}, err
		}
		b, err := asBool(e, r)
		return val{k: kBool, b: b}, err
	}
}

func asBool(e *Env, n node) (bool, error) {
	v, err := n(e)
	if err != nil {
		return false, err
	}
	switch v.k {
	case kBool:
		return v.b, nil
	case kInt:
		return v.i != 0, nil
	}
	return false, fmt.Errorf("%s is not a condition", kindNames[v.k])
}

func (p *parser) parseUnary() (node, error) {
	if p.peek() == "!" {
		p.next()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return func(e *Env) (val, error) {
			b, err := asBool(e, x)
			return val{k: kBool, b: !b}, err
		}, nil
	}
	return p.parseCmp()
}

func (p *parser) parseCmp() (node, error) {
	l, err := p.parseSum()
	if err != nil {
		return nil, err
	}
	switch op := p.peek(); op {
	case "==", "!=", "<", "<=", ">", ">=":
		p.next()
		r, err := p.parseSum()
		if err != nil {
			return nil, err
		}
		return func(e *Env) (val, error) {
			a, err := l(e)
			if err != nil {
				return val{}, err
			}
			b, err := r(e)
			if err != nil {
				return val{}, err
			}
			ok, err := compare(op, a, b)
			return val{k: kBool, b: ok}, err
		}, nil
	}
	return l, nil
}

func (p *parser) parseSum() (node, error) {
	l, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for p.peek() == "+" {
		p.next()
		r, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		a := l
		l = func(e *Env) (val, error) {
			x, err := a(e)
			if err != nil {
				return val{}, err
			}
			y, err := r(e)
			if err != nil {
				return val{}, err
			}
			if x.k != kInt || y.k != kInt {
				return val{}, fmt.Errorf("+ adds integers, not %s and %s", kindNames[x.k], kindNames[y.k])
			}
			return val{k: kInt, i: x.i + y.i}, nil
		}
	}
	return l, nil
}

// states maps the C++ names of the public states to their values.
var states = func() map[string]basicwork.State {
	m := map[string]basicwork.State{}
	for s := basicwork.Running; s <= basicwork.Failure; s++ {
		m[s.String()] = s
	}
	return m
}()

func constant(v val) node { return func(*Env) (val, error) { return v, nil } }

func (p *parser) parsePrimary() (node, error) {
	t := p.next()
	switch t {
	case "":
		return nil, errors.New("unexpected end of expression")
	case "(":
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		return x, p.expect(")")
	case "true", "false":
		return constant(val{k: kBool, b: t == "true"}), nil
	case "nullptr":
		return constant(val{k: kNil}), nil
	case "now":
		return func(e *Env) (val, error) {
			return val{k: kInt, i: e.r.Clock().Elapsed().Milliseconds()}, nil
		}, nil
	case "stopped":
		return func(e *Env) (val, error) { return val{k: kBool, b: e.r.Clock().IsStopped()}, nil }, nil
	case "exists":
		name, err := p.call()
		if err != nil {
			return nil, err
		}
		return func(e *Env) (val, error) {
			_, ok := e.lookup(name)
			return val{k: kBool, b: ok}, nil
		}, nil
	case "scheduleWork":
		name, err := p.call()
		if err != nil {
			return nil, err
		}
		return func(e *Env) (val, error) { return e.scheduleUntracked(name), nil }, nil
	}
	if strings.ContainsAny(t[:1], "!)<>=&|+") {
		return nil, fmt.Errorf("unexpected %q", t)
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return constant(val{k: kInt, i: n}), nil
	}
	if st, ok := states[t]; ok {
		return constant(val{k: kState, st: st}), nil
	}
	if t == "live" && p.peek() == "works" {
		p.next()
		return func(e *Env) (val, error) {
			b, err := e.soleBatch()
			if err != nil {
				return val{}, err
			}
			return e.liveWorks(b)
		}, nil
	}
	if name, fieldName, ok := strings.Cut(t, "."); ok {
		if p.peek() == "(" {
			if err := p.expect("(", ")"); err != nil {
				return nil, err
			}
		}
		return func(e *Env) (val, error) {
			w, err := e.work(name)
			if err != nil {
				return val{}, err
			}
			return e.field(w, fieldName)
		}, nil
	}
	return p.suffix(t)
}

// call reads "(name)".
func (p *parser) call() (string, error) {
	if err := p.expect("("); err != nil {
		return "", err
	}
	name, err := p.word()
	if err != nil {
		return "", err
	}
	return name, p.expect(")")
}

// suffix reads what follows a bare name: state, isAborting, isDone, the
// two phrases that act, or nothing (the work itself, or an unqualified
// field of the scenario's only batch work).
func (p *parser) suffix(name string) (node, error) {
	switch p.peek() {
	case "state":
		p.next()
		return func(e *Env) (val, error) {
			w, err := e.work(name)
			if err != nil {
				return val{}, err
			}
			return val{k: kState, st: w.State()}, nil
		}, nil
	case "isAborting", "isDone":
		m := p.next()
		return func(e *Env) (val, error) {
			w, err := e.work(name)
			if err != nil {
				return val{}, err
			}
			if m == "isDone" {
				return val{k: kBool, b: w.IsDone()}, nil
			}
			return val{k: kBool, b: w.IsAborting()}, nil
		}, nil
	case "forceWakeUp":
		p.next()
		if err := p.expect("does", "not", "throw"); err != nil {
			return nil, err
		}
		return func(e *Env) (val, error) {
			ok, err := e.forceWakeUpNoThrow(name)
			return val{k: kBool, b: ok}, err
		}, nil
	case "addTestWork":
		p.next()
		child, err := p.call()
		if err != nil {
			return nil, err
		}
		if err := p.expect("throws", "std::runtime_error"); err != nil {
			return nil, err
		}
		return func(e *Env) (val, error) {
			ok, err := e.addTestWorkThrows(name, child)
			return val{k: kBool, b: ok}, err
		}, nil
	}
	return func(e *Env) (val, error) {
		if w, ok := e.lookup(name); ok {
			return val{k: kWork, w: w}, nil
		}
		b, err := e.soleBatch()
		if err != nil {
			return val{}, fmt.Errorf("%q is neither a work nor a field of a batch work: %w", name, err)
		}
		return e.field(b, name)
	}, nil
}

// compare applies a comparison. A work compared with a state stands for its
// state; a work compared with nullptr is never equal to it.
func compare(op string, a, b val) (bool, error) {
	if a.k == kWork && b.k == kState {
		a = val{k: kState, st: a.w.State()}
	}
	if b.k == kWork && a.k == kState {
		b = val{k: kState, st: b.w.State()}
	}
	if (a.k == kNil || b.k == kNil) && (a.k == kWork || b.k == kWork || a.k == b.k) {
		a, b = val{k: kBool, b: a.k == kNil}, val{k: kBool, b: b.k == kNil}
	}
	if a.k != b.k {
		return false, fmt.Errorf("cannot compare %s with %s", kindNames[a.k], kindNames[b.k])
	}
	switch op {
	case "==", "!=":
		var eq bool
		switch a.k {
		case kInt:
			eq = a.i == b.i
		case kBool:
			eq = a.b == b.b
		case kState:
			eq = a.st == b.st
		case kWork:
			eq = basicwork.Base(a.w) == basicwork.Base(b.w)
		}
		return eq == (op == "=="), nil
	}
	if a.k != kInt {
		return false, fmt.Errorf("%s compares integers, not %s", op, kindNames[a.k])
	}
	switch op {
	case "<":
		return a.i < b.i, nil
	case "<=":
		return a.i <= b.i, nil
	case ">":
		return a.i > b.i, nil
	}
	return a.i >= b.i, nil
}

// hidden methods are never called by a field read: they act on the work.
var hidden = map[string]bool{
	"CrankWork": true, "Shutdown": true, "ForceWakeUp": true, "HasNext": true,
	"ResetIter": true, "YieldMoreWork": true, "CheckChildrenStatus": true,
}

var stateType = reflect.TypeFor[basicwork.State]()

// field reads name from w: an exported field (runningCount reads
// RunningCount) or else a method without arguments that returns an integer,
// a boolean or a state (allChildrenDone reads AllChildrenDone()).
func (e *Env) field(w basicwork.Work, name string) (val, error) {
	if name == "" {
		return val{}, errors.New("empty field name")
	}
	if name == "liveWorks" {
		return e.liveWorks(w)
	}
	exp := strings.ToUpper(name[:1]) + name[1:]
	rv := reflect.ValueOf(w)
	if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Struct {
		if f := rv.Elem().FieldByName(exp); f.IsValid() {
			if v, ok := fromReflect(f); ok {
				return v, nil
			}
			return val{}, fmt.Errorf("%s.%s is a %s, not an integer, boolean or state", w.Name(), name, f.Type())
		}
	}
	if strings.HasPrefix(exp, "On") || strings.HasPrefix(exp, "Do") || hidden[exp] {
		return val{}, fmt.Errorf("%s.%s acts on the work: it cannot be read", w.Name(), name)
	}
	m := rv.MethodByName(exp)
	if !m.IsValid() {
		return val{}, fmt.Errorf("%s (%T) has no field or method %s", w.Name(), w, name)
	}
	if t := m.Type(); t.NumIn() != 0 || t.NumOut() != 1 {
		return val{}, fmt.Errorf("%s.%s() does not return one value without arguments", w.Name(), name)
	}
	if v, ok := fromReflect(m.Call(nil)[0]); ok {
		return v, nil
	}
	return val{}, fmt.Errorf("%s.%s() returns a %s, not an integer, boolean or state", w.Name(), name, m.Type().Out(0))
}

func fromReflect(v reflect.Value) (val, bool) {
	if v.Type() == stateType {
		return val{k: kState, st: basicwork.State(v.Int())}, true
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return val{k: kInt, i: v.Int()}, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return val{k: kInt, i: int64(v.Uint())}, true
	case reflect.Bool:
		return val{k: kBool, b: v.Bool()}, true
	}
	return val{}, false
}

// liveCounter is a batch work that keeps weak pointers to what it yielded.
type liveCounter interface{ LiveWorks() int }

// liveWorks counts, after a full collection (unless RunOptions.NoCollect),
// the batched works of w still alive.
func (e *Env) liveWorks(w basicwork.Work) (val, error) {
	lc, ok := w.(liveCounter)
	if !ok {
		return val{}, fmt.Errorf("%s (%T) does not keep its batched works", w.Name(), w)
	}
	if !e.opts.NoCollect {
		runtime.GC()
	}
	return val{k: kInt, i: int64(lc.LiveWorks())}, nil
}

var _ liveCounter = (*testworks.BatchWork)(nil)
