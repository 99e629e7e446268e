package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/stellarwork/stellarwork/basicwork"
	itree "github.com/stellarwork/stellarwork/internal/tree"
	"github.com/stellarwork/stellarwork/worktest"
)

// tree is basicwork's record of the work tree (see package tree).
var tree = itree.Get[basicwork.Work, *basicwork.BasicWork]()

// The expression language of checks, loop conditions and conditions of
// ConditionalWorks. docs/SCENARIOS.md has its grammar.

type kind int

const (
	kInt kind = iota
	kBool
	kState
	kWork
	kNil
	kString
)

// kindNames name the kinds with their article, for messages.
var kindNames = [...]string{"an integer", "a boolean", "a state", "a work", "nullptr", "a string"}

// val is the value of an expression.
type val struct {
	k  kind
	i  int64
	b  bool
	st basicwork.State
	w  basicwork.Work
	s  string
}

// text formats v for a note: an integer in decimal, a boolean as true or
// false, a state by its C++ name, a string as it is, a work by its name.
func (v val) text() string {
	switch v.k {
	case kInt:
		return strconv.FormatInt(v.i, 10)
	case kBool:
		return strconv.FormatBool(v.b)
	case kState:
		return v.st.String()
	case kWork:
		return v.w.Name()
	case kString:
		return v.s
	}
	return "nullptr"
}

// any returns v as Eval gives it.
func (v val) any() any {
	switch v.k {
	case kInt:
		return v.i
	case kBool:
		return v.b
	case kState:
		return v.st
	case kWork:
		return v.w
	case kString:
		return v.s
	}
	return nil
}

