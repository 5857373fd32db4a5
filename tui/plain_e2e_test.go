package tui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// TestEndToEndPlainCtrlCSavesAndSaysWhere: TERM=dumb picks --plain by
// itself; Ctrl+C in the middle of a step saves the answers given so far
// and says where (issue 12, point 6).
func TestEndToEndPlainCtrlCSavesAndSaysWhere(t *testing.T) {
	bin := octohaBinary(t)
	dir := t.TempDir()
	p := startPane(t, dir, "TERM=dumb", bin, "--answers", "answers.yaml")
	p.waitFor("Octopus version [")
	p.keys("Enter")
	p.waitFor("Instance name [")
	p.keys("Enter")
	p.waitFor("Service account [")
	p.typeText(`CORP\svc-octopus`)
	p.keys("Enter")
	p.waitFor("Admin user name [")
	p.keys("C-c")
	s := p.waitFor("EXIT=130")
	if !strings.Contains(s, "answers so far saved to answers.yaml") {
		t.Errorf("Ctrl+C did not say where the answers went:\n%s", s)
	}
	if strings.Contains(s, "\x1b[") || strings.Contains(s, "ctrl+") {
		t.Errorf("TERM=dumb shows escape sequences or key hints:\n%s", s)
	}
	f, err := steps.Load(filepath.Join(dir, "answers.yaml"))
	if err != nil || f.Answers.Octopus.ServiceAccount != `CORP\svc-octopus` {
		t.Fatalf("the answers given before Ctrl+C are not on disk: %v", err)
	}
}
