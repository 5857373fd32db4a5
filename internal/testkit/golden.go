package testkit

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update is the one flag of every golden test: `go test ./<package>
// -update` rewrites the package's golden files instead of comparing with
// them, for a reviewer to read the diff.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing with them")

// Updating reports whether the test run rewrites golden files (-update).
func Updating() bool { return *update }

// Golden compares got with the golden file at path, or with -update
// writes got there (making its folder).
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		write(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test %s -update writes it)", err, pkgArg(t))
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the test made; go test %s -update rewrites it, then read the diff\n%s", path, pkgArg(t), LineDiff(want, got))
	}
}

// GoldenDir compares files (slash paths under dir, and their content) with
// the golden folder dir: each must match its file, and dir must hold no
// other file. With -update it replaces dir by files.
func GoldenDir(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	made := map[string]bool{}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		made[path] = true
		Golden(t, path, content)
	}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !made[path] {
			t.Errorf("%s is made no more; go test %s -update removes it", path, pkgArg(t))
		}
		return nil
	})
}

// LineDiff shows the first lines where got leaves want, enough to see
// what changed.
func LineDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  want: %q\n   got: %q\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

func write(t testing.TB, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pkgArg is the test's package as go test names it from the root
// (./render/ps), for the messages that say how to update.
func pkgArg(t testing.TB) string {
	rel, err := filepath.Rel(Root(t), pkgDir)
	if err != nil || rel == "." {
		return "."
	}
	return "./" + filepath.ToSlash(rel)
}
