package mdtest

import (
	"io/fs"
	"path"
	"strings"
	"testing"
	"text/template"

	"github.com/octoha/octoha/internal/tmplcheck"
)

// CheckTemplates fails t for every action of the templates that prints
// without ending in one of the quoting functions, and for every "code"
// action on a table row: GitHub splits a row at its pipes before it reads
// code spans, so a value's '|' would end the cell (use "codeCell" there).
// src holds the template files under dir. It returns how many actions
// print.
func CheckTemplates(t testing.TB, quoting template.FuncMap, src fs.FS, dir string, templates ...*template.Template) int {
	t.Helper()
	printed, unquoted := tmplcheck.Check(quoting, templates...)
	for _, u := range unquoted {
		t.Errorf("%s prints a value without a Markdown quoting function", u)
	}
	lines := map[string][]string{}
	for _, a := range tmplcheck.Actions(templates...) {
		if a.Func != "code" {
			continue
		}
		if lines[a.File] == nil {
			text, err := fs.ReadFile(src, path.Join(dir, a.File))
			if err != nil {
				t.Fatal(err)
			}
			lines[a.File] = strings.Split(string(text), "\n")
		}
		if a.Line < 1 || a.Line > len(lines[a.File]) {
			t.Fatalf("%s: no line %d in %s", a.Where, a.Line, a.File)
		}
		if strings.HasPrefix(strings.TrimSpace(lines[a.File][a.Line-1]), "|") {
			t.Errorf("%s: %s is in a table row: use codeCell, or a '|' in the value ends the cell", a.Where, a.Text)
		}
	}
	return printed
}
