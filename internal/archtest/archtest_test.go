package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchitecture holds the never-rules over the module's real import
// graph, as `go list -json ./...` reports it (every package, test files
// left out).
func TestArchitecture(t *testing.T) {
	out := goList(t)
	g, err := ReadGoList(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"steps", "render", "render/ps", "validate", "validate/live", "internal/testkit"} {
		if _, ok := g[Module+"/"+from]; !ok {
			t.Fatalf("go list did not report %s: the rules would hold vacuously", from)
		}
	}
	for _, v := range Check(g, Rules) {
		t.Error(v)
	}
	readSources(t, out)
}

// goList is `go list -json` of every package of the module (test files
// left out).
func goList(t *testing.T) []byte {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", Module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	return out
}

// goFiles are the folders and the non-test Go files go list named.
func goFiles(t *testing.T, goList []byte) (dirs, files []string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(goList))
	for {
		var pkg struct {
			Dir     string
			GoFiles []string
		}
		if err := dec.Decode(&pkg); errors.Is(err, io.EOF) {
			return dirs, files
		} else if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, pkg.Dir)
		for _, f := range pkg.GoFiles {
			files = append(files, filepath.Join(pkg.Dir, f))
		}
	}
}

// readSources reads every package folder and Go file go list named, so that
// go test's cache, which records what a test opens, runs this test again
// when an import changes (go list's own reads happen in another process).
func readSources(t *testing.T, goList []byte) {
	dirs, files := goFiles(t, goList)
	for _, d := range dirs {
		if _, err := os.ReadDir(d); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
}

// fake is a small graph that breaks some rules directly and some through
// another package.
func fake() Graph {
	m := func(p string) string { return Module + "/" + p }
	return Graph{
		Module:                {m("tui"), m("export"), "fmt"},
		m("steps"):            {"strings", "github.com/goccy/go-yaml"},
		m("steps/inner"):      {m("steps"), m("internal/markdown")},
		m("render"):           {m("render/ps"), m("steps")},
		m("render/ps"):        {m("internal/helper"), m("steps")},
		m("internal/helper"):  {m("validate/dbprobe")},
		m("validate"):         {m("steps")},
		m("validate/dbprobe"): {m("validate")},
		m("validate/live"):    {m("validate"), m("tui")},
		m("renderer"):         {m("validate")},
		m("tui"):              {m("render"), m("validate")},
		m("export"):           {m("render")},
		"fmt":                 nil,
	}
}

func TestCheckFindsDirectAndIndirectImports(t *testing.T) {
	want := []string{
		// steps/inner may import steps (its own tree), not internal/markdown.
		"steps/... must not import ... (the answers model imports nothing of ours): steps/inner -> internal/markdown",
		// render reaches validate through render/ps and a helper.
		"render/... must not import validate/... (output never imports the checks: it takes the model's typed values): render -> render/ps -> internal/helper -> validate/dbprobe",
		"render/... must not import validate/... (output never imports the checks: it takes the model's typed values): render/ps -> internal/helper -> validate/dbprobe",
		"validate/... must not import tui/... (the checks never import the screens): validate/live -> tui",
		// validate/live reaches render through tui.
		"validate/... must not import render/... (the checks never import the output): validate/live -> tui -> render",
	}
	wantViolations(t, fake(), want)
}

// wantViolations checks that Rules find exactly want in g, in order.
func wantViolations(t *testing.T, g Graph, want []string) {
	t.Helper()
	var got []string
	for _, v := range Check(g, Rules) {
		got = append(got, v.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckPassesAGoodGraph(t *testing.T) {
	g := fake()
	g[Module+"/steps/inner"] = []string{Module + "/steps"}
	g[Module+"/internal/helper"] = nil
	g[Module+"/validate/live"] = []string{Module + "/validate"}
	if vs := Check(g, Rules); len(vs) > 0 {
		t.Errorf("violations in a graph that keeps the rules: %v", vs)
	}
}

// TestCheckKeepsTheTestKitToTests: no package but the kit's own imports
// internal/testkit (test support such as internal/lbtest included, since
// the graph leaves test files out), and the kit imports no checks,
// output or screens.
func TestCheckKeepsTheTestKitToTests(t *testing.T) {
	m := func(p string) string { return Module + "/" + p }
	g := Graph{
		m("render"):                 {m("internal/testkit")},
		m("internal/lbtest"):        {m("internal/testkit")},
		m("internal/testkit"):       {m("steps"), m("validate")},
		m("internal/testkit/inner"): {m("internal/testkit")},
		m("steps"):                  nil,
		m("validate"):               {m("steps")},
	}
	want := []string{
		// The kit's import of validate reaches render through it too.
		"render/... must not import validate/... (output never imports the checks: it takes the model's typed values): render -> internal/testkit -> validate",
		"... must not import internal/testkit/... (the test kit is for _test.go files only): internal/lbtest -> internal/testkit",
		"... must not import internal/testkit/... (the test kit is for _test.go files only): render -> internal/testkit",
		"internal/testkit/... must not import validate/... (the test kit serves every test, so it imports no checks): internal/testkit -> validate",
		"internal/testkit/... must not import validate/... (the test kit serves every test, so it imports no checks): internal/testkit/inner -> internal/testkit -> validate",
	}
	wantViolations(t, g, want)
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"render/...", Module + "/render", true},
		{"render/...", Module + "/render/ps", true},
		{"render/...", Module + "/renderer", false},
		{"render", Module + "/render/ps", false},
		{"...", Module, true},
		{"...", Module + "/tui", true},
		{"...", "github.com/octoha/octohax/tui", false},
		{"...", "fmt", false},
	} {
		if got := Matches(c.pattern, c.path); got != c.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

func TestReadGoList(t *testing.T) {
	in := `{"ImportPath": "a", "Imports": ["b", "c"]}
{"ImportPath": "b"}`
	g, err := ReadGoList(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != 2 || len(g["a"]) != 2 || g["b"] != nil {
		t.Errorf("graph %v", g)
	}
	if _, err := ReadGoList(strings.NewReader(`{"ImportPath": `)); err == nil {
		t.Error("a cut-off stream read without error")
	}
}
