package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// pkgDir is the test's package folder and root the module's root folder
// (the nearest folder above pkgDir that holds go.mod), both read when the
// test binary starts, since go test runs it in the package folder and a
// test may change into a temporary one later.
var pkgDir, root, rootErr = findRoot()

func findRoot() (pkg, root string, err error) {
	pkg, err = os.Getwd()
	if err != nil {
		return "", "", err
	}
	for dir := pkg; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return pkg, dir, nil
		}
		if filepath.Dir(dir) == dir {
			return pkg, "", fmt.Errorf("no go.mod above %s", pkg)
		}
	}
}

// Root is the module's root folder.
func Root(t testing.TB) string {
	t.Helper()
	if rootErr != nil {
		t.Fatal(rootErr)
	}
	return root
}

// ExamplesDir is the examples/ folder, absolute, for a package variable
// that tests read after changing into a temporary folder.
func ExamplesDir() string { return filepath.Join(root, "examples") }

// ExamplePath is the path of examples/<name>.yaml; name may carry the
// .yaml already.
func ExamplePath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(Root(t), "examples", strings.TrimSuffix(name, ".yaml")+".yaml")
}

// ExamplePaths are the paths of every answers file under examples/, in
// the order filepath.Glob gives them (sorted by path). It fails the test
// when there is none.
func ExamplePaths(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(Root(t), "examples", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	sort.Strings(paths)
	return paths
}

// ExampleNames are the examples' names (file names without .yaml), in
// the order of ExamplePaths.
func ExampleNames(t testing.TB) []string {
	t.Helper()
	var names []string
	for _, p := range ExamplePaths(t) {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".yaml"))
	}
	return names
}

// Example loads the answers of examples/<name>.yaml.
func Example(t testing.TB, name string) steps.Answers {
	t.Helper()
	return Load(t, ExamplePath(t, name))
}

// Examples loads every example, keyed by name, and returns the names in
// the order of ExamplePaths.
func Examples(t testing.TB) ([]string, map[string]steps.Answers) {
	t.Helper()
	names := ExampleNames(t)
	out := make(map[string]steps.Answers, len(names))
	for _, name := range names {
		out[name] = Example(t, name)
	}
	return names, out
}

// Load loads the answers file at path, failing the test on any error.
func Load(t testing.TB, path string) steps.Answers {
	t.Helper()
	f, err := steps.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return f.Answers
}
