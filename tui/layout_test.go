package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
	"github.com/octoha/octoha/validate"
)

// layoutSizes are the smallest window the wizard lays out in, the usual
// terminal, and a big one (issue 12).
var layoutSizes = [][2]int{{minWidth, minHeight}, {80, 24}, {120, 40}}

// intendedEllipses are the "…" a screen draws on purpose, not a cut.
var intendedEllipses = []string{"writing…", "listing the nodes in "}

// checkFrame checks the frame of the screen showing: exactly h lines, none
// wider than w cells, and none but the help line cut to fit; the header
// first and the help line last; nothing drawn twice; and on a question
// screen the focused field's row with its findings right under it. focus
// is text the line with the "> " marker must hold on a screen that is not
// a question screen ("" for a screen without a focus). It returns how
// many findings it found under the focused row.
func checkFrame(t *testing.T, m *model, name, focus string) int {
	t.Helper()
	w, h := m.width, m.height
	name = itoa(w) + "x" + itoa(h) + " " + name
	uncut, lost := m.layout()
	lines := strings.Split(m.render(), "\n")
	plain := make([]string, len(lines))
	for i, l := range lines {
		plain[i] = ansi.Strip(l)
	}
	frame := strings.Join(plain, "\n")
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s: "+format+"\n%s", append(append([]any{name}, args...), frame)...)
	}
	if len(lines) != h {
		fail("%d lines, want %d", len(lines), h)
		return 0
	}
	for i, l := range lines {
		if n := form.Width(l); n > w {
			fail("line %d is %d cells wide", i+1, n)
		}
		if i < h-1 && form.Width(uncut[i]) > w {
			fail("line %d is cut to fit (%d cells): %q", i+1, form.Width(uncut[i]), ansi.Strip(uncut[i]))
		}
	}
	if lost > 0 {
		fail("the body's last %d lines do not fit", lost)
	}
	if !strings.HasPrefix(plain[0], "octoha") {
		fail("the header is not the first line")
	}
	if b := m.bindings(); len(b) > 0 && !strings.HasPrefix(plain[h-1], b[0].Help().Key+" ") {
		fail("the help line (%s first) is not the last line", b[0].Help().Key)
	}
	body := plain[2 : h-2]
	seen := map[string]int{}
	findingIndent := -1 // the indent of the finding whose lines these are
	for i, l := range body {
		for _, cut := range strings.Split(l, "…")[1:] {
			if !intended(l) && strings.TrimSpace(cut) == "" {
				fail("line %d is cut short: %q", i+3, l)
			}
		}
		// Lines of words shown twice: the same explanation or note drawn
		// in two places. Borders and blank lines repeat, rightly, and so
		// do findings under rows of the same kind (every host's DNS).
		key := strings.TrimSpace(l)
		indent := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case strings.HasPrefix(key, "error:") || strings.HasPrefix(key, "warning:"):
			findingIndent = indent
			continue
		case key != "" && indent == findingIndent:
			continue
		}
		findingIndent = -1
		if strings.Count(key, " ") >= 3 && strings.ContainsAny(key, "abcdefghijklmnopqrstuvwxyz") {
			if j, ok := seen[key]; ok {
				fail("lines %d and %d are the same: %q", j+3, i+3, key)
			}
			seen[key] = i
		}
	}

	var findings validate.Findings
	if !m.onStart && m.clobber == nil && !m.quitting && m.isForm(m.stepIdx) {
		f := m.formOf(m.stepIdx)
		fl, ok := f.Focused()
		if !ok {
			return 0
		}
		c := m.checks(m.stepIdx)
		// The explanation shows whole or not at all.
		if text, ok := fl.Explain(&m.answers); ok {
			var all []string
			for _, l := range body {
				all = append(all, strings.Fields(l)...)
			}
			words, shown := strings.Fields(text), " "+strings.Join(all, " ")+" "
			if strings.Contains(shown, " "+strings.Join(words[:min(4, len(words))], " ")+" ") && !strings.Contains(shown, " "+strings.Join(words, " ")+" ") {
				fail("the explanation %q is cut short", text)
			}
		}
		// Rows left out are counted ("nodes 3-8 of 16"): the count
		// comes last, so shown, the rows above it are whole.
		rows, shown := f.Fields(&m.answers), 0
		for i, fl := range rows {
			for _, l := range body {
				if f.Grid() && i%4 == 0 && (strings.HasPrefix(l, "  "+pad(itoa(i/4+1), 3)) || strings.HasPrefix(l, "> "+pad(itoa(i/4+1), 3))) ||
					!f.Grid() && (strings.HasPrefix(l, "  "+fl.Title()+" ") || strings.HasPrefix(l, "> "+fl.Title()+" ")) {
					shown++
					break
				}
			}
		}
		if n := len(rows); f.Grid() {
			n /= 4
			if shown < n && !strings.Contains(frame, " of "+itoa(n)+"\n") {
				fail("%d rows of %d show, and no count says so", shown, n)
			}
		} else if shown < n && !strings.Contains(frame, " of "+itoa(n)+": tab") {
			fail("%d fields of %d show, and no count says so", shown, n)
		}
		focus = fl.Title()
		if f.Grid() {
			focus = pad(itoa(f.FocusRow()+1), 3)
			for _, cell := range f.Fields(&m.answers)[f.FocusRow()*4 : f.FocusRow()*4+4] {
				findings = append(findings, f.Messages(cell, c)...)
			}
		} else {
			findings = f.Messages(fl, c)
		}
	}
	if focus == "" {
		return 0
	}
	at := -1
	for i, l := range plain {
		if rest, ok := strings.CutPrefix(strings.TrimLeft(l, " "), "> "); ok && strings.HasPrefix(rest, focus) {
			at = i
		}
	}
	if at < 0 {
		fail("the focused %q is not on screen", focus)
		return 0
	}
	// The lines under the focused row, joined, read as its findings.
	var under []string
	for _, l := range plain[at+1 : h-2] {
		under = append(under, strings.Fields(l)...)
	}
	text := strings.Join(under, " ")
	for _, fd := range findings {
		want := m.st.form.FindingLines(validate.Findings{fd}, "", 1000)[0]
		want = strings.Join(strings.Fields(ansi.Strip(want)), " ")
		if !strings.HasPrefix(text, want) {
			fail("the focused row's finding %q is not under it", want)
		}
		text = strings.TrimPrefix(strings.TrimPrefix(text, want), " ")
	}
	return len(findings)
}

