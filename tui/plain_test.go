package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// plainAnswers answers --plain's questions for wantCluster, one line each
// ("" keeps the value shown), including one wrong answer asked again.
var plainAnswers = []string{
	// Octopus: version, instance, service account, admin, email, web, comms, install, home, task cap
	"", "", `CORP\svc-octopus`, "", "octopus-admins@corp.local", "eighty", "", "", "", "", "",
	// Database: server, port, name, auth, encrypt, trust, multi-subnet, create
	"sql01.corp.local", "", "", "", "", "", "", "",
	// Storage: root and five sub-folders
	`\\fs01.corp.local\Octopus`, "", "", "", "", "",
	// Nodes: how many, then host, name, web, comms for each
	"3", "octo1.corp.local", "OCTO1", "", "", "octo2.corp.local", "OCTO2", "", "", "octo3.corp.local", "OCTO3", "", "",
	// Load balancer: kind, URL, persistence, health, proxies, cert, key
	"", "https://octopus.corp.local", "", "", "", "/etc/nginx/tls/octopus.pem", "/etc/nginx/tls/octopus.key",
	// Tentacles: mode, polling, base port, polling address, instance, space, environments, roles
	"polling", "unique-port", "", "octopus-poll.corp.local", "", "", "", "",
}

func TestPlainAsksLineByLine(t *testing.T) {
	t.Chdir(t.TempDir())
	input := strings.Join(plainAnswers, "\n") + "\nout\n"
	var out, errOut bytes.Buffer
	code := Run(Options{Plain: true, In: strings.NewReader(input), Out: &out, Err: &errOut})
	f, err := steps.Load(DefaultAnswersPath)
	if err != nil {
		t.Fatalf("exit %d, %v\n%s\n%s", code, err, out.String(), errOut.String())
	}
	if got, want := marshal(t, f.Answers), marshal(t, wantCluster()); got != want {
		t.Fatalf("answers:\n%s\nwant:\n%s\noutput:\n%s", got, want, out.String())
	}
	if !strings.Contains(out.String(), `error: "eighty" is not a whole number`) {
		t.Errorf("the wrong answer was not refused:\n%s", out.String())
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Error("--plain wrote escape sequences")
	}
	_, renderErr := export.Write(f.Answers, filepath.Join(t.TempDir(), "cli"), export.Options{})
	if (renderErr == nil) != (code == exitOK) {
		t.Fatalf("exit %d but export.Write says %v\n%s", code, renderErr, errOut.String())
	}
	if code == exitOK {
		if _, err := os.Stat(filepath.Join("out", AnswersFileName)); err != nil {
			t.Errorf("no answers copy beside the files: %v", err)
		}
	}
}

func TestPlainStopsAtEndOfInput(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errOut bytes.Buffer
	code := Run(Options{Plain: true, In: strings.NewReader("2025.4\n"), Out: &out, Err: &errOut})
	if code != exitInvalid || !strings.Contains(errOut.String(), "input ended") {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	f, err := steps.Load(DefaultAnswersPath)
	if err != nil || f.Answers.Octopus.Version != "2025.4" {
		t.Fatalf("the answers so far were not saved: %v", err)
	}
}

func TestNotATerminal(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Run(Options{In: strings.NewReader(""), Out: &out, Err: &errOut})
	if code != exitUsage || !strings.Contains(errOut.String(), "octoha export --answers FILE --out DIR") {
		t.Fatalf("exit %d: %q", code, errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("wrote to stdout: %q", out.String())
	}
}

func TestLiveCheckIsAsyncAndDropsStaleResults(t *testing.T) {
	m := newTestModel(t, 80, 24)
	// The probe is never run here: the test plays its results as messages.
	m.opts.LiveCheck = func(ctx context.Context, a steps.Answers, field string, _ bool) validate.Findings { return nil }
	m.newCluster()
	m.goTo(1)
	m.Update(keyMsg("s"))
	_, cmd := m.Update(keyMsg("q"))
	if cmd == nil {
		t.Fatal("typing did not schedule a pause")
	}
	lc := m.live["database.server"]
	// A pause for an older keystroke starts nothing.
	if _, cmd := m.Update(livePauseMsg{field: "database.server", seq: lc.Seq - 1}); cmd != nil || lc.Running {
		t.Fatal("a stale pause started a check")
	}
	// The pause for the last keystroke starts one, with a spinner.
	m.Update(livePauseMsg{field: "database.server", seq: lc.Seq})
	if !lc.Running || !strings.Contains(lineWith(m, "checking"), "SQL Server") {
		t.Fatalf("no check running:\n%s", screen(m))
	}
	// Typing again cancels it; its late result is dropped.
	m.Update(keyMsg("l"))
	if lc.Running {
		t.Fatal("the check of the old value still runs")
	}
	m.Update(liveResultMsg{field: "database.server", value: "sq", findings: validate.Findings{{Severity: validate.Error, Field: "database.server", Message: "stale"}}})
	if strings.Contains(screen(m), "stale") {
		t.Fatal("a result for an old value was shown")
	}
	// Leaving the field checks the current value at once; its result shows.
	m.Update(keyMsg("tab"))
	if !lc.Running || lc.Value != "sql" {
		t.Fatalf("leaving the field: running %v value %q", lc.Running, lc.Value)
	}
	m.Update(liveResultMsg{field: "database.server", value: "sql", values: m.fieldValues(), findings: validate.Findings{{Severity: validate.Error, Field: "database.server", Message: "no DNS record for sql"}}})
	if !strings.Contains(screen(m), "error: no DNS record for sql") {
		t.Errorf("the live finding is not under the field:\n%s", screen(m))
	}
}
