package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDutiesCoverTheDocs reads the library's sources and checks that every
// doc comment saying an override "must call" a method has a rule: a
// method's doc names the method itself, and a type's doc names the methods
// listed in its sentence. It fails when a doc gains such a sentence that
// workvet does not check yet; add the method to duties in rules.go.
func TestDutiesCoverTheDocs(t *testing.T) {
	root := filepath.Join("..", "..")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || name == "cmd" || name == "internal" || strings.HasPrefix(name, ".") {
			continue
		}
		checked += checkDocDuties(t, modulePath+"/"+name, parseLibrary(t, filepath.Join(root, name)))
	}
	// basicwork.BasicWork.Shutdown and the three of RunCommandWork.
	if checked < 4 {
		t.Errorf("found %d methods whose doc asks overrides to call them, want at least 4: is the source tree where the test expects it?", checked)
	}
}

var mustCall = regexp.MustCompile(`[^.]*\bmust call\b[^.]*`)

// parseLibrary parses the non-test Go files of dir, with their comments.
func parseLibrary(t *testing.T, dir string) []*ast.File {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// checkDocDuties checks the "must call" docs of one package's files and
// returns how many methods they named.
func checkDocDuties(t *testing.T, path string, files []*ast.File) int {
	t.Helper()
	methods := map[string]map[string]bool{} // type -> its methods
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && len(fd.Recv.List) == 1 {
				typ := recvTypeName(fd.Recv.List[0].Type)
				if methods[typ] == nil {
					methods[typ] = map[string]bool{}
				}
				methods[typ][fd.Name.Name] = true
			}
		}
	}
	count := 0
	need := func(typ, method string) {
		count++
		k := methodKey{path, typ, method}
		if _, ok := duties[k]; ok {
			return
		}
		if method == "Shutdown" {
			return // every Shutdown of a work has the duty
		}
		t.Errorf("the doc of %s says overrides must call it, but workvet has no duty for it: add it to duties", k)
	}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && d.Doc != nil && mustCall.MatchString(d.Doc.Text()) {
					need(recvTypeName(d.Recv.List[0].Type), d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					doc := ts.Doc
					if doc == nil && len(d.Specs) == 1 {
						doc = d.Doc
					}
					if doc == nil {
						continue
					}
					for _, sentence := range mustCall.FindAllString(doc.Text(), -1) {
						for _, word := range strings.FieldsFunc(sentence, func(r rune) bool { return !isIdentRune(r) }) {
							if methods[ts.Name.Name][word] {
								need(ts.Name.Name, word)
							}
						}
					}
				}
			}
		}
	}
	return count
}

func recvTypeName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

func isIdentRune(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
