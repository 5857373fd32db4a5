package ps

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden renders every script for every example and compares it with
// testdata/golden/<example>/<file>. Run `go test ./render/ps -update` to
// accept a change, then read the diff.
func TestGolden(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "golden", name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			}
			rendered := map[string]bool{}
			for _, s := range renderAll(t, examples[name]) {
				path := filepath.Join(dir, filepath.FromSlash(s.Name))
				rendered[path] = true
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, s.Content, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./render/ps -update to create it)", err)
				}
				if !bytes.Equal(s.Content, want) {
					t.Errorf("%s differs from its golden file; run go test ./render/ps -update and read the diff", path)
				}
			}
			// A golden file nothing renders any more is stale.
			_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && !rendered[path] {
					t.Errorf("%s is not rendered any more; run -update", path)
				}
				return nil
			})
		})
	}
}
