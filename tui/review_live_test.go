package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// probeSaw is a LiveCheck that answers at once with a warning naming the
// SQL Server it saw (and an OK, which is not an open finding).
func probeSaw(_ context.Context, a steps.Answers, field string, _ bool) validate.Findings {
	if field != "database.server" {
		return nil
	}
	return validate.Findings{
		{ID: "test.probe", Severity: validate.Warning, Field: field, Message: "the probe saw [" + a.Database.Server + "]"},
		{ID: "test.ok", Severity: validate.OK, Field: field, Message: "port 1433 answers"},
	}
}

// TestReviewShowsLiveFindings: Review's open findings are the pure checks'
// and the live checks' still current, and a live result that comes in while
// Review shows is added at once.
func TestReviewShowsLiveFindings(t *testing.T) {
	m := newTestModel(t, 120, 200) // tall: the whole review on screen
	m.opts.LiveCheck = probeSaw
	m.newCluster()
	m.goTo(1)
	edit(m, "sql01")
	_, probe := m.Update(keyMsg("tab")) // leaving the field: its probe, not run yet
	m.goTo(reviewIndex)
	if s := screen(m); !strings.Contains(s, "error: nodes (Nodes):") || strings.Contains(s, "live check") {
		t.Fatalf("before the probe answers Review should show the pure findings only:\n%s", s)
	}

	drive(m, probe, 0)
	s := screen(m)
	if !strings.Contains(s, "warning: database.server (Database, live check): the probe saw [sql01]") {
		t.Errorf("Review lacks the live finding that came in while it showed:\n%s", s)
	}
	if !strings.Contains(s, "error: nodes (Nodes):") {
		t.Errorf("Review lost the pure findings:\n%s", s)
	}
	if strings.Contains(s, "port 1433 answers") {
		t.Errorf("an OK result is not an open finding:\n%s", s)
	}

	// A changed value makes the old result stale: it leaves Review.
	m.goTo(1)
	press(t, m, "shift+tab")
	edit(m, "x")
	m.goTo(reviewIndex)
	if s := screen(m); strings.Contains(s, "live check") {
		t.Errorf("Review shows a live finding for a value no longer there:\n%s", s)
	}
}

// TestReviewLiveFindingFollowsValue: a result is current only while the
// field still holds the value it checked, however the value changed.
func TestReviewLiveFindingFollowsValue(t *testing.T) {
	m := newTestModel(t, 120, 200)
	m.opts.LiveCheck = probeSaw
	m.newCluster()
	m.goTo(1)
	edit(m, "sql01")
	press(t, m, "tab")
	if got := m.liveFindings(); len(got) != 1 || got[0].Field != "database.server" {
		t.Fatalf("live findings: %+v", got)
	}
	m.answers.Database.Server = "sql02" // e.g. a file opened over it
	if got := m.liveFindings(); len(got) != 0 {
		t.Errorf("a result for sql01 is still open with sql02 in the field: %+v", got)
	}
}

// edit types s into the focused field without waiting out the commands a
// keystroke returns (the live check's typing pause): leaving the field
// starts the probe instead.
func edit(m *model, s string) {
	for _, r := range s {
		m.Update(keyMsg(string(r)))
	}
}
