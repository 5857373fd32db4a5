package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

const growExample = "4-node-polling-unique-port-nginx.yaml"

// addFromFile goes from the start screen to the add-node flow with the
// example's answers: a running cluster without errors is not asked
// again, the flow opens at New node.
func addFromFile(t *testing.T, m *model, goldens bool) {
	t.Helper()
	press(t, m, "down", "enter")
	if goldens {
		golden(t, m, "add-choose")
	}
	press(t, m, "enter")
	// A copy in the test's own folder, so that the screen (and its golden
	// view) names the file the same way wherever the repository is.
	src, err := os.ReadFile(filepath.Join(examples, growExample))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(growExample, src, 0o644); err != nil {
		t.Fatal(err)
	}
	typeText(t, m, growExample)
	press(t, m, "enter")
	if _, adding := m.flow.(*addFlow); !adding || m.onStart || m.stepIdx != newNodeIndex || len(m.answers.Nodes) != 4 {
		t.Fatalf("not in the add-node flow: add %T onStart %v step %d\n%s", m.flow, m.onStart, m.stepIdx, screen(m))
	}
}

func TestAddNodeFromFileExportsWhatAddNodeWrites(t *testing.T) {
	m := newTestModel(t, 80, 24)
	addFromFile(t, m, true)
	golden(t, m, "newnode")
	for _, want := range []string{"Joining (read-only", "1 OCTO1 at", "4 OCTO4 at"} {
		if !strings.Contains(screen(m), want) {
			t.Errorf("the New node screen does not show the running cluster (%q):\n%s", want, screen(m))
		}
	}
	if strings.Contains(screen(m), "ctrl+n") {
		t.Errorf("the add flow invites adding a row:\n%s", screen(m))
	}
	typeText(t, m, "OCTO5")
	press(t, m, "tab")
	typeText(t, m, "localhost")
	if l := lineWith(m, "Comms port"); !strings.Contains(l, "10947") {
		t.Errorf("the comms port does not show the next port: %q", l)
	}
	finishStep(t, m)
	if m.stepIdx != reviewIndex || len(m.review.files) == 0 {
		t.Fatalf("Review: step %d, files %d, %v\n%s", m.stepIdx, len(m.review.files), m.review.planErr, screen(m))
	}
	press(t, m, "p")
	if !strings.Contains(screen(m), m.review.files[0].Path) {
		t.Errorf("no preview:\n%s", screen(m))
	}
	press(t, m, "esc", "enter")
	if m.stepIdx != exportIndex || m.export.input.Value() != "octoha-add-OCTO5" {
		t.Fatalf("Export: step %d, folder %q", m.stepIdx, m.export.input.Value())
	}
	press(t, m, "enter")
	if !m.export.done {
		t.Fatalf("the export did not finish:\n%s", screen(m))
	}

	f, _ := steps.Load(filepath.Join(examples, growExample))
	want := filepath.Join(t.TempDir(), "cli")
	if _, err := export.AddNode(context.Background(), f.Answers, export.AddNodeOptions{Node: steps.Node{Name: "OCTO5", Host: "localhost"}, Dir: want}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, readTree(t, "octoha-add-OCTO5"), readTree(t, want))
	// The example was only read; the confirmed answers went to ./.
	if _, err := steps.Load(DefaultAnswersPath); err != nil {
		t.Error(err)
	}
}

func sameTree(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d files, want %d", len(got), len(want))
	}
	for name, content := range want {
		if !bytes.Equal(got[name], content) {
			t.Errorf("%s differs", name)
		}
	}
}

func TestNewNodeClashes(t *testing.T) {
	m := newTestModel(t, 80, 24)
	addFromFile(t, m, false)
	m.goTo(newNodeIndex)
	typeText(t, m, "octo2")
	press(t, m, "tab")
	typeText(t, m, "octo5.corp.local")
	press(t, m, "tab", "tab")
	typeText(t, m, "10944")
	press(t, m, "shift+tab")
	if !testkit.Has(m.findings, validate.Error, "newNode.name", "already used by node 2") {
		t.Errorf("no name clash: %v", m.findings)
	}
	if !testkit.Has(m.findings, validate.Error, "newNode.commsPort", "") {
		t.Errorf("no comms port error: %v", m.findings)
	}
	if !m.hasOpenErrors(newNodeIndex) {
		t.Error("the New node step has no errors")
	}
	// Export refuses while they are open.
	m.goTo(exportIndex)
	press(t, m, "enter")
	if m.export.done || !strings.Contains(screen(m), "still have errors") {
		t.Errorf("exported with a clash:\n%s", screen(m))
	}
}

// fakeNodes is a ListNodes hook that records what it was asked.
type fakeNodes struct {
	a        steps.Answers
	password string
}

func (f *fakeNodes) list(_ context.Context, a steps.Answers, password string) ([]KnownNode, error) {
	f.a, f.password = a, password
	return []KnownNode{
		{Name: "OCTO1", SinceSeen: 12 * time.Second, HasLastSeen: true, Live: true},
		{Name: "OCTO2", SinceSeen: 3 * time.Minute, HasLastSeen: true, Live: true, Draining: true},
		{Name: "OCTO3", SinceSeen: 72 * time.Hour, HasLastSeen: true},
		{Name: "OCTO9", SinceSeen: 30 * 24 * time.Hour, HasLastSeen: true, Stale: true},
	}, nil
}

