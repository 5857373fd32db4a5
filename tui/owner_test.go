package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

// openAndFinishStep opens path as --answers does and finishes the step it shows.
func openAndFinishStep(t *testing.T, path string) *model {
	t.Helper()
	m, err := openModel(Options{AnswersPath: path, OpenExisting: true, NoColor: true, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 30}) // room for the long paths
	m.goTo(0)
	finishStep(t, m)
	return m
}

func TestOpeningAnExampleNeverWritesIt(t *testing.T) {
	t.Chdir(t.TempDir())
	names := testkit.ExamplePaths(t)
	for _, path := range names {
		before, _ := os.ReadFile(path)
		os.Remove(DefaultAnswersPath)
		m := openAndFinishStep(t, path)
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Fatalf("%s changed", path)
		}
		if m.path != DefaultAnswersPath {
			t.Errorf("%s: saving to %s", path, m.path)
		}
		want := path + " was written by hand; your answers are saved to ./octoha-answers.yaml"
		if !strings.Contains(screen(m), want) {
			t.Errorf("the note is not on screen:\n%s", screen(m))
		}
		saved, err := steps.Load(DefaultAnswersPath)
		if err != nil {
			t.Fatal(err)
		}
		if marshal(t, saved.Answers) != marshal(t, m.answers) {
			t.Errorf("%s: the saved answers differ", path)
		}
		// The note was said once: the next save says where it saved.
		finishStep(t, m)
		if strings.Contains(screen(m), "written by hand") || !strings.Contains(screen(m), "answers saved to octoha-answers.yaml") {
			t.Errorf("after a second save:\n%s", screen(m))
		}
	}
}

func TestOctohaFileIsSavedInPlace(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	f, _ := steps.Load(filepath.Join(examples, "2-node-listening-nginx.yaml"))
	path := filepath.Join(dir, "cluster.yaml")
	f.Answers.Octopus.AdminEmail = "before@corp.local"
	if err := export.SaveAnswers(path, f.Answers); err != nil {
		t.Fatal(err)
	}
	m, _ := openModel(Options{AnswersPath: path, OpenExisting: true, NoColor: true})
	m.goTo(0)
	press(t, m, "tab", "tab", "tab", "tab", "ctrl+u")
	typeText(t, m, "after@corp.local")
	finishStep(t, m)
	saved, err := steps.Load(path)
	if err != nil || saved.Answers.Octopus.AdminEmail != "after@corp.local" {
		t.Fatalf("not saved in place: %v %+v", err, saved)
	}
	if _, err := os.Stat(DefaultAnswersPath); err == nil {
		t.Error("an octoha file was saved elsewhere as well")
	}
	// The same header under an examples folder is not octoha's to write.
	os.Mkdir("examples", 0o755)
	data, _ := os.ReadFile(path)
	os.WriteFile(filepath.Join("examples", "mine.yaml"), data, 0o644)
	if writtenByOctoha(filepath.Join("examples", "mine.yaml"), data) || !writtenByOctoha(path, data) {
		t.Error("examples/ is not told apart")
	}
}

func TestNeverOverwritesAnotherFileWithoutAsking(t *testing.T) {
	for _, answer := range []string{"n", "o", "esc"} {
		t.Run(answer, func(t *testing.T) {
			t.Chdir(t.TempDir())
			other := []byte("# my own notes\nversion: 1\n")
			os.WriteFile(DefaultAnswersPath, other, 0o600)
			m := openAndFinishStep(t, filepath.Join(examples, "3-node-listening-iis-arr.yaml"))
			if m.clobber == nil || !strings.Contains(screen(m), "Save over octoha-answers.yaml?") {
				t.Fatalf("no question:\n%s", screen(m))
			}
			if got, _ := os.ReadFile(DefaultAnswersPath); !bytes.Equal(got, other) {
				t.Fatal("overwritten before the answer")
			}
			press(t, m, answer)
			got, _ := os.ReadFile(DefaultAnswersPath)
			_, err2 := os.ReadFile("octoha-answers-2.yaml")
			switch answer {
			case "n":
				if !bytes.Equal(got, other) || err2 != nil || m.path != "octoha-answers-2.yaml" {
					t.Errorf("n: kept %v, second %v, path %s", bytes.Equal(got, other), err2, m.path)
				}
			case "o":
				if !steps.WrittenByOctoha(got) || err2 == nil {
					t.Errorf("o: not overwritten, or a second file: %s", got)
				}
				finishStep(t, m) // owned now: no second question
				if m.clobber != nil {
					t.Error("asked twice")
				}
			case "esc":
				if !bytes.Equal(got, other) || err2 == nil || !strings.Contains(screen(m), "answers not saved") {
					t.Errorf("esc wrote something:\n%s", screen(m))
				}
			}
		})
	}
}

func TestPlainNeverWritesAHandWrittenFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	example, _ := os.ReadFile(filepath.Join(examples, "4-node-polling-unique-port-nginx.yaml"))
	os.WriteFile("hand.yaml", example, 0o644)
	os.WriteFile(DefaultAnswersPath, []byte("# someone else's\n"), 0o600)
	var out, errOut bytes.Buffer
	// Keep every answer, refuse the overwrite, then stop before exporting.
	input := strings.Repeat("\n", 60) + "no\n"
	Run(Options{Plain: true, AnswersPath: "hand.yaml", OpenExisting: true, In: strings.NewReader(input), Out: &out, Err: &errOut})
	if got, _ := os.ReadFile("hand.yaml"); !bytes.Equal(got, example) {
		t.Fatal("--plain wrote the hand-written file")
	}
	if !strings.Contains(out.String(), "hand.yaml was written by hand; your answers are saved to ./octoha-answers.yaml") {
		t.Errorf("no note:\n%s", out.String())
	}
	if got, _ := os.ReadFile(DefaultAnswersPath); string(got) != "# someone else's\n" {
		t.Error("--plain overwrote octoha-answers.yaml without a yes")
	}
	if _, err := steps.Load("octoha-answers-2.yaml"); err != nil {
		t.Errorf("the answers were not saved beside it: %v\n%s", err, out.String())
	}
}
