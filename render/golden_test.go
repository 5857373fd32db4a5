package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// exampleAnswers loads every answers file under examples/, keyed by its
// name without .yaml.
func exampleAnswers(t testing.TB) map[string]steps.Answers {
	t.Helper()
	paths, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	out := map[string]steps.Answers{}
	for _, p := range paths {
		f, err := steps.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".yaml")] = f.Answers
	}
	return out
}

// TestGolden renders every example and compares each file with
// testdata/golden/<example>/<path>. Run with -update to accept changes,
// then read the diff.
func TestGolden(t *testing.T) {
	for name, a := range exampleAnswers(t) {
		t.Run(name, func(t *testing.T) {
			files, err := All(a)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("testdata", "golden", name)
			if *update {
				os.RemoveAll(dir)
			}
			rendered := map[string]bool{}
			for _, f := range files {
				rendered[f.Path] = true
				golden := filepath.Join(dir, filepath.FromSlash(f.Path))
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, f.Content, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Errorf("%s: no golden file (run go test ./render -update): %v", f.Path, err)
					continue
				}
				if !bytes.Equal(want, f.Content) {
					t.Errorf("%s differs from %s (run go test ./render -update and read the diff)", f.Path, golden)
				}
			}
			// A golden file nothing renders any more is a file the admin
			// no longer gets: that must be a decision, not an accident.
			var stale []string
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					if !rendered[filepath.ToSlash(rel)] {
						stale = append(stale, rel)
					}
				}
				return nil
			})
			sort.Strings(stale)
			if len(stale) > 0 {
				t.Errorf("golden files no longer rendered: %v", stale)
			}
		})
	}
}
