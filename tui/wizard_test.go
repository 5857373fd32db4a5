package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
)

// finishStep presses Enter until the wizard leaves the step showing.
func finishStep(t *testing.T, m *model) {
	t.Helper()
	from := m.stepIdx
	for i := 0; i < 40 && m.stepIdx == from; i++ {
		press(t, m, "enter")
	}
	if m.stepIdx == from {
		t.Fatalf("Enter did not leave step %d", from)
	}
}

// fillCluster answers every question for a 3-node cluster behind NGINX
// with unique-port polling, taking a golden view of each screen on the way.
func fillCluster(t *testing.T, m *model, goldens bool) {
	t.Helper()
	shot := func(name string) {
		if goldens {
			golden(t, m, name)
		}
	}
	shot("start")
	press(t, m, "enter")
	if m.onStart || m.stepIdx != 0 {
		t.Fatalf("new cluster: onStart=%v step=%d", m.onStart, m.stepIdx)
	}
	press(t, m, "tab", "tab")
	typeText(t, m, `CORP\svc-octopus`)
	press(t, m, "tab", "tab")
	typeText(t, m, "octopus-admins@corp.local")
	shot("octopus")
	finishStep(t, m)

	typeText(t, m, "sql01.corp.local")
	shot("database")
	finishStep(t, m)

	typeText(t, m, `\\fs01.corp.local\Octopus`)
	shot("storage")
	finishStep(t, m)

	shot("nodes-empty")
	for i := 1; i <= 3; i++ {
		press(t, m, "ctrl+n")
		typeText(t, m, "OCTO"+itoa(i))
		press(t, m, "tab")
		typeText(t, m, "octo"+itoa(i)+".corp.local")
	}
	shot("nodes")
	finishStep(t, m)

	press(t, m, "tab")
	typeText(t, m, "https://octopus.corp.local")
	press(t, m, "tab", "tab", "tab", "tab")
	typeText(t, m, "/etc/nginx/tls/octopus.pem")
	press(t, m, "tab")
	typeText(t, m, "/etc/nginx/tls/octopus.key")
	shot("loadbalancer")
	finishStep(t, m)

	press(t, m, "right", "tab", "right", "tab", "tab")
	typeText(t, m, "octopus-poll.corp.local")
	shot("tentacles")
	finishStep(t, m)
	if m.stepIdx != reviewIndex {
		t.Fatalf("after Tentacles: step %d, want Review", m.stepIdx)
	}
	shot("review")
}

// wantCluster is what fillCluster answers.
func wantCluster() steps.Answers {
	a := steps.Defaults()
	a.Octopus.ServiceAccount = `CORP\svc-octopus`
	a.Octopus.AdminEmail = "octopus-admins@corp.local"
	a.Database.Server = "sql01.corp.local"
	a.Storage.Root = `\\fs01.corp.local\Octopus`
	a.Nodes = []steps.Node{{Name: "OCTO1", Host: "octo1.corp.local"}, {Name: "OCTO2", Host: "octo2.corp.local"}, {Name: "OCTO3", Host: "octo3.corp.local"}}
	a.LoadBalancer.PublicURL = "https://octopus.corp.local"
	a.LoadBalancer.Certificate = "/etc/nginx/tls/octopus.pem"
	a.LoadBalancer.CertificateKey = "/etc/nginx/tls/octopus.key"
	a.Tentacles.Mode = steps.ModePolling
	a.Tentacles.Polling = steps.PollingUniquePort
	a.Tentacles.PollingAddress = "octopus-poll.corp.local"
	return a
}

