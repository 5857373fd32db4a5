package lb

import (
	"testing"

	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/internal/markdown/mdtest"
)

// TestEveryMarkdownValueIsQuoted walks the external balancer notes: an
// action that prints ends in one of internal/markdown's functions, and a
// code span in a table row is a codeCell.
func TestEveryMarkdownValueIsQuoted(t *testing.T) {
	if printed := mdtest.CheckTemplates(t, markdown.Funcs, templateFiles, "templates", templates().Lookup("external.md.tmpl")); printed < 30 {
		t.Fatalf("only %d printing actions found; the walk is broken", printed)
	}
}
