// Command workvet checks the contracts of stellarwork works that the Go type
// system cannot: it is a go vet tool.
//
// Install it and run it through go vet:
//
//	go install github.com/stellarwork/stellarwork/cmd/workvet@latest
//	go vet -vettool=$(which workvet) ./...
//
// or on its own, as workvet ./... (it takes the go vet flags, and -fix
// has nothing to fix). It reports, in any type that embeds one of the
// library's work types:
//
//   - A final override. Work.OnRun, OnAbort and OnReset, WorkSequence.OnRun,
//     OnAbort and OnReset, and BatchWork.DoWork and DoReset port methods that
//     are final in C++. Go has no final, so a type embedding one of them (at
//     any depth: a BatchWork is a Work) may define a method of the same name,
//     which hides the library's: the library then calls the outer one. For
//     Work.OnRun, say, the children are never cranked. Init refuses such a
//     type with a panic (basicwork.FinalOverrideError) when the program
//     runs; workvet reports it when the code is vetted, also an override
//     that calls the one it hides, which Init refuses all the same. The
//     message names the type, the method and the C++ final, and says what to
//     define instead.
//   - A missing base call. An override of Shutdown must call the Shutdown it
//     hides (w.BasicWork.Shutdown(), w.Work.Shutdown(), ...), as every C++
//     override of shutdown calls the base one: only BasicWork's moves the
//     work to Aborting. So must an override of RunCommandWork's OnRun,
//     OnAbort or OnReset, as its doc says. A call anywhere in the body, made
//     through the receiver and its embedded fields, counts.
//   - Waiting after adding a child. An OnRun or DoWork that calls AddWork or
//     AddWorkWithCallback on its own work (or ScheduleWork on a
//     WorkScheduler) and then returns the constant Waiting on the same
//     control-flow path leaves the new child Running under a waiting parent
//     that nothing wakes up. Computed states and helpers that add are not
//     followed, so the check gives no false positives at the cost of missing
//     some cases.
//
// A method whose doc comment has a line //workvet:ignore, optionally
// followed by a reason, is not checked: for tests that define a wrong
// override on purpose, such as one checking that Init refuses a final
// override.
//
// workvet ports no C++ code; it stands in for the C++ compiler's check of
// final and for the review that base calls get in C++.
package main

import "golang.org/x/tools/go/analysis/singlechecker"

func main() { singlechecker.Main(Analyzer) }
