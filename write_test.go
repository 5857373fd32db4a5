package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --force never writes through a link inside the output folder: here the
// balancer's subfolder points at another folder whose file must stay.
func TestExportRefusesALinkedSubfolder(t *testing.T) {
	base := t.TempDir()
	out, elsewhere := filepath.Join(base, "out"), filepath.Join(base, "elsewhere")
	for _, d := range []string{out, elsewhere} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	theirs := filepath.Join(elsewhere, "haproxy.cfg")
	os.WriteFile(theirs, []byte("someone else's config\n"), 0o644)
	if err := os.Symlink(elsewhere, filepath.Join(out, "haproxy")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := octoha(t, "export", "--answers", writeAnswers(t, validAnswers), "--out", out, "--force")
	link := filepath.Join(out, "haproxy")
	if code != 1 || stdout != "" || !strings.Contains(stderr, link+" is a symbolic link") ||
		!strings.Contains(stderr, "nothing in "+out+" was changed") || strings.Count(stderr, "nothing") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if data, _ := os.ReadFile(theirs); string(data) != "someone else's config\n" {
		t.Errorf("the file behind the link became %q", data)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		t.Errorf("the output folder holds %v", entries)
	}
}