func marshal(t *testing.T, a steps.Answers) string {
	t.Helper()
	b, err := steps.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWalkEveryScreen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := newTestModel(t, size[0], size[1])
		fillCluster(t, m, true)
		if got, want := marshal(t, m.answers), marshal(t, wantCluster()); got != want {
			t.Fatalf("answers after the walk:\n%s\nwant:\n%s", got, want)
		}
		if len(m.findings) != 0 {
			t.Errorf("open findings after the walk: %v", m.findings)
		}
		// Every completed step saved the answers file.
		saved, err := steps.Load(m.path)
		if err != nil {
			t.Fatal(err)
		}
		if marshal(t, saved.Answers) != marshal(t, m.answers) {
			t.Error("the saved answers file differs from the answers")
		}
		if info, _ := os.Stat(m.path); info.Mode().Perm() != 0o600 {
			t.Errorf("answers file mode %v, want 0600", info.Mode().Perm())
		}
		press(t, m, "enter")
		if m.stepIdx != exportIndex {
			t.Fatalf("Enter on Review: step %d", m.stepIdx)
		}
		golden(t, m, "export")
	}
}

func TestNodesShowDerivedPorts(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m.newCluster()
	m.answers.Tentacles.Mode, m.answers.Tentacles.Polling = steps.ModePolling, steps.PollingUniquePort
	m.goTo(3)
	for i := 0; i < 3; i++ {
		press(t, m, "ctrl+n")
		typeText(t, m, "N"+itoa(i+1))
		press(t, m, "tab")
		typeText(t, m, "n"+itoa(i+1))
	}
	for i, port := range []string{"10943", "10944", "10945"} {
		if l := lineWith(m, "N"+itoa(i+1)+" "); !strings.Contains(l, port) {
			t.Errorf("node %d row %q does not show comms port %s", i+1, l, port)
		}
	}
	// Focus on node 2's comms port explains where the number comes from.
	press(t, m, "up", "up", "up", "up", "tab", "tab")
	if !strings.Contains(screen(m), "basePort+1 = 10944") {
		t.Errorf("no explanation of node 2's comms port:\n%s", screen(m))
	}
	// Remove node 2: node 3 moves up and gets node 2's port.
	press(t, m, "ctrl+x")
	if len(m.answers.Nodes) != 2 || m.answers.Nodes[1].Name != "N3" {
		t.Fatalf("after removing node 2: %+v", m.answers.Nodes)
	}
	if l := lineWith(m, "N3"); !strings.Contains(l, "10944") {
		t.Errorf("N3 row after removal: %q", l)
	}
	// A typed comms port that breaks the rule is shown under the row.
	press(t, m, "tab", "tab", "tab")
	typeText(t, m, "12000")
	if !strings.Contains(screen(m), "error: comms port 12000 breaks the rule") {
		t.Errorf("no error under the row:\n%s", screen(m))
	}
}

func TestTypingErrorsShowUnderTheField(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m.newCluster()
	press(t, m, "tab", "tab", "tab", "tab", "tab") // Web port
	typeText(t, m, "x")
	if l := screen(m); !strings.Contains(l, `error: "80x" is not a whole number`) {
		t.Fatalf("no typing error:\n%s", l)
	}
	press(t, m, "backspace", "backspace", "backspace")
	typeText(t, m, "70000")
	if !strings.Contains(screen(m), "error: 70000 is not a TCP port") {
		t.Errorf("no range error:\n%s", screen(m))
	}
	press(t, m, "backspace", "backspace", "backspace")
	if strings.Contains(screen(m), "error:") || m.answers.Octopus.WebPort != 70 {
		t.Errorf("error left after fixing, web port %d:\n%s", m.answers.Octopus.WebPort, screen(m))
	}
}

func TestEscKeepsEarlierAnswers(t *testing.T) {
	m := newTestModel(t, 80, 24)
	fillCluster(t, m, false)
	for m.stepIdx > 1 {
		press(t, m, "esc")
	}
	press(t, m, "up", "up", "up", "up", "up", "up", "up", "up") // back to the first field
	if m.stepIdx != 1 || !strings.Contains(lineWith(m, "sql01.corp.local"), "SQL Server") {
		t.Fatalf("back at Database: %q", lineWith(m, "sql01.corp.local"))
	}
	// Edit it: the answer changes in place, nothing else does.
	press(t, m, "backspace")
	if m.answers.Database.Server != "sql01.corp.loca" || len(m.answers.Nodes) != 3 {
		t.Errorf("after editing: server %q, %d nodes", m.answers.Database.Server, len(m.answers.Nodes))
	}
}

