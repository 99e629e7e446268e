// Package basecall defines overrides that must call the method they hide.
package basecall

import (
	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/work"
)

// Leaf forgets BasicWork.Shutdown: it would never move to Aborting.
type Leaf struct {
	basicwork.BasicWork
	stopped bool
}

func (l *Leaf) OnRun() basicwork.State { return basicwork.Success }
func (l *Leaf) OnAbort() bool          { return true }

func (l *Leaf) Shutdown() { l.stopped = true } // want `Leaf\.Shutdown does not call the basicwork\.BasicWork\.Shutdown it overrides \(call l\.BasicWork\.Shutdown\), as C\+\+ Work::shutdown calls BasicWork::shutdown`

// Parent calls BasicWork.Shutdown, skipping Work.Shutdown which it hides:
// its children are not shut down.
type Parent struct {
	work.Work
}

func (p *Parent) DoWork() basicwork.State { return basicwork.Success }

func (p *Parent) Shutdown() { p.BasicWork.Shutdown() } // want `Parent\.Shutdown does not call the work\.Work\.Shutdown it overrides \(call p\.Work\.Shutdown\)`

// Other calls Shutdown on another work, not on its own embedded one.
type Other struct {
	basicwork.BasicWork
	peer *Leaf
}

func (o *Other) OnRun() basicwork.State { return basicwork.Success }
func (o *Other) OnAbort() bool          { return true }

func (o *Other) Shutdown() { o.peer.BasicWork.Shutdown() } // want `Other\.Shutdown does not call the basicwork\.BasicWork\.Shutdown it overrides`

// Unnamed cannot call anything through its receiver.
type Unnamed struct {
	basicwork.BasicWork
}

func (Unnamed) OnRun() basicwork.State { return basicwork.Success }
func (Unnamed) OnAbort() bool          { return true }
func (Unnamed) Shutdown()              {} // want `Unnamed\.Shutdown does not call`

// Cmd overrides RunCommandWork's hooks, whose doc says to call them.
type Cmd struct {
	process.RunCommandWork
	runs int
}

func (c *Cmd) GetCommand() process.CommandInfo { return process.CommandInfo{Command: "true"} }

func (c *Cmd) OnRun() basicwork.State { c.runs++; return basicwork.Running } // want `Cmd\.OnRun does not call the process\.RunCommandWork\.OnRun it overrides \(call c\.RunCommandWork\.OnRun\), its doc`

func (c *Cmd) OnAbort() bool { return true } // want `Cmd\.OnAbort does not call the process\.RunCommandWork\.OnAbort`

func (c *Cmd) OnReset() { c.runs = 0 } // want `Cmd\.OnReset does not call the process\.RunCommandWork\.OnReset`
