package tui

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// recordingProbe answers every database field's check with the one
// finding a real database probe gives about the server, and records the
// moment each check was asked for.
type recordingProbe struct {
	mu        sync.Mutex
	installed []bool
}

func (p *recordingProbe) check(_ context.Context, a steps.Answers, field string, installed bool) validate.Findings {
	p.mu.Lock()
	p.installed = append(p.installed, installed)
	p.mu.Unlock()
	if !strings.HasPrefix(field, steps.FieldDatabase) && field != wholeCheck {
		return nil
	}
	return validate.Findings{{ID: "db.reach", Severity: validate.Error, Field: steps.FieldDatabaseServer,
		Message: "SQL Server " + a.Database.Server + " refused the login"}}
}

// TestLiveFindingShowsOnceUnderItsField: every field of the Database step
// runs the database probe, and its finding shows once, under the server.
func TestLiveFindingShowsOnceUnderItsField(t *testing.T) {
	m := newTestModel(t, 120, 60)
	probe := &recordingProbe{}
	m.opts.LiveCheck = probe.check
	m.newCluster()
	m.goTo(1)
	typeText(t, m, "sql01")
	for range 9 {
		press(t, m, "tab")
	}
	s := screen(m)
	if n := strings.Count(s, "refused the login"); n != 1 {
		t.Errorf("the database finding shows %d times, want once:\n%s", n, s)
	}
	under := strings.Split(s, "\n")
	for i, l := range under {
		if strings.Contains(l, "refused the login") && !strings.Contains(under[i-1], "SQL Server") {
			t.Errorf("the finding is not under the SQL Server field:\n%s", s)
		}
	}
	if slices.Contains(probe.installed, true) {
		t.Errorf("a new cluster's checks were asked to probe installed nodes: %v", probe.installed)
	}
}

// TestLiveFindingWithdrawnWhenItsAnswersChange: a comms-port finding rests
// on the tentacle mode; changing the mode withdraws it at once, before any
// new check answers.
func TestLiveFindingWithdrawnWhenItsAnswersChange(t *testing.T) {
	m := newTestModel(t, 120, 60)
	m.opts.LiveCheck = func(context.Context, steps.Answers, string, bool) validate.Findings { return nil }
	m.opts.LiveDepends = func(_ steps.Answers, f validate.Finding) []string {
		if f.ID == "tcp.comms" {
			return []string{steps.FieldTentaclesMode}
		}
		return nil
	}
	m.newCluster()
	m.answers.Nodes = []steps.Node{{Name: "OCTO1", Host: "octo1"}}
	m.recheck()
	m.goTo(3)
	m.liveState(steps.NodeField(0).Host).Start("octo1")
	m.Update(liveResultMsg{field: steps.NodeField(0).Host, value: "octo1", values: m.fieldValues(), answers: m.answers,
		findings: validate.Findings{{ID: "tcp.comms", Severity: validate.Error, Field: steps.NodeField(0).Host, Message: "comms port closed"}}})
	if got := m.liveFindings(); len(got) != 1 {
		t.Fatalf("before the change: %v", got)
	}
	m.goTo(5)
	press(t, m, "right") // the tentacle mode: listening -> polling
	if m.answers.Tentacles.Mode == steps.Defaults().Tentacles.Mode {
		t.Fatal("the mode did not change")
	}
	if got := m.liveFindings(); len(got) != 0 {
		t.Errorf("the comms finding for the old mode stays: %v", got)
	}
}

// TestReviewRunsEveryCheck: Review asks for every probe on the whole
// answers, so an opened file's findings are there without visiting a field.
func TestReviewRunsEveryCheck(t *testing.T) {
	m := newTestModel(t, 120, 200)
	probe := &recordingProbe{}
	m.opts.LiveCheck = probe.check
	a := steps.Defaults()
	a.Database.Server = "sql01"
	m.openAnswers(a, DefaultAnswersPath, true)
	drive(m, m.goTo(reviewIndex), 0)
	s := screen(m)
	if strings.Contains(s, "Open findings\n    none") || !strings.Contains(s, "SQL Server sql01 refused the login") {
		t.Errorf("Review did not list the whole check's finding:\n%s", s)
	}
	if n := strings.Count(s, "refused the login"); n != 1 {
		t.Errorf("Review lists the finding %d times", n)
	}
}

// TestExportAsksAboutALiveError: a live error does not stop an export,
// but Export asks first: Enter writes anyway, Esc goes back.
func TestExportAsksAboutALiveError(t *testing.T) {
	m := newTestModel(t, 120, 40)
	fillCluster(t, m, false)
	m.liveFound["db.reach\x00"+steps.FieldDatabaseServer] = &liveEntry{values: map[string]string{},
		findings: validate.Findings{{ID: "db.reach", Severity: validate.Error, Field: steps.FieldDatabaseServer, Message: "SQL Server refused the login"}}}
	m.recheck()
	press(t, m, "enter") // Review -> Export
	if m.stepIdx != exportIndex {
		t.Fatalf("not on Export: %d", m.stepIdx)
	}
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "Enter writes the files anyway; Esc goes back") || !strings.Contains(s, "refused the login") || m.export.done {
		t.Fatalf("Export did not ask about the live error:\n%s", s)
	}
	press(t, m, "enter")
	if !m.export.done {
		t.Fatalf("Enter did not write anyway:\n%s", screen(m))
	}
	// Esc at the question goes back to Review.
	m.goTo(exportIndex)
	press(t, m, "enter", "esc")
	if m.stepIdx != reviewIndex {
		t.Errorf("Esc at the question: step %d, want Review", m.stepIdx)
	}
}

// TestAddFlowProbesTheNewNodeBeforeInstall: in the add-node flow the new
// node's fields are checked as not installed yet; Review's whole check
// probes the running cluster's services.
func TestAddFlowProbesTheNewNodeBeforeInstall(t *testing.T) {
	m := newTestModel(t, 80, 24)
	probe := &recordingProbe{}
	m.opts.LiveCheck = probe.check
	addFromFile(t, m, false)
	typeText(t, m, "OCTO5")
	press(t, m, "tab")
	if len(probe.installed) == 0 || probe.installed[len(probe.installed)-1] {
		t.Fatalf("the new node's name was checked as installed: %v", probe.installed)
	}
	drive(m, m.goTo(reviewIndex), 0)
	if !probe.installed[len(probe.installed)-1] {
		t.Errorf("Review's check of a running cluster was asked not to probe its services: %v", probe.installed)
	}
}
