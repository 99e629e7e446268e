package basicwork

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"
)

// typeInfo is what Init learns about the outer type of a work once per
// type: whether it redeclares a non-virtual method (checkNonVirtual), and
// which of the hooks it leaves to BasicWork's own, empty ones. A work
// keeps the latter in its state word (stateFlags), so that a transition
// need not call a hook it knows to be empty: the call, and the recover
// around it, were a sizeable part of a short work's life (issue 15,
// workload c). Skipping an empty hook changes nothing anyone can see.
type typeInfo struct {
	t reflect.Type
	// word is t's type word (typeWord), the cheaper key to compare.
	word unsafe.Pointer
	// nonVirtual is the *FinalOverrideError Init panics with (with an empty
	// Name), or nil.
	nonVirtual *FinalOverrideError
	// defaults is the set of default* flags of the hooks the type does not
	// override.
	defaults int32
	// at is the offset of the BasicWork that the type's basicWork method
	// returns, in the struct a value of the type points to, when it is
	// the same in every value (atFixed; basicWorkOffset).
	at      uintptr
	atFixed bool
}

// The flags of the hooks a work's outer type leaves to BasicWork, kept in
// the work's state word above the state itself (see stateMask).
const (
	defaultOnSuccess int32 = 1 << (8 + iota)
	defaultOnFailureRetry
	defaultOnFailureRaise
	defaultOnReset
	defaultWakeUp
	// defaultStartWork: the type's StartWork is BasicWork's own (only the
	// library's composites may extend it: checkNonVirtual), so a parent
	// may start a new child without the call through the interface
	// (startAdded).
	defaultStartWork
)

// hookFlags maps the hooks checked to their flags.
var hookFlags = [...]struct {
	method string
	flag   int32
}{
	{"OnSuccess", defaultOnSuccess},
	{"OnFailureRetry", defaultOnFailureRetry},
	{"OnFailureRaise", defaultOnFailureRaise},
	{"OnReset", defaultOnReset},
	{"WakeUp", defaultWakeUp},
}

// typeInfos caches a *typeInfo per outer type (a reflect.Type key: a
// lookup allocates nothing).
var typeInfos sync.Map

// lastTypeInfo is the typeInfo of the last type asked for: works are
// mostly built many of one type in a row, and comparing a type is much
// cheaper than the map's hashing.
var lastTypeInfo atomic.Pointer[typeInfo]

// lookUpTypeInfo returns the typeInfo of self's type, computing it on
// first use, and keeps it as the last one. Init calls it for a type other
// than the last one (lastTypeInfo), which it tests inline.
func lookUpTypeInfo(self Work) *typeInfo {
	t := reflect.TypeOf(self)
	v, ok := typeInfos.Load(t)
	if !ok {
		v, _ = typeInfos.LoadOrStore(t, newTypeInfo(t, typeWord(self)))
	}
	c := v.(*typeInfo)
	lastTypeInfo.Store(c)
	return c
}

// typeWord returns the first word of w as an any, which points to the
// runtime's descriptor of w's dynamic type: two works have the same word
// exactly when their types are the same. Comparing reflect.Type values
// instead costs a call to the runtime's interface comparison.
func typeWord(w Work) unsafe.Pointer {
	e := any(w)
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&e))[0]
}

func newTypeInfo(t reflect.Type, word unsafe.Pointer) *typeInfo {
	c := &typeInfo{t: t, word: word, nonVirtual: findNonVirtual(t)}
	c.at, c.atFixed = basicWorkOffset(t)
	for _, h := range hookFlags {
		if fromBasicWork(t, h.method) {
			c.defaults |= h.flag
		}
	}
	if fromBasicWork(t, "StartWork") {
		c.defaults |= defaultStartWork
	}
	return c
}

// basicWorkOffset returns the offset of the BasicWork that t's basicWork
// method returns, in the struct t points to, if it is the same in every
// value. BasicWork alone declares basicWork; Go promotes it from the
// shallowest embedded field that has it. So if t is a pointer to a
// struct and, going down its embedded fields level by level, the first
// level with a BasicWork has exactly one, embedded by value, and no
// level down to it embeds a pointer or an interface (which could give
// basicWork too, from a value that moves), basicWork returns that
// BasicWork: its offset is fixed. Otherwise it reads as not fixed, which
// only costs Init the call.
func basicWorkOffset(t reflect.Type) (uintptr, bool) {
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return 0, false
	}
	type node struct {
		t   reflect.Type
		off uintptr
	}
	level := []node{{t.Elem(), 0}}
	for len(level) > 0 {
		var next []node
		found, at := 0, uintptr(0)
		for _, n := range level {
			for i := 0; i < n.t.NumField(); i++ {
				f := n.t.Field(i)
				if !f.Anonymous {
					continue
				}
				switch k := f.Type.Kind(); {
				case f.Type == basicWorkType:
					found++
					at = n.off + f.Offset
				case k == reflect.Pointer || k == reflect.Interface:
					return 0, false
				case k == reflect.Struct:
					next = append(next, node{f.Type, n.off + f.Offset})
				}
			}
		}
		if found != 0 {
			return at, found == 1
		}
		level = next
	}
	return 0, false
}

// fromBasicWork reports whether t's method m is BasicWork's own, promoted
// through the embedded fields: no type embedded at a smaller depth than
// BasicWork, nor at the same one, has a method or field m of its own
// (promotedFrom). Go's promotion picks the shallowest m, so then the one
// found is BasicWork's. An embedded interface with m counts as having it;
// a type whose m is in doubt reads as overriding it, which only costs the
// call.
func fromBasicWork(t reflect.Type, m string) bool { return promotedFrom(t, m) == basicWorkType }

// promotedFrom returns the type that gives t (a struct or a pointer to
// one) its method m as Go promotes methods: t's struct itself, or the type
// of an embedded field (through pointers), whichever has a method m of its
// own at the smallest depth (hasOwn). It returns nil if none has, if a
// field named m is as shallow, or if two types at that depth have one (t
// then has no method m).
func promotedFrom(t reflect.Type, m string) reflect.Type {
	start := deref(t)
	if start.Kind() != reflect.Struct {
		return nil
	}
	level := []reflect.Type{start}
	seen := map[reflect.Type]bool{start: true}
	for len(level) > 0 {
		var found []reflect.Type
		field := false
		var next []reflect.Type
		for _, s := range level {
			if hasOwn(s, m) {
				found = append(found, s)
			}
			if s.Kind() != reflect.Struct {
				continue
			}
			for i := 0; i < s.NumField(); i++ {
				f := s.Field(i)
				if f.Name == m {
					field = true
				}
				if !f.Anonymous {
					continue
				}
				if ft := deref(f.Type); !seen[ft] {
					seen[ft] = true
					next = append(next, ft)
				}
			}
		}
		if field || len(found) > 1 {
			return nil
		}
		if len(found) == 1 {
			return found[0]
		}
		level = next
	}
	return nil
}

// hasOwn reports whether s, a type met among the embedded fields, has a
// method m of its own: declared on s or *s in source, or in s's method
// set if s is an interface.
func hasOwn(s reflect.Type, m string) bool {
	if s.Kind() == reflect.Interface {
		_, ok := s.MethodByName(m)
		return ok
	}
	for _, rt := range []reflect.Type{reflect.PointerTo(s), s} {
		if _, ok := declares(rt, m); ok {
			return true
		}
	}
	return false
}

// deref returns the type t points to, or t.
func deref(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}
