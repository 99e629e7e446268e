package basicwork_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stellarwork/stellarwork/basicwork"
)

var update = flag.Bool("update", false, "rewrite the golden diagrams in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write it")
	require.Equal(t, string(want), got, "the diagram changed: check it, then run go test -update")
}

func TestTransitionsDOT(t *testing.T) {
	got := basicwork.TransitionsDOT()
	golden(t, "transitions.dot.golden", got)
	for _, tr := range basicwork.Transitions() {
		require.Contains(t, got, "\t"+tr.From.String()+" -> "+tr.To.String()+" [label=\"")
	}
	require.Equal(t, len(basicwork.Transitions())+1, strings.Count(got, " -> "))
	require.NotContains(t, got, `label=""`, "every transition has a trigger")
}

func TestTransitionsMermaid(t *testing.T) {
	got := basicwork.TransitionsMermaid()
	golden(t, "transitions.mermaid.golden", got)
	for _, tr := range basicwork.Transitions() {
		require.Contains(t, got, "    "+tr.From.String()+" --> "+tr.To.String()+": ")
	}
	require.Equal(t, len(basicwork.Transitions())+1, strings.Count(got, " --> "))
	for _, line := range strings.Split(strings.TrimSpace(got), "\n")[1:] {
		_, label, ok := strings.Cut(line, ": ")
		require.True(t, ok && label != "" && !strings.Contains(label, ":"), "line %q needs one label without a colon", line)
	}
}

// TestDocsShowTheDiagram keeps the Mermaid diagram in the package doc and in
// docs/STATES.md equal to TransitionsMermaid.
func TestDocsShowTheDiagram(t *testing.T) {
	diagram := basicwork.TransitionsMermaid()

	states, err := os.ReadFile(filepath.Join("..", "docs", "STATES.md"))
	require.NoError(t, err)
	require.Contains(t, string(states), "```mermaid\n"+diagram+"```\n")

	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	var indented strings.Builder
	for _, line := range strings.SplitAfter(diagram, "\n") {
		if line != "" {
			indented.WriteString("//\t" + line)
		}
	}
	require.Contains(t, string(doc), indented.String())
}
