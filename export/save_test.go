package export

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/octoha/octoha/steps"
)

func TestSaveRoundTripsAndIsPrivate(t *testing.T) {
	a := steps.Defaults()
	a.Storage.Root = `\\fs01\Octo'pus $x`
	a.Octopus.ServiceAccount = `CORP\svc`
	a.Octopus.Version = "2025.4"
	a.Nodes = []steps.Node{{Name: "OCTO1", Host: "octo1"}, {Name: "OCTO2", Host: "octo2", CommsPort: 10944}}
	path := filepath.Join(t.TempDir(), "answers.yaml")
	if err := SaveAnswers(path, a); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("answers file mode %o, want 600", perm)
	}
	f, err := steps.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Answers.Storage.Root != a.Storage.Root || f.Answers.Octopus.Version != "2025.4" ||
		len(f.Answers.Nodes) != 2 || f.Answers.Nodes[1].CommsPort != 10944 || f.Answers.Octopus.ServiceAccount != `CORP\svc` {
		t.Errorf("round trip lost answers: %+v", f.Answers)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".answers.yaml.tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}
