package work

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"go.uber.org/zap/zapcore"
)

const (
	zapcoreDebug = zapcore.DebugLevel
	traceLevel   = basicwork.TraceLevel
)

// child is a node of a Work's list of children.
type child struct {
	w          basicwork.Work
	prev, next *child
}

// children is a doubly linked list: removing a finished child in the middle
// of a round is O(1), and the round-robin position stays valid.
type children struct {
	head, tail *child
	len        int
}

func (l *children) pushBack(w basicwork.Work) {
	c := &child{w: w, prev: l.tail}
	if l.tail != nil {
		l.tail.next = c
	} else {
		l.head = c
	}
	l.tail = c
	l.len++
}

// remove unlinks c, clears it so that nothing keeps the work alive, and
// returns the node after it.
func (l *children) remove(c *child) *child {
	next := c.next
	if c.prev != nil {
		c.prev.next = next
	} else {
		l.head = next
	}
	if next != nil {
		next.prev = c.prev
	} else {
		l.tail = c.prev
	}
	*c = child{}
	l.len--
	return next
}

func (l *children) clear() {
	for c := l.head; c != nil; {
		n := c.next
		*c = child{}
		c = n
	}
	*l = children{}
}
