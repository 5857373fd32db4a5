package testkit

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// Root is the module's root folder: the nearest folder above the test's
// working directory (its package folder) that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// ExamplePath is the path of examples/<name>.yaml; name may carry the
// .yaml already.
func ExamplePath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(Root(t), "examples", strings.TrimSuffix(name, ".yaml")+".yaml")
}

// ExamplePaths are the paths of every answers file under examples/, in
// name order. It fails the test when there is none.
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
// name order.
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
// order.
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
