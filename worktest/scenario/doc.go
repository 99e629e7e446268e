// Package scenario runs scenario files: small datadriven files
// (github.com/cockroachdb/datadriven) that build works, crank a virtual
// clock and check the works, each command writing its part of a trace in
// the format of worktest.Recorder (docs/TRACES.md). It is the engine of the
// library's parity traces, and works the same for a user's own works:
//
//	l := scenario.New()
//	l.Kind("countdown", func(s *scenario.Spec) (basicwork.Work, error) {
//		from, err := s.Int("from", 3)
//		...
//		w.Init(s.Env().App(), s.Name, basicwork.RetryNever, w)
//		return w, nil
//	})
//	l.Test(t, "testdata/countdown.txt") // in a go test
//
// A Language holds the built-in commands, work kinds (sequence,
// conditional, callback) and expressions, plus what the user registers
// with Kind, Command and Func. Language.Test runs a file as a datadriven
// test, comparing each command's output with the one written under it
// (`go test -rewrite` rewrites them) and failing on a check that prints
// FAILED, also under -rewrite; Language.Run and RunFile return the
// whole trace without the testing package. docs/SCENARIOS.md documents the
// language; the package example runs a work defined outside the library.
//
// Importing this package registers datadriven's -rewrite flag.
package scenario
