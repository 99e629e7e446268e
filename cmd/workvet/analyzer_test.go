package main

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"
)

// TestAnalyzer checks every diagnostic against the want comments of the
// test packages: each reported case is wanted, and nothing else is
// reported (package clean wants nothing). The test packages live in a
// module of their own that requires the library through a replace of the
// repository root, so the analyzer sees the real work types, not stubs.
//
// It then checks, apart from the want comments, the case of issue 16: a
// type embedding work.Work that defines DoWork and also OnRun must be
// reported as overriding the C++ final Work::onRun.
func TestAnalyzer(t *testing.T) {
	dir := filepath.Join(analysistest.TestData(), "src")
	results := analysistest.Run(t, dir, Analyzer, "./finals", "./basecall", "./waiting", "./clean")

	found := false
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if d.Category == "final" && strings.HasPrefix(d.Message, "Parent.OnRun overrides work.Work.OnRun") &&
				strings.Contains(d.Message, "Work::onRun") {
				found = true
			}
		}
	}
	if !found {
		t.Error("no diagnostic for finals.Parent.OnRun, which overrides the final work.Work.OnRun")
	}
}
