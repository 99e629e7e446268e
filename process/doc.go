// Package process runs commands as child processes for works: the Go port
// of stellar-core's ProcessManager and RunCommandWork.
//
// A Manager starts commands (split into arguments by SplitCommandLine; no
// shell), at most Config().MaxConcurrentSubprocesses at a time, queueing the
// rest first in, first out. Each process is watched by a goroutine of its
// own, which reaps it and posts its exit back to the crank goroutine with
// the application's PostOnMainThread, the one way back onto that goroutine.
// Everything else happens on the crank goroutine. As in the C++, a running
// process does not hold virtual time: an idle VirtualTime crank jumps to the
// next timer while processes run (WithHoldVirtualTime makes them hold it).
//
// App is a scheduler.App that owns a Manager, shut down with the
// application; a port's application embeds it, and RunCommandWork is built
// from it (the Application interface).
//
// RunCommandWork is the work built on it: it starts its command, waits
// without being cranked, and succeeds when the command exits 0.
//
// A command that may hang is timed out in virtual time by a vclock.Timer
// whose callback cancels the context given to WorkScheduler.ExecuteWork:
// the clock jumps to the timer while the process runs, and ExecuteWork then
// shuts the work down, which ends the process group and waits for it
// (historywork's TestVirtualTimeoutOnHungGet). Calling the work's Shutdown
// from the timer's callback instead leaves it aborting unseen: as in the
// C++, shutting a work down does not wake its parent, and a WorkScheduler
// that waits is never cranked again, so the process is never signalled.
// stellar-core bounds its commands in their templates instead (curl's
// --max-time, timeout(1)), in wall time.
//
// Processes run in process groups of their own; shutting one down sends
// SIGTERM to its group, then SIGKILL after a grace period, and is complete
// only once the process has been reaped. The Manager doc lists this and the
// other deliberate differences from the C++.
//
// The package needs a Unix system; the guarantee that a group is never
// signalled after its leader has been reaped holds on Linux.
package process