// fromAny converts what a Func returns.
func fromAny(x any) (val, error) {
	switch x := x.(type) {
	case nil:
		return val{k: kNil}, nil
	case int:
		return val{k: kInt, i: int64(x)}, nil
	case int64:
		return val{k: kInt, i: x}, nil
	case bool:
		return val{k: kBool, b: x}, nil
	case string:
		return val{k: kString, s: x}, nil
	case basicwork.State:
		return val{k: kState, st: x}, nil
	case basicwork.Work:
		if reflect.ValueOf(x).IsNil() {
			return val{k: kNil}, nil
		}
		return val{k: kWork, w: x}, nil
	}
	return val{}, fmt.Errorf("a function returned a %T, not an int, bool, string, state or work", x)
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

// value evaluates x.
func (x *expr) value(e *Env) (val, error) {
	v, err := x.root(e)
	if err != nil {
		return val{}, fmt.Errorf("%q: %w", x.src, err)
	}
	return v, nil
}

// compile parses src, whose functions are those of l.
func (l *Language) compile(src string) (*expr, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", src, err)
	}
	p := &parser{toks: toks, lang: l}
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
var operators = []string{"&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "+", ","}

// wordEnd holds the characters that end a word.
const wordEnd = " \t!()<>=&|+,\""

// wordPrefix returns the word at the start of s.
func wordPrefix(s string) string {
	if i := strings.IndexAny(s, wordEnd); i >= 0 {
		return s[:i]
	}
	return s
}

// tokenize splits src into operators, string literals (kept with their
// quotes) and words. A word is a run of characters other than spaces,
// quotes and "!()<>=&|+,"; "is" and "is-not" are read as == and !=.
func tokenize(src string) ([]string, error) {
	var toks []string
	for i := 0; i < len(src); {
		if src[i] == ' ' || src[i] == '\t' {
			i++
			continue
		}
		if src[i] == '"' {
			q, err := strconv.QuotedPrefix(src[i:])
			if err != nil {
				return nil, fmt.Errorf("unterminated string at column %d", i+1)
			}
			toks = append(toks, q)
			i += len(q)
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
		w := wordPrefix(src[i:])
		if w == "" {
			return nil, fmt.Errorf("unexpected %q at column %d", src[i:i+1], i+1)
		}
		j := i + len(w)
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
	lang *Language
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
	if t == "" || strings.ContainsAny(t[:1], wordEnd) {
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
	case "==", "!=", "<", "<=", ">", ">=", "has-prefix":
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
	}
	if t[0] == '"' {
		s, err := strconv.Unquote(t)
		if err != nil {
			return nil, err
		}
		return constant(val{k: kString, s: s}), nil
	}
	if strings.ContainsAny(t[:1], wordEnd) {
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
		var args []node
		if p.peek() == "(" {
			var err error
			if args, err = p.arguments(); err != nil {
				return nil, err
			}
		}
		return func(e *Env) (val, error) {
			w, err := e.Work(name)
			if err != nil {
				return val{}, err
			}
			return e.field(w, fieldName, args)
		}, nil
	}
	if p.peek() == "(" {
		return p.call(t)
	}
	return p.suffix(t)
}

// arguments reads "(expr, expr, ...)", possibly empty.
func (p *parser) arguments() ([]node, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var args []node
	if p.peek() == ")" {
		p.next()
		return nil, nil
	}
	for {
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		args = append(args, x)
		switch p.next() {
		case ")":
			return args, nil
		case ",":
		default:
			return nil, errors.New("expected \",\" or \")\" in an argument list")
		}
	}
}

// builtinFuncs are the functions every language has.
var builtinFuncs = map[string]bool{"exists": true}

// call reads the arguments of a function call "name(a, b)": words, passed
// unevaluated.
func (p *parser) call(name string) (node, error) {
	p.next() // (
	var args []string
	for p.peek() != ")" {
		w, err := p.word()
		if err != nil {
			return nil, err
		}
		args = append(args, w)
		if p.peek() == "," {
			p.next()
		} else if p.peek() != ")" {
			return nil, fmt.Errorf("expected \",\" or \")\" after %s", w)
		}
	}
	p.next() // )
	if name == "exists" {
		if len(args) != 1 {
			return nil, errors.New("exists takes one name")
		}
		return func(e *Env) (val, error) {
			_, ok := e.lookup(args[0])
			return val{k: kBool, b: ok}, nil
		}, nil
	}
	var f Func
	if p.lang != nil {
		f = p.lang.funcs[name]
	}
	if f == nil {
		return nil, fmt.Errorf("unknown function %s", name)
	}
	return func(e *Env) (val, error) {
		x, err := f(e, args)
		if err != nil {
			return val{}, fmt.Errorf("%s: %w", name, err)
		}
		return fromAny(x)
	}, nil
}

// suffix reads what follows a bare name: state, status, isAborting, isDone,
// or nothing (the work itself, or an unqualified field of the scenario's
// only batch work).
func (p *parser) suffix(name string) (node, error) {
	switch p.peek() {
	case "state", "status":
		m := p.next()
		return func(e *Env) (val, error) {
			w, err := e.Work(name)
			if err != nil {
				return val{}, err
			}
			if m == "status" {
				return val{k: kString, s: w.Status()}, nil
			}
			return val{k: kState, st: w.State()}, nil
		}, nil
	case "isAborting", "isDone":
		m := p.next()
		return func(e *Env) (val, error) {
			w, err := e.Work(name)
			if err != nil {
				return val{}, err
			}
			if m == "isDone" {
				return val{k: kBool, b: w.IsDone()}, nil
			}
			return val{k: kBool, b: w.IsAborting()}, nil
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
		return e.field(b, name, nil)
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
	if op == "has-prefix" {
		if a.k != kString {
			return false, fmt.Errorf("has-prefix compares strings, not %s", kindNames[a.k])
		}
		return strings.HasPrefix(a.s, b.s), nil
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
			eq = tree.Base(a.w) == tree.Base(b.w)
		case kString:
			eq = a.s == b.s
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
// RunningCount) or else a method that returns an integer, a boolean, a
// string or a state (allChildrenDone reads AllChildrenDone()), called with
// args, which must be integers.
func (e *Env) field(w basicwork.Work, name string, args []node) (val, error) {
	if name == "" {
		return val{}, errors.New("empty field name")
	}
	if name == "liveWorks" && len(args) == 0 {
		return e.liveWorks(w)
	}
	exp := strings.ToUpper(name[:1]) + name[1:]
	rv := reflect.ValueOf(w)
	if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Struct && len(args) == 0 {
		if f := rv.Elem().FieldByName(exp); f.IsValid() && f.CanInterface() {
			if v, ok := fromReflect(f); ok {
				return v, nil
			}
			return val{}, fmt.Errorf("%s.%s is a %s, not an integer, boolean, string or state", w.Name(), name, f.Type())
		}
	}
	if strings.HasPrefix(exp, "On") || strings.HasPrefix(exp, "Do") || hidden[exp] {
		return val{}, fmt.Errorf("%s.%s acts on the work: it cannot be read", w.Name(), name)
	}
	m := rv.MethodByName(exp)
	if !m.IsValid() {
		return val{}, fmt.Errorf("%s (%T) has no field or method %s", w.Name(), w, name)
	}
	t := m.Type()
	if t.NumIn() != len(args) || t.NumOut() != 1 || t.IsVariadic() {
		return val{}, fmt.Errorf("%s.%s does not take %d argument(s) and return one value", w.Name(), name, len(args))
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		v, err := a(e)
		if err != nil {
			return val{}, err
		}
		pt := t.In(i)
		if v.k != kInt || !isInt(pt.Kind()) {
			return val{}, fmt.Errorf("%s.%s: argument %d must be an integer", w.Name(), name, i+1)
		}
		in[i] = reflect.ValueOf(v.i).Convert(pt)
	}
	if v, ok := fromReflect(m.Call(in)[0]); ok {
		return v, nil
	}
	return val{}, fmt.Errorf("%s.%s() returns a %s, not an integer, boolean, string or state", w.Name(), name, t.Out(0))
}

func isInt(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Int64 }

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
	case reflect.String:
		return val{k: kString, s: v.String()}, true
	}
	return val{}, false
}

// LiveCounter is a work that keeps weak pointers to the works it made
// (a batch work, to what it yielded) and counts those still alive: the
// C++ tests' count of unexpired weak_ptrs. The live command and the
// liveWorks and "live works" expressions read it.
type LiveCounter interface {
	basicwork.Work
	// LiveWorks returns how many of the weak pointers still point to a
	// live work (without collecting garbage first).
	LiveWorks() int
}

// liveWorks counts, after a full collection (unless RunOptions.NoCollect),
// the works of w still alive. It collects once for several counts in a
// row: a count is kept until a crank or a command other than live, check
// and note runs, since nothing else can free a work.
func (e *Env) liveWorks(w basicwork.Work) (val, error) {
	lc, ok := w.(LiveCounter)
	if !ok {
		return val{}, fmt.Errorf("%s (%T) does not count its live works", w.Name(), w)
	}
	if e.live == nil {
		e.live = map[basicwork.Work]int{}
	}
	if n, ok := e.live[w]; ok {
		return val{k: kInt, i: int64(n)}, nil
	}
	if !e.opts.NoCollect {
		worktest.Collect()
	}
	n := lc.LiveWorks()
	e.live[w] = n
	return val{k: kInt, i: int64(n)}, nil
}
