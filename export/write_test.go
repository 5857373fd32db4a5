package export

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
)

// tree is every file under dir with its mode and content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			data, _ := os.ReadFile(p)
			files[p] = info.Mode().String() + " " + string(data)
		}
		return nil
	})
	return files
}

// The answers file is one of the change's set: when it cannot be written,
// neither is anything else, with --force too.
func TestChangeWritesItsAnswersWithTheSetOrNothing(t *testing.T) {
	r := fakeResolver{"octo4.corp.local": "10.0.0.14"}
	node := steps.Node{Name: "OCTO4", Host: "octo4.corp.local"}
	for _, force := range []bool{false, true} {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, render.AnswersFile), 0o755); err != nil {
			t.Fatal(err)
		}
		before := tree(t, dir)
		res, err := AddNode(context.Background(), example(t), AddNodeOptions{Node: node, Dir: dir, Force: force, Resolver: r})
		var werr *WriteError
		if !errors.As(err, &werr) || !strings.Contains(err.Error(), "nothing in "+dir+" was changed") || len(res.Written) > 0 {
			t.Errorf("force %v: %v, wrote %v", force, err, res.Written)
		}
		if after := tree(t, dir); len(after) != len(before) {
			t.Errorf("force %v: the folder changed: %v", force, after)
		}
		_, err = RemoveNode(example(t), RemoveNodeOptions{Name: "OCTO3", Dir: dir, Force: force})
		if !errors.As(err, &werr) {
			t.Errorf("remove-node, force %v: %v", force, err)
		}
		if after := tree(t, dir); len(after) != len(before) {
			t.Errorf("remove-node, force %v: the folder changed: %v", force, after)
		}
	}

	dir := t.TempDir()
	res, err := AddNode(context.Background(), example(t), AddNodeOptions{Node: node, Dir: dir, Resolver: r})
	if err != nil {
		t.Fatal(err)
	}
	answers := filepath.Join(dir, render.AnswersFile)
	if res.Written[len(res.Written)-1] != answers {
		t.Errorf("wrote %v", res.Written)
	}
	if info, err := os.Stat(answers); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("answers file: %v", err)
	}
	grown, err := steps.Load(answers)
	if err != nil || len(grown.Answers.Nodes) != 4 {
		t.Errorf("the grown answers: %v", err)
	}
	// Only the answers file there still refuses the whole change.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, render.AnswersFile), []byte("mine"), 0o600)
	_, err = RemoveNode(example(t), RemoveNodeOptions{Name: "OCTO3", Dir: other})
	if !errors.Is(err, ErrExists) || len(tree(t, other)) != 1 {
		t.Errorf("an existing answers file: %v, folder %v", err, tree(t, other))
	}
}

// The wizard's export keeps a copy of the answers beside the files, in the
// same set: when the copy cannot be written, no other file is, and when
// it is written it holds the answers, mode 0600.
func TestWizardExportWritesItsAnswersWithTheSetOrNothing(t *testing.T) {
	a := example(t)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, render.AnswersFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(a, dir, Options{Force: true}); err == nil {
		t.Fatal("written although the answers copy could not be")
	}
	if got := tree(t, dir); len(got) != 0 {
		t.Errorf("a failed export left %d files: %v", len(got), got)
	}
	dir = t.TempDir()
	res, err := Write(a, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, render.AnswersFile)
	info, err := os.Stat(copyPath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("answers copy: %v %v", info, err)
	}
	if !strings.Contains(strings.Join(res.Written, "\n"), copyPath) {
		t.Errorf("the answers copy is not among the written files: %v", res.Written)
	}
	if f, err := steps.Load(copyPath); err != nil || f.Answers.Nodes[0] != a.Nodes[0] {
		t.Errorf("the copy does not load as the answers: %v", err)
	}
}

// Exporting into the folder that holds the answers file it read leaves
// that file as it is (a hand-written one keeps its comments), with --force
// too; any other answers file there is part of the set.
func TestWriteLeavesTheAnswersItWasReadFrom(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, render.AnswersFile)
	original, err := os.ReadFile(testkit.ExamplePath(t, "3-node-polling-unique-address-haproxy"))
	if err != nil {
		t.Fatal(err)
	}
	handWritten := append([]byte("# mine, with a comment\n"), original...)
	if err := os.WriteFile(source, handWritten, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Write(example(t), dir, Options{Force: true, Source: source})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(source); string(data) != string(handWritten) {
		t.Errorf("the answers file it was read from was rewritten:\n%s", data)
	}
	if strings.Contains(strings.Join(res.Written, "\n"), source) {
		t.Errorf("%s is listed as written: %v", source, res.Written)
	}
	if _, err := Write(example(t), dir, Options{Force: true, Source: filepath.Join(t.TempDir(), "elsewhere.yaml")}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(source); string(data) == string(handWritten) {
		t.Error("an answers file the export was not read from was not replaced")
	}
}
