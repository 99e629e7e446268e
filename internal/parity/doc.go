// Package parity runs the scenario language of the parity traces: small
// datadriven files (github.com/cockroachdb/datadriven) that build works,
// crank the clock and check what the upstream stellar-core tests check,
// writing the trace format of worktest.Recorder. The 28 scenarios under
// testdata reproduce, byte for byte, the traces recorded from stellar-core's
// C++ work code (copied under testdata/traces); docs/SCENARIOS.md documents
// every command.
//
// The layout follows etcd raft's interaction tests: Env.Handle dispatches a
// directive to one handler per command, each in its own handler_<cmd>.go
// file. RunFile runs a whole file without the testing package, for
// cmd/worktrace.
package parity