func TestChoiceAddsFields(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m.newCluster()
	m.goTo(1)
	if strings.Contains(screen(m), "SQL login") {
		t.Fatal("SQL login shown with Windows authentication")
	}
	press(t, m, "tab", "tab", "tab", "right")
	if m.answers.Database.Auth != steps.AuthSQL || !strings.Contains(screen(m), "SQL login") {
		t.Fatalf("auth %q; SQL login not shown:\n%s", m.answers.Database.Auth, screen(m))
	}
	if f, _ := m.formOf(1).Focused(); f.Key() != "database.auth" {
		t.Errorf("focus moved to %s", f.Key())
	}
}

func TestQuitAsks(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m.newCluster()
	typeText(t, m, "2026.4")
	press(t, m, "ctrl+c")
	if !m.quitting || !strings.Contains(screen(m), "save the answers to") {
		t.Fatalf("Ctrl+C did not ask:\n%s", screen(m))
	}
	golden(t, m, "quit")
	press(t, m, "c")
	if m.quitting {
		t.Fatal("c did not cancel")
	}
	_, cmd := m.Update(keyMsg("ctrl+c"))
	_, cmd = m.Update(keyMsg("ctrl+c"))
	if msg := cmd(); msg.(savedMsg).err != nil || !msg.(savedMsg).thenQuit {
		t.Fatalf("second Ctrl+C: %#v", msg)
	} else if _, quit := m.Update(msg); quit == nil {
		t.Fatal("no quit after saving")
	}
	saved, err := steps.Load(m.path)
	if err != nil || saved.Answers.Octopus.Version != "2026.4.69092026.4" {
		t.Fatalf("saved %v, %v", saved, err)
	}
}

