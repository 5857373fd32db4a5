package ps

import (
	"path/filepath"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
)

// TestGolden renders every script for every example and compares it with
// testdata/golden/<example>/<file>. Run `go test ./render/ps -update` to
// accept a change, then read the diff.
func TestGolden(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			testkit.GoldenDir(t, filepath.Join("testdata", "golden", name), goldenFiles(renderAll(t, examples[name])))
		})
	}
}

// goldenFiles are scripts as the files of a golden folder.
func goldenFiles(scripts []script) map[string][]byte {
	out := make(map[string][]byte, len(scripts))
	for _, s := range scripts {
		out[s.Name] = s.Content
	}
	return out
}
