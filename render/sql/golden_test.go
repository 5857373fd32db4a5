package sql

import (
	"path/filepath"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
)

// TestGoldenScripts holds every example's script byte for byte; go test
// ./render/sql -update rewrites them, for a reviewer to read the diff.
func TestGoldenScripts(t *testing.T) {
	names := testkit.ExampleNames(t)
	if len(names) != 8 {
		t.Fatalf("examples: %v", names)
	}
	for _, name := range names {
		got, err := PrepareDatabase(loadExample(t, name))
		if err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, filepath.Join("testdata", name+".sql"), got)
	}
}
