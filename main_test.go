package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/steps"
)

// fakeStreams are streams that are no terminal, reading input and
// writing into the returned buffers.
func fakeStreams(input string) (s *streams, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	return &streams{In: strings.NewReader(input), Out: stdout, Err: stderr}, stdout, stderr
}

// octoha runs the command in-process and returns its exit code and output.
func octoha(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeAnswers(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "answers.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const validAnswers = `version: 1
octopus: {version: '2026.4.6909', serviceAccount: 'CORP\svc', adminEmail: a@corp.local}
database: {server: sql01.corp.local, name: Octopus, auth: windows}
storage: {root: '\\fs01\Octopus'}
loadBalancer: {kind: haproxy, publicUrl: http://octopus.corp.local}
nodes:
  - {name: OCTO1, host: octo1.corp.local}
  - {name: OCTO2, host: octo2.corp.local}
tentacles: {mode: listening}
`

func TestExportWritesEveryFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := octoha(t, "export", "--answers", writeAnswers(t, validAnswers), "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"install-first-node.ps1", "join-node-OCTO2.ps1", "register-tentacle.ps1", "haproxy/haproxy.cfg", "CHECKLIST.md", "octoha-answers.yaml"} {
		p := filepath.Join(out, filepath.FromSlash(f))
		if info, err := os.Stat(p); err != nil || info.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
		if !strings.Contains(stdout, "wrote "+p) {
			t.Errorf("output does not list %s:\n%s", p, stdout)
		}
	}
	// The answers copy is private and loads as the answers exported, as
	// the wizard's does.
	copied := filepath.Join(out, "octoha-answers.yaml")
	if info, err := os.Stat(copied); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the answers copy is not mode 0600: %v", info)
	}
	if f, err := steps.Load(copied); err != nil || len(f.Answers.Nodes) != 2 {
		t.Errorf("the answers copy: %v", err)
	}
	// A second export refuses to overwrite, writes nothing, says why, and
	// exits with its own code.
	before := snapshot(t, out)
	code, _, stderr = octoha(t, "export", "--answers", writeAnswers(t, strings.Replace(validAnswers, "OCTO2", "OCTO9", 2)), "--out", out)
	if code != exitExists || !strings.Contains(stderr, "already exists") || !strings.Contains(stderr, "--force") {
		t.Errorf("overwrite without --force: exit %d, %s", code, stderr)
	}
	if after := snapshot(t, out); after != before {
		t.Errorf("a refused export changed the folder")
	}
	code, _, stderr = octoha(t, "export", "--answers", writeAnswers(t, validAnswers), "--out", out, "--force")
	if code != 0 {
		t.Errorf("--force: exit %d, %s", code, stderr)
	}
}

// snapshot lists every file under dir with its content.
func snapshot(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			b.WriteString(p + "\n" + string(data))
		}
		return nil
	})
	return b.String()
}

func TestExportRejectsBadAnswersAndWritesNothing(t *testing.T) {
	cases := []struct {
		name, body string
		says       []string
	}{
		{"unknown field", strings.Replace(validAnswers, "kind: haproxy", "kind: haproxy, sticky: yes", 1), []string{":5:", `unknown field "sticky"`}},
		{"bad port", strings.Replace(validAnswers, "host: octo2.corp.local}", "host: octo2.corp.local, webPort: 99999}", 1), []string{":8: error: nodes[1].webPort: 99999 is not a TCP port"}},
		{"port not a number", strings.Replace(validAnswers, "host: octo2.corp.local}", "host: octo2.corp.local, webPort: http}", 1), []string{":8:", "webPort must be a whole number"}},
		{"duplicate node names", strings.Replace(validAnswers, "name: OCTO2", "name: OCTO1", 1), []string{":8: error: nodes[1].name", "already used by node 1"}},
		{"one host one comms port", strings.Replace(validAnswers, "host: octo2.corp.local}", "host: octo1.corp.local, webPort: 8080}", 1), []string{":8: error: nodes[1].commsPort", "already listens on octo1.corp.local:10943"}},
		{"empty node list", strings.Replace(strings.Replace(validAnswers, "  - {name: OCTO1, host: octo1.corp.local}\n", "", 1), "  - {name: OCTO2, host: octo2.corp.local}\n", "", 1), []string{"error: nodes: there are no nodes"}},
		{"relative storage path", strings.Replace(validAnswers, `'\\fs01\Octopus'`, `'Octopus\Shared'`, 1), []string{":4: error: storage.root", "relative path"}},
		{"another file version", strings.Replace(validAnswers, "version: 1", "version: 7", 1), []string{":1:", "version 7"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := octoha(t, "export", "--answers", writeAnswers(t, c.body), "--out", out)
			wantRefused(t, code, stdout, stderr, out, c.says)
		})
	}
}

func TestExportListsEveryProblemAtOnce(t *testing.T) {
	body := strings.Replace(strings.Replace(validAnswers, "name: OCTO2", "name: OCTO1", 1), `'\\fs01\Octopus'`, `'Octopus'`, 1)
	code, _, stderr := octoha(t, "export", "--answers", writeAnswers(t, body), "--out", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "nodes[1].name") || !strings.Contains(stderr, "storage.root") {
		t.Errorf("exit %d; want both problems listed:\n%s", code, stderr)
	}
}

func TestDriveLetterIsAWarningNotAnError(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := octoha(t, "export", "--answers", writeAnswers(t, strings.Replace(validAnswers, `'\\fs01\Octopus'`, `'Z:\Octopus'`, 1)), "--out", out)
	if code != 0 || !strings.Contains(stderr, "warning: storage.root") || !strings.Contains(stderr, "mapped per user") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"export"},
		{"export", "--answers", "x.yaml"},
		{"export", "--out", "dir"},
		{"export", "--answers", "x.yaml", "--out", "dir", "extra"},
		{"export", "--bogus"},
		{"--bogus"},
		{"frobnicate"},
	} {
		if code, _, _ := octoha(t, args...); code != 2 {
			t.Errorf("octoha %v: exit %d, want 2", args, code)
		}
	}
	if code, stdout, _ := octoha(t, "--version"); code != 0 || !strings.HasPrefix(stdout, "octoha ") {
		t.Errorf("--version: exit %d %q", code, stdout)
	}
	for _, args := range [][]string{{"--help"}, {"export", "--help"}, {"help"}} {
		if code, stdout, _ := octoha(t, args...); code != 0 || !strings.Contains(stdout, "octoha export") {
			t.Errorf("%v: exit %d %q", args, code, stdout)
		}
	}
}

func TestExportMissingFile(t *testing.T) {
	code, _, stderr := octoha(t, "export", "--answers", filepath.Join(t.TempDir(), "nope.yaml"), "--out", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "cannot read the answers file") {
		t.Errorf("exit %d %s", code, stderr)
	}
}

// wantRefused holds a run that must refuse the answers: exit code 1, every
// sentence of says on stderr, nothing on stdout, and no output folder out.
func wantRefused(t *testing.T, code int, stdout, stderr, out string, says []string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, s := range says {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr does not say %q:\n%s", s, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("stdout should be empty, got %q", stdout)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output folder was created (%v): nothing may be written", err)
	}
}

// A finding that cites a public page has it on the line under the finding,
// once, and the finding's sentence cites nothing an admin cannot open.
func TestExportFindingsCiteTheirPage(t *testing.T) {
	body := strings.NewReplacer("kind: haproxy", "kind: apache", "mode: listening", "mode: polling, polling: unique-port").Replace(validAnswers)
	code, _, stderr := octoha(t, "export", "--answers", writeAnswers(t, body), "--out", filepath.Join(t.TempDir(), "out"))
	if code == 0 {
		t.Fatalf("apache with unique-port polling exported: %s", stderr)
	}
	lines := strings.Split(stderr, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "(--ignore lb.passthrough writes anyway)") {
			continue
		}
		if strings.Contains(l, "https://") || strings.Contains(l, "§") {
			t.Errorf("the finding's line carries a citation: %s", l)
		}
		if i+1 >= len(lines) || lines[i+1] != "  see "+docs.PollingHA {
			t.Errorf("the line under the finding is not its page:\n%s", stderr)
		}
		if n := strings.Count(stderr, docs.PollingHA); n != 1 {
			t.Errorf("the page is cited %d times, want once:\n%s", n, stderr)
		}
		return
	}
	t.Fatalf("no lb.passthrough error:\n%s", stderr)
}