func TestAddNodeFromDatabase(t *testing.T) {
	m := newTestModel(t, 80, 24)
	fake := &fakeNodes{}
	m.opts.ListNodes = fake.list
	press(t, m, "down", "enter", "down", "enter")
	typeText(t, m, "sql01.corp.local")
	press(t, m, "tab", "tab", "tab", "right", "tab")
	typeText(t, m, "octoha")
	press(t, m, "tab")
	typeText(t, m, "s3cret")
	golden(t, m, "add-connect")
	if strings.Contains(screen(m), "s3cret") {
		t.Fatal("the password shows")
	}
	press(t, m, "enter")
	if fake.password != "s3cret" || fake.a.Database.Server != "sql01.corp.local" || fake.a.Database.Auth != steps.AuthSQL || fake.a.Database.User != "octoha" {
		t.Fatalf("ListNodes got %q, %+v", fake.password, fake.a.Database)
	}
	golden(t, m, "add-listed")
	for _, want := range []string{"OCTO1", "12s ago", "running", "draining: left out", "3 days ago", "not seen lately", "OCTO9", "stale: left out"} {
		if !strings.Contains(screen(m), want) {
			t.Errorf("the listing lacks %q", want)
		}
	}
	press(t, m, "enter")
	// The listing leaves the cluster's answers incomplete: the flow opens
	// at the first step with an error. The draining node and the stale
	// row do not become nodes without the admin's say.
	if _, adding := m.flow.(*addFlow); !adding || m.stepIdx != resumeStep(m.answers) || m.stepIdx >= len(formSteps) || strings.Join(m.answers.NodeNames(), ",") != "OCTO1,OCTO3" || m.answers.Database.Create {
		t.Fatalf("the cluster from the listing: %+v", m.answers)
	}
	finishStep(t, m)
	if data, _ := os.ReadFile(DefaultAnswersPath); len(data) == 0 || bytes.Contains(data, []byte("s3cret")) {
		t.Fatalf("the saved answers: %q", data)
	}
	// A listed name is taken even when the admin drops that node.
	removeNode(&m.answers, 1)
	m.goTo(newNodeIndex)
	typeText(t, m, "octo3")
	if !testkit.Has(m.findings, validate.Error, "newNode.name", "already a node of this cluster in its database") {
		t.Errorf("no clash with the listing: %v", m.findings)
	}
	golden(t, m, "newnode-clash")
}

func TestNewClusterSkipsNewNode(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m.newCluster()
	m.goTo(len(formSteps) - 1)
	finishStep(t, m)
	if m.stepIdx != reviewIndex {
		t.Fatalf("after Tentacles: step %d", m.stepIdx)
	}
	press(t, m, "esc")
	if m.stepIdx != len(formSteps)-1 {
		t.Fatalf("back from Review: step %d", m.stepIdx)
	}
	if strings.Contains(screen(m), "New node") {
		t.Error("the header names New node")
	}
}

// TestAddNodeExportWritesAnywayOverAnUnresolvedHost: a new node whose
// host does not resolve from the jump box (its DNS record often comes
// later) is no dead end in the wizard: Export says so and Enter writes the
// change anyway, the same files add-node --ignore dns.host writes
// (issue 12, point 3). Other errors still stop it.
func TestAddNodeExportWritesAnywayOverAnUnresolvedHost(t *testing.T) {
	m := newTestModel(t, 80, 24)
	addFromFile(t, m, false)
	typeText(t, m, "OCTO5")
	press(t, m, "tab")
	typeText(t, m, "octo5.invalid") // never resolves (RFC 6761), without asking the network
	finishStep(t, m)
	press(t, m, "enter")
	if m.stepIdx != exportIndex {
		t.Fatalf("not on Export:\n%s", screen(m))
	}
	press(t, m, "enter")
	s := strings.Join(strings.Fields(screen(m)), " ")
	if m.export.done || !strings.Contains(s, "does not resolve from this machine") || !strings.Contains(s, "Enter writes the change anyway") {
		t.Fatalf("Export does not offer to write anyway:\n%s", screen(m))
	}
	if strings.Contains(s, "still have errors") {
		t.Errorf("the unresolved host is called an error in the answers:\n%s", screen(m))
	}
	if !strings.Contains(screen(m), "enter write anyway") {
		t.Errorf("the help line does not say what Enter does:\n%s", screen(m))
	}
	press(t, m, "enter")
	if !m.export.done {
		t.Fatalf("Enter did not write anyway:\n%s", screen(m))
	}
	f, _ := steps.Load(filepath.Join(examples, growExample))
	want := filepath.Join(t.TempDir(), "cli")
	if _, err := export.AddNode(context.Background(), f.Answers, export.AddNodeOptions{Node: steps.Node{Name: "OCTO5", Host: "octo5.invalid"}, Dir: want, Ignore: []string{export.IDHostResolves}}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, readTree(t, "octoha-add-OCTO5"), readTree(t, want))

	// hostOnly offers the choice for the unresolved host alone.
	host := validate.Finding{ID: export.IDHostResolves, Severity: validate.Error}
	other := validate.Finding{ID: "nodes.name", Severity: validate.Error}
	if !hostOnly(validate.Findings{host}) || hostOnly(validate.Findings{host, other}) || hostOnly(nil) {
		t.Error("hostOnly")
	}
}
