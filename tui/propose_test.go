package tui

import (
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
)

const (
	nodesIndex        = 3
	loadBalancerIndex = 4
)

// openAnswers opens a in the wizard as a file would be (every finding
// shown at once), at 100x30 in a temporary folder.
func openAnswers(t *testing.T, a steps.Answers) *model {
	t.Helper()
	t.Chdir(t.TempDir())
	if err := os.WriteFile("mine.yaml", []byte(marshal(t, a)), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := openModel(Options{AnswersPath: "mine.yaml", OpenExisting: true, NoColor: true, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return m
}

// TestNewRowIsQuietUntilLeft: in answers opened from a file, where every
// finding shows at once, a row just added shows no "is empty" error until
// the admin leaves its field (issue 12, point 7).
func TestNewRowIsQuietUntilLeft(t *testing.T) {
	a := wantCluster()
	a.Nodes[2].Host = "octo-c.corp.local" // no number to count on: the new row is empty
	m := openAnswers(t, a)
	m.goTo(nodesIndex)
	press(t, m, "ctrl+n")
	if s := screen(m); strings.Contains(s, "is empty") {
		t.Fatalf("a new row shows empty errors at once:\n%s", s)
	}
	press(t, m, "tab") // leave the name empty
	s := screen(m)
	if !strings.Contains(s, "node name is empty") {
		t.Errorf("the name left empty shows no error:\n%s", s)
	}
	if strings.Contains(s, "node host is empty") {
		t.Errorf("the host, focused but not left, shows its error:\n%s", s)
	}
	press(t, m, "tab")
	if s := screen(m); !strings.Contains(s, "node host is empty") {
		t.Errorf("the host left empty shows no error:\n%s", s)
	}
}

// TestNewRowCountsOn: ctrl+n after octo3 proposes OCTO4 at
// octo4.corp.local; typing over a proposal replaces it, deleting edits it.
func TestNewRowCountsOn(t *testing.T) {
	m := newTestModel(t, 100, 30)
	m.newCluster()
	m.answers = wantCluster()
	m.recheck()
	m.goTo(nodesIndex)
	press(t, m, "ctrl+n")
	if got := m.answers.Nodes[3]; got.Name != "OCTO4" || got.Host != "octo4.corp.local" {
		t.Fatalf("node 4 is %+v, want OCTO4 at octo4.corp.local", got)
	}
	if !strings.Contains(screen(m), "Node 4 proposed: OCTO4 at octo4.corp.local") {
		t.Errorf("the proposal is not said:\n%s", screen(m))
	}
	typeText(t, m, "EDGE1")
	press(t, m, "tab", "backspace")
	if got := m.answers.Nodes[3]; got.Name != "EDGE1" || got.Host != "octo4.corp.loca" {
		t.Errorf("typing did not replace the proposed name, or backspace did not edit the host: %+v", got)
	}
	// The next counts on from the row as edited, name and host alike.
	press(t, m, "ctrl+n")
	if got := m.answers.Nodes[4]; got.Name != "EDGE2" || got.Host != "octo5.corp.loca" {
		t.Errorf("node 5 is %+v, want EDGE2 at octo5.corp.loca", got)
	}
}

// TestNameComesFromHost: a host typed with the name left empty names
// the node after its first label; the name is a proposal to type over.
func TestNameComesFromHost(t *testing.T) {
	m := newTestModel(t, 100, 30)
	m.newCluster()
	m.goTo(nodesIndex)
	press(t, m, "ctrl+n", "tab")
	typeText(t, m, "octo7.corp.local")
	press(t, m, "tab")
	if got := m.answers.Nodes[0].Name; got != "OCTO7" {
		t.Fatalf("the node is named %q, want OCTO7 from its host", got)
	}
	press(t, m, "shift+tab", "shift+tab")
	typeText(t, m, "Primary")
	if got := m.answers.Nodes[0].Name; got != "Primary" {
		t.Errorf("typing over the proposed name gave %q", got)
	}
	// A name typed is never replaced by the host's.
	press(t, m, "tab")
	typeText(t, m, "x")
	press(t, m, "tab")
	if got := m.answers.Nodes[0].Name; got != "Primary" {
		t.Errorf("the typed name became %q", got)
	}
}

// TestCertificatePathsProposed: an https public URL on NGINX proposes
// the certificate files named after the public host; typing replaces
// them, and a URL changed later never overwrites them.
func TestCertificatePathsProposed(t *testing.T) {
	m := newTestModel(t, 100, 30)
	m.newCluster()
	m.goTo(loadBalancerIndex)
	press(t, m, "tab")
	typeText(t, m, "https://octopus.corp.local")
	press(t, m, "tab")
	lb := m.answers.LoadBalancer
	if lb.Certificate != "/etc/ssl/certs/octopus.corp.local.pem" || lb.CertificateKey != "/etc/ssl/private/octopus.corp.local.key" {
		t.Fatalf("proposed %q and %q", lb.Certificate, lb.CertificateKey)
	}
	if strings.Contains(screen(m), "certificate") && strings.Contains(screen(m), "is empty") {
		t.Errorf("an empty-certificate error shows beside the proposal:\n%s", screen(m))
	}
	press(t, m, "tab", "tab", "tab") // persistence, health check, balancer IPs, certificate
	typeText(t, m, "/srv/tls/o.pem")
	if got := m.answers.LoadBalancer.Certificate; got != "/srv/tls/o.pem" {
		t.Errorf("typing over the proposed certificate gave %q", got)
	}
	for range 4 {
		press(t, m, "shift+tab")
	}
	typeText(t, m, "x")
	press(t, m, "tab")
	if got := m.answers.LoadBalancer.Certificate; got != "/srv/tls/o.pem" {
		t.Errorf("changing the URL replaced the certificate typed: %q", got)
	}
}
