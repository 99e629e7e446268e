package main

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// testPackages are the test packages under testdata/src. They live in a
// module of their own that requires the library through a replace of the
// repository root, so the analyzer sees the real work types, not stubs.
// Package clean wants nothing reported.
var testPackages = []string{"./finals", "./basecall", "./waiting", "./clean"}

// long reports whether the long run was asked for (STELLARWORK_LONG=1,
// make test-long).
func long() bool { return os.Getenv("STELLARWORK_LONG") != "" }

// TestAnalyzer runs the analyzer on the test packages and checks every
// diagnostic against their want comments: each reported case is wanted,
// and nothing else is reported. It then checks, apart from the want
// comments, the case of issue 16: a type embedding work.Work that defines
// DoWork and also OnRun must be reported as overriding the C++ final
// Work::onRun.
//
// The packages are loaded once, with the types of their imports read from
// the compiler's export data, as go vet gives them to the analyzer. That
// takes a fraction of a second, where analysistest type-checks every
// import from source, the standard library included (about 8 s of CPU
// under the race detector): TestAnalyzerAnalysistest does that in the
// long run, with the same want comments.
func TestAnalyzer(t *testing.T) {
	dir := filepath.Join(analysistest.TestData(), "src")
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedTypes | packages.NeedTypesSizes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir: dir,
		// The test module's own settings, as analysistest runs it: no
		// workspace, no download (its go.sum lists what it needs).
		Env: append(os.Environ(), "GO111MODULE=on", "GOPROXY=off", "GOWORK=off"),
	}
	pkgs, err := packages.Load(cfg, testPackages...)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != len(testPackages) {
		t.Fatalf("loaded %d packages for %v, want %d", len(pkgs), testPackages, len(testPackages))
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
	}
	if t.Failed() {
		return
	}
	res, err := checker.Analyze([]*analysis.Analyzer{Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var diags []analysis.Diagnostic
	for _, act := range res.Roots {
		if act.Err != nil {
			t.Errorf("analyzing %s: %v", act.Package.PkgPath, act.Err)
			continue
		}
		for _, msg := range unmatched(t, act.Package, act.Diagnostics) {
			t.Error(msg)
		}
		diags = append(diags, act.Diagnostics...)
	}
	checkIssue16(t, diags)
}

// TestAnalyzerAnalysistest is TestAnalyzer through analysistest, the
// harness of golang.org/x/tools, which loads every import from source and
// sanity-checks the analysis: it confirms the want comments mean to it
// what they mean to wantsOf. Long run only (STELLARWORK_LONG=1): about
// 8 s of CPU under the race detector.
func TestAnalyzerAnalysistest(t *testing.T) {
	if !long() {
		t.Skip("long run only (STELLARWORK_LONG=1): TestAnalyzer checks the same want comments")
	}
	dir := filepath.Join(analysistest.TestData(), "src")
	var diags []analysis.Diagnostic
	for _, r := range analysistest.Run(t, dir, Analyzer, testPackages...) {
		diags = append(diags, r.Diagnostics...)
	}
	checkIssue16(t, diags)
}

// checkIssue16 fails t unless diags hold the report of finals.Parent.OnRun,
// which overrides the final work.Work.OnRun (issue 16).
func checkIssue16(t *testing.T, diags []analysis.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Category == "final" && strings.HasPrefix(d.Message, "Parent.OnRun overrides work.Work.OnRun") &&
			strings.Contains(d.Message, "Work::onRun") {
			return
		}
	}
	t.Error("no diagnostic for finals.Parent.OnRun, which overrides the final work.Work.OnRun")
}

// lineKey is a line of a file.
type lineKey struct {
	file string
	line int
}

// wantsOf returns the expectations of pkg's files: the regular
// expressions of each line's comment "// want `RE` ...", in analysistest's
// syntax (one or more Go string literals after "want"). A want comment
// that does not parse fails t, so that a typo is not read as "nothing
// wanted".
func wantsOf(t *testing.T, pkg *packages.Package) map[lineKey][]*regexp.Regexp {
	t.Helper()
	wants := map[lineKey][]*regexp.Regexp{}
	for _, f := range pkg.Syntax {
		for _, g := range f.Comments {
			for _, c := range g.List {
				rest, ok := strings.CutPrefix(c.Text, "// want ")
				if !ok {
					continue
				}
				pos := pkg.Fset.Position(c.Pos())
				k := lineKey{pos.Filename, pos.Line}
				for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
					lit, err := strconv.QuotedPrefix(rest)
					if err != nil {
						t.Fatalf("%s: want comment %q: not a Go string literal at %q", pos, c.Text, rest)
					}
					s, _ := strconv.Unquote(lit)
					re, err := regexp.Compile(s)
					if err != nil {
						t.Fatalf("%s: want comment: %v", pos, err)
					}
					wants[k] = append(wants[k], re)
					rest = rest[len(lit):]
				}
			}
		}
	}
	return wants
}

// unmatched pairs pkg's diagnostics with its want comments, each
// expectation taking one diagnostic on its line whose message it matches,
// and describes what is left over: a diagnostic nothing wanted, or a want
// no diagnostic met. Sorted by position.
func unmatched(t *testing.T, pkg *packages.Package, diags []analysis.Diagnostic) []string {
	t.Helper()
	wants := wantsOf(t, pkg)
	type item struct {
		pos token.Position
		msg string
	}
	var left []item
	for _, d := range diags {
		pos := pkg.Fset.Position(d.Pos)
		k := lineKey{pos.Filename, pos.Line}
		res := wants[k]
		i := 0
		for i < len(res) && !res[i].MatchString(d.Message) {
			i++
		}
		if i == len(res) {
			left = append(left, item{pos, fmt.Sprintf("%s: unexpected diagnostic: %s", pos, d.Message)})
			continue
		}
		wants[k] = append(res[:i:i], res[i+1:]...)
	}
	for k, res := range wants {
		for _, re := range res {
			pos := token.Position{Filename: k.file, Line: k.line}
			left = append(left, item{pos, fmt.Sprintf("%s: no diagnostic was reported matching %#q", pos, re)})
		}
	}
	sort.Slice(left, func(i, j int) bool {
		if left[i].pos.Filename != left[j].pos.Filename {
			return left[i].pos.Filename < left[j].pos.Filename
		}
		return left[i].pos.Line < left[j].pos.Line
	})
	msgs := make([]string, len(left))
	for i, it := range left {
		msgs[i] = it.msg
	}
	return msgs
}
