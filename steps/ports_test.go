package steps

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

// TestOctopusPortsLiveHere: Octopus's own ports, the comms port polling
// Tentacles connect to and the port a listening Tentacle listens on, are
// written only in this package (DefaultCommsPort, TentacleListenPort);
// the screens, checks and output take them from here, in numbers and in
// the text of a message alike. Comments and tests may name them.
func TestOctopusPortsLiveHere(t *testing.T) {
	root, files := gitFiles(t, "*.go")
	port := regexp.MustCompile(`\b(10943|10933)\b`)
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "steps/") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, at := range literalsMatching(t, f, src, port) {
			t.Errorf("%s writes an Octopus port; use steps.DefaultCommsPort or steps.TentacleListenPort", at)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d Go files checked", checked)
	}
}

// literalsMatching are the places (file:line:column: literal) of a Go
// file's number and string literals that match re; comments are not
// literals.
func literalsMatching(t *testing.T, name string, src []byte, re *regexp.Regexp) []string {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var at []string
	ast.Inspect(file, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && re.MatchString(lit.Value) {
			at = append(at, fset.Position(lit.Pos()).String()+": "+lit.Value)
		}
		return true
	})
	return at
}
