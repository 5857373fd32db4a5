package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// privateCitation is how octoha cites its own notes: a file in this
// repository (the facts document, FACTS.md) or the reference it was
// designed from. An admin at a jump box has neither.
var privateCitation = regexp.MustCompile(`octopus-facts\.md|FACTS\.md|reference §`)

// TestUserTextCitesNoPrivateNotes: no string octoha's code holds, which is
// text that can reach a screen, `check` output, --plain output or an
// emitted file, cites the repository's own notes; it says the fact, and
// where a source helps, names the public page (internal/docs). Comments
// may cite the notes: a contributor has them. The test reads every
// non-test Go file of every package `go list` reports, through the Go
// parser, so a new package or file is covered without a list to keep.
func TestUserTextCitesNoPrivateNotes(t *testing.T) {
	_, files := goFiles(t, goList(t))
	for _, f := range files {
		for _, c := range privateCitations(t, f) {
			t.Error(c)
		}
	}
	if len(files) < 100 {
		t.Fatalf("only %d Go files read: go list no longer reports the module's packages", len(files))
	}
}

// privateCitations reports each string literal of a Go file that cites
// the repository's notes, as "file:line: text".
func privateCitations(t *testing.T, path string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			s = lit.Value
		}
		if m := privateCitation.FindString(s); m != "" {
			found = append(found, fset.Position(lit.Pos()).String()+": a string cites "+m+" (a file the admin does not have): "+strings.TrimSpace(s))
		}
		return true
	})
	return found
}

// privateCitations finds a citation in a string, in a raw string and in a
// string that is part of a larger expression, and none in comments.
func TestPrivateCitationsReadsStringsNotComments(t *testing.T) {
	src := "package p\n\n// cites docs/octopus-facts.md §4.2, which is fine\nvar (\n" +
		"\ta = \"needs db_owner (docs/octopus-facts.md §4.2)\"\n" +
		"\tb = `see FACTS.md`\n" +
		"\tc = \"x\" + \"(reference §6)\" /* octopus-facts.md */\n" +
		"\td = \"https://octopus.com/docs/installation/sql-server-database\"\n)\n"
	path := filepath.Join(t.TempDir(), "p.go")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got := privateCitations(t, path)
	if len(got) != 3 {
		t.Fatalf("found %d citations, want 3 (a, b and c's string): %q", len(got), got)
	}
	for i, line := range []string{":5:", ":6:", ":7:"} {
		if !strings.Contains(got[i], line) {
			t.Errorf("citation %d at %q, want line %s", i, got[i], line)
		}
	}
}
