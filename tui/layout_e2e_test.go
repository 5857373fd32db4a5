package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestEndToEndNodesAt60x20 runs the real binary in the smallest window it
// lays out in: six nodes added with ctrl+n, the focus walked to the last
// row's host, which shows with its row; every line fits, the header and
// the help line are there. Below the minimum the screen says how big the
// window must be, and growing it back brings the Nodes step back (issue
// 12).
func TestEndToEndNodesAt60x20(t *testing.T) {
	bin := octohaBinary(t)
	p := startPaneSized(t, t.TempDir(), minWidth, minHeight, bin, "--answers", "answers.yaml")
	p.fillFirstSteps()
	p.keys("C-n", "Tab")
	p.typeText("octo1.corp.local")
	p.keys(repeat("C-n", 5)...)
	p.waitFor("octo6.corp.local")
	// From the first field down past node 6's host (four fields a row),
	// and back onto it: a host the focus has left shows its findings.
	p.keys(repeat("Up", 24)...)
	p.waitFor("> 1 ")
	p.keys(repeat("Down", 5*4+2)...)
	p.keys("Up")
	p.waitFor("> 6 ")
	// The host's live check finds this machine cannot resolve it (or
	// gets no answer): a finding of several lines under the focused row.
	s := p.waitFindings(1)
	checkPane(t, s, minWidth, minHeight)
	if l := paneLine(s, "> 6 "); !strings.Contains(l, "octo6.corp.local") {
		t.Errorf("the focused last row %q does not show its host:\n%s", l, s)
	}
	if under := strings.TrimSpace(lineAfter(s, "> 6 ")); !strings.HasPrefix(under, "warning:") && !strings.HasPrefix(under, "error:") {
		t.Errorf("no finding under the focused row:\n%s", s)
	}
	// The rows count comes after the focused row's findings: shown, they
	// are whole.
	if !strings.Contains(s, " of 6") {
		t.Errorf("the rows count is cut off:\n%s", s)
	}

	p.resize(50, 15)
	s = p.waitFor("50x15")
	if !strings.Contains(s, "at least 60x20") {
		t.Errorf("a 50x15 window does not say how big it must be:\n%s", s)
	}
	for i, l := range strings.Split(s, "\n") {
		if n := ansi.StringWidth(l); n > 50 {
			t.Errorf("line %d is %d cells wide at 50x15:\n%s", i+1, n, s)
		}
	}
	p.resize(minWidth, minHeight)
	s = p.waitFor(" of 6")
	checkPane(t, s, minWidth, minHeight)
	if strings.Contains(s, "at least") {
		t.Errorf("the too-small note stays after growing back:\n%s", s)
	}
}

// checkPane checks a captured w x h pane: no line wider than w, the
// header first and the help line last.
func checkPane(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d:\n%s", len(lines), h, s)
		return
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide:\n%s", i+1, n, s)
		}
	}
	if !strings.HasPrefix(lines[0], "octoha ") {
		t.Errorf("no header first:\n%s", s)
	}
	if !strings.Contains(lines[h-1], "ctrl+n add node • ") { // the Nodes grid's help line
		t.Errorf("no help line last:\n%s", s)
	}
}

// lineAfter is the line after the first starting with prefix.
func lineAfter(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines[:len(lines)-1] {
		if strings.HasPrefix(l, prefix) {
			return lines[i+1]
		}
	}
	return ""
}

// paneLine is the first line of a captured pane starting with prefix.
func paneLine(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
