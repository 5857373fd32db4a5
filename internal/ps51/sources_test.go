package ps51_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/octoha/octoha/internal/ps51"
)

// TestScriptSourcesParse: every file under render/ps/scripts is a script
// PowerShell's own parser accepts as it is, before Go splices anything in,
// so an editor and a linter read it (the parser refuses more than the
// tree-sitter grammar does: a parameter declared twice, for one).
func TestScriptSourcesParse(t *testing.T) {
	paths, err := filepath.Glob("../../render/ps/scripts/*.ps1")
	if err != nil || len(paths) < 7 {
		t.Fatalf("found %d script sources: %v", len(paths), err)
	}
	var scripts []ps51.Script
	for _, p := range paths {
		content, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		scripts = append(scripts, ps51.Script{Name: filepath.Base(p), Content: content})
	}
	files, err := ps51.Parse(pwsh(t), scripts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, e := range f.Errors {
			t.Errorf("render/ps/scripts/%s: %s", f.Name, e)
		}
	}
}
