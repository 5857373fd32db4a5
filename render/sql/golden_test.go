package sql

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestGoldenScripts holds every example's script byte for byte; go test
// ./render/sql -update rewrites them, for a reviewer to read the diff.
func TestGoldenScripts(t *testing.T) {
	examples, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.yaml"))
	if err != nil || len(examples) != 8 {
		t.Fatalf("examples: %v %v", examples, err)
	}
	for _, e := range examples {
		name := strings.TrimSuffix(filepath.Base(e), ".yaml")
		got, err := PrepareDatabase(loadExample(t, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", name+".sql")
		if *update {
			os.MkdirAll("testdata", 0o755)
			os.WriteFile(golden, got, 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s; go test ./render/sql -update rewrites it, then read the diff", name, golden)
		}
	}
}
