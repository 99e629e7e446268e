// Package waiting defines OnRun and DoWork methods that add a child and
// return Waiting on the same path.
package waiting

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/work"
)

// Straight adds and waits in one block.
type Straight struct {
	work.Work
	child basicwork.Work
}

func (s *Straight) DoWork() basicwork.State {
	_ = s.AddWork(s.child)
	return basicwork.Waiting // want `DoWork returns Waiting after adding a child \(AddWork at line 18\): the child is Running but its parent waits, so nothing cranks it; return Running`
}

// Branches adds in a branch and waits after it, and also waits on a path
// that adds nothing, which is fine.
type Branches struct {
	work.Work
	child basicwork.Work
	added bool
}

func (b *Branches) DoWork() basicwork.State {
	if b.added {
		return basicwork.Waiting
	}
	if err := b.Work.AddWorkWithCallback(nil, b.child); err != nil {
		return basicwork.Failure
	}
	b.added = true
	return basicwork.Waiting // want `DoWork returns Waiting after adding a child \(AddWorkWithCallback at line 34\)`
}

// Loop adds on one turn and waits on the next.
type Loop struct {
	work.Work
	kids []basicwork.Work
}

func (l *Loop) DoWork() basicwork.State {
	for i := 0; ; i++ {
		if i == len(l.kids) {
			return basicwork.Waiting // want `DoWork returns Waiting after adding a child`
		}
		_ = l.AddWork(l.kids[i])
	}
}

// Root is a WorkScheduler of the user's own whose DoWork schedules a work
// and waits.
type Root struct {
	scheduler.WorkScheduler
	next basicwork.Work
}

func (r *Root) DoWork() basicwork.State {
	if r.next != nil {
		r.ScheduleWork(r.next)
	}
	return basicwork.Waiting // want `DoWork returns Waiting after adding a child \(ScheduleWork at line 65\)`
}
