package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inFolder makes the files (a name ending in / is a folder) in a new
// temporary folder and works in it.
func inFolder(t *testing.T, names ...string) {
	t.Helper()
	t.Chdir(t.TempDir())
	for _, n := range names {
		var err error
		if strings.HasSuffix(n, "/") {
			err = os.MkdirAll(n, 0o755)
		} else {
			os.MkdirAll(filepath.Dir(n), 0o755)
			err = os.WriteFile(n, nil, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestCompletePath(t *testing.T) {
	sep := string(filepath.Separator)
	for _, c := range []struct {
		name, typed string
		dirsOnly    bool
		want        string
		matches     []string
		none        bool
	}{
		{name: "unique file", typed: "ans", want: "answers-prod.yaml"},
		{name: "unique folder", typed: "bi", want: "bin" + sep},
		{name: "inside a folder", typed: "bin" + sep + "o", want: "bin" + sep + "octoha"},
		{name: "common prefix", typed: "clu", want: "cluster-", matches: []string{"cluster-a.yaml", "cluster-b" + sep}},
		{name: "several, nothing more in common", typed: "cluster-", want: "cluster-", matches: []string{"cluster-a.yaml", "cluster-b" + sep}},
		{name: "no match", typed: "zzz", want: "zzz", none: true},
		{name: "no such folder", typed: "nowhere" + sep + "a", want: "nowhere" + sep + "a", none: true},
		{name: "hidden only when asked", typed: "", want: "", matches: []string{"answers-prod.yaml", "bin" + sep, "cluster-a.yaml", "cluster-b" + sep}},
		{name: "hidden", typed: ".h", want: ".hidden.yaml"},
		{name: "folders only", typed: "c", dirsOnly: true, want: "cluster-b" + sep},
	} {
		t.Run(c.name, func(t *testing.T) {
			inFolder(t, "answers-prod.yaml", "bin/octoha", "cluster-a.yaml", "cluster-b/", ".hidden.yaml")
			got, note := completePath(c.typed, c.dirsOnly)
			if got != c.want || strings.Join(note.matches, " ") != strings.Join(c.matches, " ") || note.none != c.none {
				t.Errorf("%q: got %q %+v, want %q %v none %v", c.typed, got, note, c.want, c.matches, c.none)
			}
		})
	}
}

// TestCompletePathHome: a leading ~ is the home folder, written out so
// that opening the path finds it.
func TestCompletePathHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	os.WriteFile(filepath.Join(home, "mine.yaml"), nil, 0o644)
	if got, _ := completePath("~"+string(filepath.Separator)+"mi", false); got != filepath.Join(home, "mine.yaml") {
		t.Errorf("got %q", got)
	}
}

// TestCompletePathIsBounded: a huge folder is read only so far, and the
// note says so.
func TestCompletePathIsBounded(t *testing.T) {
	t.Chdir(t.TempDir())
	for i := range maxEntries + 10 {
		os.WriteFile(fmt.Sprintf("f%05d", i), nil, 0o644)
	}
	_, note := completePath("f", false)
	if len(note.matches) != maxEntries || !note.cut {
		t.Errorf("%d matches, cut %v", len(note.matches), note.cut)
	}
	m := newTestModel(t, 60, 20)
	lines := note.lines(&m.st, "  ", 60)
	if len(lines) != 2 || !strings.Contains(lines[0], "more") || !strings.Contains(lines[1], "first 5000") {
		t.Errorf("the note: %q", lines)
	}
}

// TestTabCompletesTheAnswersFile: on the Open screen Tab completes the
// path before the cursor; several matches show under the input in at
// most two lines, the rest counted; no match says the text is as it was.
func TestTabCompletesTheAnswersFile(t *testing.T) {
	m := newTestModel(t, 60, 20)
	var many []string
	for i := range 30 {
		many = append(many, fmt.Sprintf("many/cluster-%02d.yaml", i))
	}
	inFolder(t, append(many, "prod/answers.yaml")...)
	press(t, m, "down", "down", "enter")
	typeText(t, m, "pr")
	press(t, m, "tab")
	typeText(t, m, "a")
	press(t, m, "tab")
	if got := m.start.input.Value(); got != filepath.Join("prod", "answers.yaml") {
		t.Fatalf("the input holds %q", got)
	}
	press(t, m, "ctrl+u")
	typeText(t, m, "many/")
	press(t, m, "tab")
	if got := m.start.input.Value(); got != filepath.Join("many", "cluster-") {
		t.Errorf("the input holds %q", got)
	}
	var notes []string
	for _, l := range lines(screen(m)) {
		if strings.Contains(l, "cluster-0") {
			notes = append(notes, l)
		}
	}
	if len(notes) != 2 || !strings.Contains(notes[1], "more") {
		t.Errorf("the matches under the input:\n%s", screen(m))
	}
	typeText(t, m, "x")
	press(t, m, "tab")
	if got := m.start.input.Value(); got != filepath.Join("many", "cluster-x") || !strings.Contains(screen(m), "the path is as it was") {
		t.Errorf("no match: %q\n%s", got, screen(m))
	}
	typeText(t, m, "y")
	if strings.Contains(screen(m), "the path is as it was") {
		t.Errorf("the note outlives the next key:\n%s", screen(m))
	}
}

// TestTabCompletesTheOtherPaths: the add-node setup's answers file and
// the export folder (folders only) complete too.
func TestTabCompletesTheOtherPaths(t *testing.T) {
	m := newTestModel(t, 60, 20)
	inFolder(t, "cluster.yaml", "out-old/", "outline.txt")
	press(t, m, "down", "enter", "enter")
	typeText(t, m, "cl")
	press(t, m, "tab")
	if got := m.setup.path.Value(); got != "cluster.yaml" {
		t.Errorf("add-node file: %q", got)
	}

	m = onReview(t)
	inFolder(t, "cluster.yaml", "out-old/", "outline.txt")
	press(t, m, "enter", "ctrl+u")
	typeText(t, m, "ou")
	press(t, m, "tab")
	if got := m.export.input.Value(); got != "out-old"+string(filepath.Separator) {
		t.Errorf("export folder: %q", got)
	}
}

// TestEndToEndTabOpensTheFile: in the real binary, ? lists the keys and
// esc closes the list; a partial path and Tab on the Open screen complete
// the file's name, and Enter opens it.
func TestEndToEndTabOpensTheFile(t *testing.T) {
	bin := octohaBinary(t)
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(examples, growExample))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "my-cluster-answers.yaml"), src, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644)
	p := startPane(t, dir, bin)
	p.waitFor("What would you like to do?")
	p.typeText("?")
	p.waitFor("All keys")
	p.keys("Escape")
	p.waitFor("What would you like to do?")
	p.keys("Down", "Down", "Enter")
	p.waitFor("File:")
	p.typeText("my-c")
	p.keys("Tab")
	p.waitFor("File: my-cluster-answers.yaml")
	p.keys("Enter")
	// The example's four nodes, and the status line naming the file.
	if s := p.waitFor("✓Tentacles"); !strings.Contains(s, "OCTO4  octo4.corp.local") || !strings.Contains(s, "my-cluster-answers.yaml was written by hand") {
		t.Errorf("the file's answers do not show:\n%s", s)
	}
	p.keys("C-c", "q")
	p.waitFor("EXIT=0")
}

// TestTabReadsTheFolderOffTheUpdateLoop: Tab reads the folder in a
// command, so a slow share never holds the screen: Update returns with
// the text as it was, and a completion that arrives after the text
// changed is dropped rather than typed over it.
func TestTabReadsTheFolderOffTheUpdateLoop(t *testing.T) {
	m := newTestModel(t, 60, 20)
	inFolder(t, "prod/answers.yaml")
	press(t, m, "down", "down", "enter")
	typeText(t, m, "pr")
	_, cmd := m.Update(keyMsg("tab"))
	if cmd == nil || m.start.input.Value() != "pr" {
		t.Fatalf("Tab completed inside Update: %q", m.start.input.Value())
	}
	done := cmd()
	typeText(t, m, "x") // typed while the folder was read
	m.Update(done)
	if got := m.start.input.Value(); got != "prx" {
		t.Errorf("a stale completion replaced the text: %q", got)
	}
	m.Update(keyMsg("ctrl+u"))
	typeText(t, m, "pr")
	_, cmd = m.Update(keyMsg("tab"))
	m.Update(cmd())
	if got := m.start.input.Value(); got != "prod"+string(filepath.Separator) {
		t.Errorf("the completion did not arrive: %q", got)
	}
}
