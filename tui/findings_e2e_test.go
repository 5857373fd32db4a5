package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// waitQuiet polls the pane until no live check runs ("checking" gone),
// and returns the screen.
func (p *tmuxPane) waitQuiet() string {
	p.t.Helper()
	time.Sleep(500 * time.Millisecond) // past the typing pause
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := p.capture()
		if !strings.Contains(s, "checking") {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the live checks never finished:\n%s", s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFindings waits until the live checks are done and the screen shows
// at least n findings (this machine's DNS may say "no such host" or not
// answer in time: either is one finding per name).
func (p *tmuxPane) waitFindings(n int) string {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := p.waitQuiet()
		if strings.Count(s, "warning:")+strings.Count(s, "error:") >= n {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the screen never showed %d findings:\n%s", n, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// findingTwice is the first finding line shown twice on a screen, "" for
// none (each finding's first line names what it is about).
func findingTwice(screen string) string {
	seen := map[string]bool{}
	for _, l := range strings.Split(screen, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "error:") && !strings.HasPrefix(l, "warning:") {
			continue
		}
		if seen[l] {
			return l
		}
		seen[l] = true
	}
	return ""
}

// TestEndToEndNewClusterFindingsFitTheMoment: a new 3-node cluster whose
// names do not resolve from this machine shows no "error:" on the Nodes
// step once every field is visited (the nodes are not installed, so their
// services are not probed, and a name this machine cannot look up is a
// warning), and no finding twice on any step (issue 12, points 1 and 2).
func TestEndToEndNewClusterFindingsFitTheMoment(t *testing.T) {
	bin := octohaBinary(t)
	dir := t.TempDir()
	p := startPane(t, dir, bin, "--answers", "answers.yaml")
	p.fillFirstSteps()
	for i := 1; i <= 3; i++ {
		p.keys("C-n")
		p.typeText(fmt.Sprintf("OCTO%d", i))
		p.keys("Tab")
		p.typeText(fmt.Sprintf("octo%d.octoha-test.invalid", i))
		p.keys("Tab", "Tab", "Tab")
	}
	p.keys(repeat("BTab", 12)...)
	s := p.waitFindings(3)
	if strings.Contains(s, "error:") {
		t.Errorf("the Nodes step of a cluster not installed yet shows an error:\n%s", s)
	}
	if l := findingTwice(s); l != "" {
		t.Errorf("the Nodes step shows %q twice:\n%s", l, s)
	}
	for _, probe := range []string{"web port", "comms port", "/api"} {
		if strings.Contains(s, probe) && strings.Contains(s, "warning:") && strings.Contains(s, "OCTO1's "+probe) {
			t.Errorf("a node service (%s) was probed before install:\n%s", probe, s)
		}
	}
	// Back on Database, every field visited: the SQL Server's name is
	// said once, as a warning.
	p.keys("Escape")
	p.waitFor("Shared storage")
	p.keys("Escape")
	p.waitFor("SQL Server database")
	p.keys(repeat("Tab", 9)...)
	s = p.waitFindings(1)
	if n := strings.Count(s, "sql01.corp.local"); n != 2 { // the field and its finding
		t.Errorf("the SQL Server's name check shows %d times, want once:\n%s", n-1, s)
	}
	if l := findingTwice(s); l != "" || strings.Contains(s, "error:") {
		t.Errorf("the Database step shows an error or %q twice:\n%s", l, s)
	}
	p.keys("C-c", "q")
	p.waitFor("EXIT=0")
}