func intended(l string) bool {
	for _, s := range intendedEllipses {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// focusEach checks the question screen showing with the focus on its
// first field, a middle one and its last.
func focusEach(t *testing.T, m *model, name string) {
	t.Helper()
	f := m.formOf(m.stepIdx)
	for _, i := range []int{0, f.Len() / 2, f.Len() - 1} {
		f.Focus(&m.answers, i)
		m.Update(nil)
		checkFrame(t, m, name+", field "+itoa(i+1), "")
	}
}

// Every screen fits the window at the smallest size the wizard lays out
// in, at 80x24 and at 120x40 (issue 12): see checkFrame.
func TestLayoutOfEveryScreen(t *testing.T) {
	for _, size := range layoutSizes {
		w, h := size[0], size[1]
		t.Run(itoa(w)+"x"+itoa(h), func(t *testing.T) {
			t.Run("start", func(t *testing.T) { layoutStart(t, w, h) })
			t.Run("steps", func(t *testing.T) { layoutSteps(t, w, h) })
			t.Run("nodes", func(t *testing.T) { layoutNodes(t, w, h) })
			t.Run("review", func(t *testing.T) { layoutReview(t, w, h) })
			t.Run("questions", func(t *testing.T) { layoutQuestions(t, w, h) })
		})
	}
}

// layoutStart: the start menu, its file question, and the add-node setup.
func layoutStart(t *testing.T, w, h int) {
	m := newTestModel(t, w, h)
	checkFrame(t, m, "start", "Set up a new HA cluster")
	press(t, m, "down", "down", "enter")
	checkFrame(t, m, "start, asking for a file", "Open an answers file")
	typeText(t, m, "no-such-answers-file-with-a-long-name.yaml")
	press(t, m, "enter")
	checkFrame(t, m, "start, a file that is not there", "Open an answers file")
	press(t, m, "esc", "up", "enter")
	checkFrame(t, m, "add-node setup", "From the cluster's answers file")
	press(t, m, "enter")
	checkFrame(t, m, "add-node setup, asking for a file", "From the cluster's answers file")

	// With answers saved in this folder, the menu offers to continue.
	if err := os.WriteFile(DefaultAnswersPath, []byte(marshal(t, wantCluster())), 0o600); err != nil {
		t.Fatal(err)
	}
	m = newModel(Options{AnswersPath: DefaultAnswersPath, NoColor: true, Version: "test"})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	checkFrame(t, m, "start, offering to continue", "Continue "+DefaultAnswersPath)

	m = newTestModel(t, w, h)
	m.opts.ListNodes = (&fakeNodes{}).list
	press(t, m, "down", "enter", "down", "enter")
	checkFrame(t, m, "add-node setup, the connection", "SQL Server")
	typeText(t, m, "sql01.corp.local")
	press(t, m, "tab")
	typeText(t, m, "14x3")
	checkFrame(t, m, "add-node setup, a port that is no number", "Port")
	press(t, m, "backspace", "backspace", "backspace", "backspace")
	press(t, m, "tab", "tab", "right", "tab")
	typeText(t, m, "octoha")
	press(t, m, "tab")
	typeText(t, m, "s3cret")
	checkFrame(t, m, "add-node setup, the password", "Password")
	press(t, m, "enter")
	checkFrame(t, m, "add-node setup, the nodes listed", "")

	m = newTestModel(t, w, h)
	addFromFile(t, m, false)
	focusEach(t, m, "New node")
	m.formOf(newNodeIndex).Focus(&m.answers, 0)
	typeText(t, m, "OCTO1")
	press(t, m, "tab", "shift+tab")
	if checkFrame(t, m, "New node, a name taken", "") == 0 {
		t.Error("the name taken has no finding to check")
	}
}

// layoutSteps: each question screen, with each balancer and tentacle
// mode that changes the fields, focus first, in the middle and last.
func layoutSteps(t *testing.T, w, h int) {
	m := newTestModel(t, w, h)
	press(t, m, "enter")
	for i := range formSteps {
		m.goTo(i)
		focusEach(t, m, formSteps[i].name+", new")
	}
	// Every finding shown, as after finishing each step.
	for i := range formSteps {
		m.goTo(i)
		m.formOf(i).Finish()
		focusEach(t, m, formSteps[i].name+", every finding")
	}
	m.goTo(1)
	m.formOf(1).Focus(&m.answers, 1) // the port
	typeText(t, m, "14x3")
	if checkFrame(t, m, "Database, a port that is no number", "") == 0 {
		t.Error("the port that is no number has no finding to check")
	}

	m = newTestModel(t, w, h)
	m.newCluster()
	m.answers = wantCluster()
	m.answers.Octopus.ServiceAccount = "svc-octopus-without-a-domain-and-a-name-longer-than-the-field-shows"
	m.recheck()
	m.showAll()
	m.goTo(0)
	focusEach(t, m, "Octopus, a long answer with its finding")
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy, steps.LBApache, steps.LBIISARR, steps.LBExternal} {
		m.answers.LoadBalancer.Kind = kind
		m.recheck()
		m.goTo(loadBalancerIndex)
		focusEach(t, m, "Balancer "+kind)
	}
	m.answers.LoadBalancer.Kind = steps.LBNginx
	for _, mode := range [][2]string{{steps.ModeListening, ""}, {steps.ModePolling, steps.PollingUniqueAddress},
		{steps.ModePolling, steps.PollingUniquePort}, {steps.ModePolling, steps.PollingRedis}} {
		m.answers.Tentacles.Mode, m.answers.Tentacles.Polling = mode[0], mode[1]
		m.recheck()
		m.goTo(5)
		focusEach(t, m, "Tentacles "+mode[0]+" "+mode[1])
	}
}

// layoutNodes: the Nodes grid empty, with 6 and with 16 nodes, the focus
// on the first, a middle and the last row, with and without findings.
func layoutNodes(t *testing.T, w, h int) {
	m := newTestModel(t, w, h)
	m.newCluster()
	m.goTo(nodesIndex)
	checkFrame(t, m, "Nodes, none", "")
	m.formOf(nodesIndex).Finish()
	checkFrame(t, m, "Nodes, none, its finding", "")
	for _, n := range []int{6, 16} {
		m.answers = wantCluster()
		for i := 3; i < n; i++ {
			m.answers.Nodes = append(m.answers.Nodes, steps.Node{Name: "OCTO" + itoa(i+1), Host: "octo" + itoa(i+1) + ".corp.local"})
		}
		m.recheck()
		m.goTo(nodesIndex)
		f := m.formOf(nodesIndex)
		for _, row := range []int{0, n / 2, n - 1} {
			for _, col := range []int{0, 1, 3} {
				f.Focus(&m.answers, row*4+col)
				m.Update(nil)
				checkFrame(t, m, itoa(n)+" nodes, row "+itoa(row+1)+" cell "+itoa(col+1), "")
			}
		}
		// Every host with a live finding of several lines, as this
		// machine's DNS gives for a new cluster's names.
		for i, node := range m.answers.Nodes {
			host := steps.NodeField(i).Host
			m.liveFound["dns.host\x00"+host] = &liveEntry{values: map[string]string{host: node.Host},
				findings: validate.Findings{{ID: "dns.host", Severity: validate.Warning, Field: host,
					Message: node.Host + " does not resolve from this machine (no such host)",
					Fix:     "The nodes, the balancer and the tentacles must resolve this name; this machine's DNS may not be theirs, so check it from a node, or add the record before install."}}}
		}
		m.recheck()
		f.Finish()
		// A status of two lines at 60 columns, as ctrl+n leaves.
		m.setStatus("Node "+itoa(n)+" proposed: OCTO"+itoa(n)+" at octo"+itoa(n)+".corp.local; type over it if wrong.", false)
		for _, row := range []int{0, n / 2, n - 1} {
			f.Focus(&m.answers, row*4+1)
			m.Update(nil)
			if checkFrame(t, m, itoa(n)+" nodes with live findings, row "+itoa(row+1), "") == 0 {
				t.Errorf("%d nodes, row %d: no live finding to check", n, row+1)
			}
		}
		clear(m.liveFound)
		m.setStatus("", false)
		// Every row with findings of its own: a space in its name and
		// its host.
		for i := range m.answers.Nodes {
			m.answers.Nodes[i] = steps.Node{Name: "OCTO " + itoa(i+1), Host: "octo " + itoa(i+1)}
		}
		m.recheck()
		f.Finish()
		for _, row := range []int{0, n / 2, n - 1} {
			f.Focus(&m.answers, row*4+1)
			m.Update(nil)
			if checkFrame(t, m, itoa(n)+" nodes with findings, row "+itoa(row+1), "") < 2 {
				t.Errorf("%d nodes, row %d: no findings to check", n, row+1)
			}
		}
	}
}

// layoutReview: Review with the picture, chosen file, scrolled, with open
// findings, the preview, and Export before, asking and done.
func layoutReview(t *testing.T, w, h int) {
	m := newTestModel(t, w, h)
	fillCluster(t, m, false)
	checkFrame(t, m, "Review", "")
	press(t, m, "down")
	checkFrame(t, m, "Review, the second file chosen", m.review.files[1].Path)
	// A status of three lines takes two from the body: the chosen file,
	// the last, stays in view.
	for range m.review.files {
		press(t, m, "down")
	}
	last := m.review.files[len(m.review.files)-1].Path
	checkFrame(t, m, "Review, the last file chosen", last)
	m.setStatus("/srv/octoha/answers/of-the-production-cluster/octoha-answers.yaml was written by hand; your answers are saved to ./octoha-answers.yaml", false)
	m.Update(nil)
	checkFrame(t, m, "Review, the last file chosen, a long status", last)
	m.setStatus("", false)
	m.Update(nil)
	press(t, m, "pgup", "pgup", "pgup", "pgup", "pgdown")
	checkFrame(t, m, "Review, scrolled", "")
	press(t, m, "p")
	checkFrame(t, m, "Review's preview", "")
	press(t, m, "pgdown", "pgdown")
	checkFrame(t, m, "Review's preview, scrolled", "")
	press(t, m, "esc", "enter")
	checkFrame(t, m, "Export", "")
	press(t, m, "enter")
	checkFrame(t, m, "Export, done", "")
	press(t, m, "esc", "enter", "enter")
	if !m.export.overwrite {
		t.Fatalf("no overwrite question:\n%s", screen(m))
	}
	checkFrame(t, m, "Export, the files exist", "")
	press(t, m, "ctrl+u")
	typeText(t, m, filepath.Join(t.TempDir(), "exports-of-the-production-cluster", "for-the-change-window"))
	press(t, m, "enter")
	checkFrame(t, m, "Export, done in a folder with a long path", "")

	m.liveFound["db.reach\x00"+steps.FieldDatabaseServer] = &liveEntry{values: map[string]string{},
		findings: validate.Findings{{ID: "db.reach", Severity: validate.Error, Field: steps.FieldDatabaseServer,
			Message: "SQL Server sql01.corp.local refused the login for CORP\\svc-octopus", Fix: "Grant the service account a login."}}}
	m.recheck()
	m.goTo(exportIndex)
	press(t, m, "enter")
	checkFrame(t, m, "Export, asking about a live error", "")

	m = newTestModel(t, w, h)
	m.newCluster()
	m.answers = wantCluster()
	m.answers.Database.Server, m.answers.Nodes[1].Host, m.answers.LoadBalancer.PublicURL = "", "octo1.corp.local", "octopus.corp.local"
	m.recheck()
	m.goTo(reviewIndex)
	m.Update(nil)
	checkFrame(t, m, "Review, open findings", "")
	press(t, m, "pgdown", "pgdown")
	checkFrame(t, m, "Review, open findings, scrolled", "")
	press(t, m, "enter", "enter")
	checkFrame(t, m, "Export, errors", "")
}

// layoutQuestions: the quit question and the save-over question.
func layoutQuestions(t *testing.T, w, h int) {
	m := newTestModel(t, w, h)
	press(t, m, "enter", "ctrl+c")
	checkFrame(t, m, "the quit question", "")

	os.WriteFile(DefaultAnswersPath, []byte("# my own notes\nversion: 1\n"), 0o600)
	m, err := openModel(Options{AnswersPath: filepath.Join(examples, "3-node-listening-iis-arr.yaml"), OpenExisting: true, NoColor: true, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.goTo(0)
	finishStep(t, m)
	if m.clobber == nil {
		t.Fatalf("no save-over question:\n%s", screen(m))
	}
	checkFrame(t, m, "the save-over question", "")

	// Both questions name the answers file, however long its path.
	long := filepath.Join(t.TempDir(), "answers-of-the-production-cluster", "octoha-answers-for-the-site.yaml")
	m, err = openModel(Options{AnswersPath: long, OpenExisting: true, NoColor: true, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	press(t, m, "ctrl+c")
	checkFrame(t, m, "the quit question, a long path", "")
	press(t, m, "c")
	os.MkdirAll(filepath.Dir(long), 0o700)
	os.WriteFile(long, []byte("# my own notes\nversion: 1\n"), 0o600)
	finishStep(t, m)
	if m.clobber == nil {
		t.Fatalf("no save-over question:\n%s", screen(m))
	}
	checkFrame(t, m, "the save-over question, a long path", "")
}

// Below the smallest window, the frame says how big the window must be,
// in the lines and columns there are.
func TestTooSmallFitsTheWindow(t *testing.T) {
	for _, size := range [][2]int{{minWidth - 1, minHeight}, {minWidth, minHeight - 1}, {50, 15}, {30, 6}, {12, 3}} {
		w, h := size[0], size[1]
		m := newTestModel(t, w, h)
		frame := m.render()
		lines := strings.Split(frame, "\n")
		if len(lines) > h {
			t.Errorf("%dx%d: %d lines:\n%s", w, h, len(lines), frame)
		}
		for i, l := range lines {
			if form.Width(l) > w {
				t.Errorf("%dx%d: line %d is %d cells wide:\n%s", w, h, i+1, form.Width(l), frame)
			}
		}
		if !strings.Contains(strings.Join(strings.Fields(frame), " "), "60x20") {
			t.Errorf("%dx%d: the frame does not say 60x20:\n%s", w, h, frame)
		}
	}
}

// TestReviewWrapsEveryAnswer: Review's lines fit the window before its
// viewport cuts them (the frame check cannot see that cut): the intro,
// a long install folder, the SQL port's note, a node's ports, a long
// certificate path all wrap and stay whole, for every example and a
// cluster with long answers, at 60 and 80 columns.
func TestReviewWrapsEveryAnswer(t *testing.T) {
	long := wantCluster()
	long.Octopus.InstallDir = `C:\Program Files\Octopus Deploy\Octopus Server For The Cluster`
	long.Nodes[0].Host = "octo1.a-rather-long-subdomain.corp.example.com"
	long.LoadBalancer.Certificate = "/etc/nginx/tls/octopus.a-rather-long-subdomain.corp.example.com.pem"
	clusters := []steps.Answers{long}
	for _, path := range testkit.ExamplePaths(t) {
		f, err := steps.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		clusters = append(clusters, f.Answers)
	}
	for _, w := range []int{60, 80} {
		for i, a := range clusters {
			m := openAnswers(t, a)
			m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
			lines := m.review.content(w)
			for _, l := range lines {
				if form.Width(l) > w {
					t.Errorf("cluster %d at %d columns: a Review line is %d cells: %q", i, w, form.Width(l), ansi.Strip(l))
				}
			}
			text := strings.Join(strings.Fields(ansi.Strip(strings.Join(lines, " "))), "")
			for _, whole := range []string{a.Octopus.InstallDir, a.Nodes[0].Host, a.LoadBalancer.Certificate,
				"comms" + itoa(a.NodeCommsPort(len(a.Nodes)-1))} {
				if !strings.Contains(text, strings.Join(strings.Fields(whole), "")) {
					t.Errorf("cluster %d at %d columns: %q is not whole in Review", i, w, whole)
				}
			}
		}
	}
}
