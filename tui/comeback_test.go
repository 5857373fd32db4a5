package tui

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
)

// TestStartOffersToContinue: with the answers file in the folder, the
// start menu offers to continue it first, and Enter does.
func TestStartOffersToContinue(t *testing.T) {
	t.Chdir(t.TempDir())
	a := wantCluster()
	saveOwnAnswers(t, a)
	m := newModel(Options{AnswersPath: DefaultAnswersPath, NoColor: true, Version: "test"})
	if !strings.Contains(lineWith(m, ">"), "Continue "+DefaultAnswersPath) {
		t.Fatalf("the menu does not offer to continue the folder's answers first:\n%s", screen(m))
	}
	press(t, m, "enter")
	if m.onStart || m.answers.Database.Server != a.Database.Server {
		t.Fatalf("Enter did not continue the answers:\n%s", screen(m))
	}
	// Open proposes that same file, which exists.
	m = newModel(Options{AnswersPath: DefaultAnswersPath, NoColor: true, Version: "test"})
	if m.start.input.Placeholder != DefaultAnswersPath {
		t.Errorf("Open proposes %q", m.start.input.Placeholder)
	}
}

// TestOpenProposesOnlyAFileThatExists: in a folder with no answers and
// no examples, Open proposes nothing rather than a missing file.
func TestOpenProposesOnlyAFileThatExists(t *testing.T) {
	m := newTestModel(t, 80, 24)
	if p := m.start.input.Placeholder; p != "" {
		t.Errorf("Open proposes %q, which is not there", p)
	}
	if strings.Contains(screen(m), "Continue") {
		t.Errorf("the menu offers to continue a file that is not there:\n%s", screen(m))
	}
}

// TestEscOnFirstStepReturnsToMenu: Esc on the first step is the way back
// to the start menu, with the answers kept.
func TestEscOnFirstStepReturnsToMenu(t *testing.T) {
	m := newTestModel(t, 80, 24)
	press(t, m, "enter", "tab", "tab")
	typeText(t, m, `CORP\svc`)
	press(t, m, "esc")
	if !m.onStart || !strings.Contains(screen(m), "What would you like to do?") {
		t.Fatalf("Esc on the first step did not return to the menu:\n%s", screen(m))
	}
	press(t, m, "enter")
	if m.onStart || m.answers.Octopus.ServiceAccount != `CORP\svc` {
		t.Errorf("back at the first step the answer is gone: %q", m.answers.Octopus.ServiceAccount)
	}
}

// TestEndToEndComingBack: in a folder where octoha saved answers, the
// real binary's menu offers to continue them, Enter resumes them as
// octoha's own file, and Esc on the first step is the way to the menu
// (issue 12, point 5).
func TestEndToEndComingBack(t *testing.T) {
	bin := octohaBinary(t)
	dir := t.TempDir()
	p := startPane(t, dir, bin)
	p.waitFor("What would you like to do?")
	p.keys("Enter")
	p.waitFor("Octopus Server")
	p.keys("Tab", "Tab")
	p.typeText(`CORP\svc-octopus`)
	p.keys(repeat("Enter", 9)...)
	p.waitFor("SQL Server database")
	p.keys("C-c", "s")
	p.waitFor("EXIT=0")

	p = startPane(t, dir, bin)
	p.waitFor("Continue " + DefaultAnswersPath)
	p.keys("Enter")
	s := p.waitFor("SQL Server database")
	if strings.Contains(s, "written by hand") || strings.Contains(s, "did not write") {
		t.Errorf("octoha does not recognise its own answers file:\n%s", s)
	}
	p.keys("Escape")
	p.waitFor("Octopus Server")
	p.keys("Escape")
	p.waitFor("What would you like to do?")
	p.keys("C-c", "q")
	p.waitFor("EXIT=0")
}

// TestNewClusterOverItsOwnFileSaysSo: a new cluster started in a folder
// whose octoha-answers.yaml octoha saved earlier asks before replacing
// it, and says truthfully what it holds: octoha's own earlier answers,
// named by their cluster (issue 12, point 5). A hand-written file is still
// called one octoha did not write.
func TestNewClusterOverItsOwnFileSaysSo(t *testing.T) {
	t.Chdir(t.TempDir())
	earlier := wantCluster()
	data := saveOwnAnswers(t, earlier)
	m := newModel(Options{AnswersPath: DefaultAnswersPath, NoColor: true, Version: "test"})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	press(t, m, "down", "enter") // Set up a new HA cluster
	if m.onStart {
		t.Fatalf("not on the first step:\n%s", screen(m))
	}
	press(t, m, "tab", "tab")
	typeText(t, m, `CORP\svc`)
	finishStep(t, m)
	got := screen(m)
	want := fmt.Sprintf("octoha-answers.yaml holds answers octoha saved earlier (for %s with %d nodes).", earlier.LoadBalancer.PublicURL, len(earlier.Nodes))
	if m.clobber == nil || !strings.Contains(strings.Join(strings.Fields(got), " "), want) {
		t.Fatalf("the question does not say whose answers these are; want %q in:\n%s", want, got)
	}
	if strings.Contains(got, "did not write") {
		t.Errorf("octoha's own file is called one it did not write:\n%s", got)
	}
	if after, _ := os.ReadFile(DefaultAnswersPath); !bytes.Equal(after, data) {
		t.Fatal("the earlier answers were replaced before the answer")
	}
	press(t, m, "o")
	if saved, err := steps.Load(DefaultAnswersPath); err != nil || saved.Answers.Octopus.ServiceAccount != `CORP\svc` {
		t.Fatalf("o did not save the new answers: %v", err)
	}

	// A file octoha did not write is still called one.
	os.WriteFile(DefaultAnswersPath, []byte("# mine\nversion: 1\n"), 0o600)
	if got := whatItHolds(DefaultAnswersPath, []byte("# mine\nversion: 1\n")); !strings.Contains(got, "which octoha did not write") {
		t.Errorf("a hand-written file: %q", got)
	}
}

// saveOwnAnswers writes a as octoha saves answers, into this folder's
// answers file, and returns what it wrote.
func saveOwnAnswers(t *testing.T, a steps.Answers) []byte {
	t.Helper()
	data, err := steps.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(DefaultAnswersPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return data
}