func TestResumeAtFirstIncompleteStep(t *testing.T) {
	dir := t.TempDir()
	a := wantCluster()
	a.Nodes[2].Host = "" // the Nodes step has an error
	path := filepath.Join(dir, "a.yaml")
	if err := export.SaveAnswers(path, a); err != nil {
		t.Fatal(err)
	}
	m, err := openModel(Options{AnswersPath: path, OpenExisting: true, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.stepIdx != 3 {
		t.Fatalf("resumed at step %d, want Nodes (3)", m.stepIdx)
	}
	if !strings.Contains(screen(m), "error: node host") {
		t.Errorf("the open error is not shown:\n%s", screen(m))
	}
	// A file without errors opens at Review.
	m, _ = openModel(Options{AnswersPath: filepath.Join(examples, "4-node-polling-unique-port-nginx.yaml"), OpenExisting: true, NoColor: true})
	if m.stepIdx != reviewIndex {
		t.Errorf("a valid file resumed at step %d, want Review", m.stepIdx)
	}
	// A named file that does not exist starts a new cluster saved there.
	m, err = openModel(Options{AnswersPath: filepath.Join(dir, "new.yaml"), OpenExisting: true})
	if err != nil || m.onStart || m.stepIdx != 0 {
		t.Errorf("missing file: err %v, onStart %v, step %d", err, m.onStart, m.stepIdx)
	}
}

func TestOpenFromStartScreen(t *testing.T) {
	m := newTestModel(t, 80, 24)
	press(t, m, "down", "enter")
	if m.setup == nil || !strings.Contains(screen(m), "From the cluster's database") {
		t.Fatalf("Add a node did not ask where the cluster comes from:\n%s", screen(m))
	}
	press(t, m, "esc")
	if m.setup != nil || !m.onStart {
		t.Fatal("esc did not go back to the start screen")
	}
	press(t, m, "down", "enter")
	typeText(t, m, "no-such-file.yaml")
	press(t, m, "enter")
	if !m.onStart || !strings.Contains(screen(m), "cannot read the answers file") {
		t.Fatalf("missing file:\n%s", screen(m))
	}
	press(t, m, "ctrl+u")
	typeText(t, m, filepath.Join(examples, "3-node-polling-redis-haproxy.yaml"))
	press(t, m, "enter")
	// An example was written by hand: the answers are saved elsewhere.
	if m.onStart || m.answers.Tentacles.Polling != steps.PollingRedis || m.path != DefaultAnswersPath {
		t.Fatalf("after opening: onStart %v polling %q path %q", m.onStart, m.answers.Tentacles.Polling, m.path)
	}
}

func TestResizeKeepsFocus(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m.newCluster()
	m.goTo(3)
	for i := 0; i < 16; i++ {
		press(t, m, "ctrl+n")
		typeText(t, m, "NODE"+itoa(i+1))
		press(t, m, "tab")
		typeText(t, m, "host"+itoa(i+1))
	}
	press(t, m, "up", "up", "up", "up") // NODE15's host: a row up
	for _, size := range [][2]int{{80, 24}, {120, 40}, {80, 24}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		l := lineWith(m, "host15")
		if !strings.HasPrefix(l, "> 15") {
			t.Errorf("%dx%d: focused row %q", size[0], size[1], l)
		}
		if n := len(strings.Split(screen(m), "\n")); n != size[1] {
			t.Errorf("%dx%d: %d lines", size[0], size[1], n)
		}
	}
	golden(t, m, "nodes-16")
}

func TestReviewAndPreview(t *testing.T) {
	m, err := openModel(Options{AnswersPath: filepath.Join(examples, "4-node-polling-unique-port-nginx.yaml"), OpenExisting: true, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	files, _, planErr := export.Plan(m.answers)
	body := strings.Join(m.review.content(100), "\n")
	for _, want := range []string{"1 Octopus Server", "octo4.corp.local", "Open findings", "Files an export writes"} {
		if !strings.Contains(body, want) {
			t.Errorf("review lacks %q", want)
		}
	}
	if planErr != nil {
		if !strings.Contains(body, planErr.Error()) {
			t.Errorf("review does not say why there are no files: %v", planErr)
		}
		return
	}
	for _, f := range files {
		if !strings.Contains(body, f.Path) {
			t.Errorf("review does not list %s", f.Path)
		}
	}
	press(t, m, "down", "p")
	if !m.review.previewing || !strings.Contains(screen(m), files[1].Path) {
		t.Fatalf("no preview of %s:\n%s", files[1].Path, screen(m))
	}
	press(t, m, "esc")
	if m.review.previewing || m.stepIdx != reviewIndex {
		t.Error("esc did not close the preview")
	}
}

func TestExportWritesWhatExportWrites(t *testing.T) {
	m := newTestModel(t, 80, 24)
	fillCluster(t, m, false)
	press(t, m, "enter")
	dir := filepath.Join(t.TempDir(), "out")
	press(t, m, "ctrl+u")
	typeText(t, m, dir)
	press(t, m, "enter")
	want, wantErr := export.Write(m.answers, filepath.Join(t.TempDir(), "cli"), export.Options{})
	if (wantErr == nil) != m.export.done {
		t.Fatalf("wizard export done=%v, export.Write err %v; wizard err %v", m.export.done, wantErr, m.export.result.err)
	}
	if wantErr != nil {
		if !strings.Contains(screen(m), "Nothing was written") {
			t.Errorf("the failure is not shown:\n%s", screen(m))
		}
		return
	}
	if len(m.export.result.res.Written) != len(want.Written) {
		t.Errorf("wizard wrote %d files, export %d", len(m.export.result.res.Written), len(want.Written))
	}
	if _, err := steps.Load(filepath.Join(dir, AnswersFileName)); err != nil {
		t.Errorf("no answers beside the files: %v", err)
	}
	// A second export into the same folder asks before overwriting.
	press(t, m, "esc", "enter")
	press(t, m, "enter")
	if !m.export.overwrite || !strings.Contains(screen(m), "ctrl+o") {
		t.Fatalf("existing files: no offer to overwrite:\n%s", screen(m))
	}
	press(t, m, "ctrl+o")
	if !m.export.done {
		t.Errorf("overwrite failed: %v", m.export.result.err)
	}
}
