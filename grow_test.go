package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// uniquePortAnswers is validAnswers with unique-port polling.
var uniquePortAnswers = strings.Replace(validAnswers, "tentacles: {mode: listening}",
	"tentacles: {mode: polling, polling: unique-port, basePort: 10943, pollingAddress: poll.corp.local}", 1)

func TestAddNodeThenRemoveNode(t *testing.T) {
	out := filepath.Join(t.TempDir(), "grow")
	// localhost resolves everywhere without a DNS server.
	code, stdout, stderr := octoha(t, "add-node", "--answers", writeAnswers(t, uniquePortAnswers), "--name", "OCTO3", "--host", "localhost", "--out", out)
	if code != 0 {
		t.Fatalf("add-node: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"join-node-OCTO3.ps1", "haproxy/haproxy.cfg", "update-polling-tentacles.ps1", "register-tentacle.ps1", "CHECKLIST.md", "octoha-answers.yaml"} {
		p := filepath.Join(out, filepath.FromSlash(f))
		if info, err := os.Stat(p); err != nil || info.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
		if !strings.Contains(stdout, "wrote "+p) {
			t.Errorf("output does not list %s", p)
		}
	}
	answers := filepath.Join(out, "octoha-answers.yaml")
	if info, _ := os.Stat(answers); info == nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the answers file is not mode 0600: %v", info)
	}
	grown, err := steps.Load(answers)
	if err != nil || len(grown.Answers.Nodes) != 3 || grown.Answers.NodeCommsPort(2) != 10945 {
		t.Fatalf("grown answers: %v %+v", err, grown)
	}

	// Again without --force: refused, nothing changes.
	before := snapshot(t, out)
	code, _, stderr = octoha(t, "add-node", "--answers", writeAnswers(t, uniquePortAnswers), "--name", "OCTO3", "--host", "localhost", "--out", out)
	if code != exitExists || !strings.Contains(stderr, "already exists") || snapshot(t, out) != before {
		t.Errorf("a second add-node without --force: exit %d, %s", code, stderr)
	}

	// Remove the first node from the grown file: the others keep their ports.
	out2 := filepath.Join(t.TempDir(), "shrink")
	code, _, stderr = octoha(t, "remove-node", "--answers", answers, "--name", "OCTO1", "--out", out2)
	if code != 0 {
		t.Fatalf("remove-node: exit %d: %s", code, stderr)
	}
	shrunk, err := steps.Load(filepath.Join(out2, "octoha-answers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := shrunk.Answers
	if len(a.Nodes) != 2 || a.Nodes[0].Name != "OCTO2" || a.NodeCommsPort(0) != 10944 || a.NodeCommsPort(1) != 10945 {
		t.Errorf("after removing OCTO1: %+v", a.Nodes)
	}
	if _, err := os.Stat(filepath.Join(out2, "drain-node-OCTO1.ps1")); err != nil {
		t.Error(err)
	}

	// Grow the shrunk cluster again: the new node gets the port after the
	// highest, and the kept ports still validate.
	out3 := filepath.Join(t.TempDir(), "regrow")
	code, _, stderr = octoha(t, "add-node", "--answers", filepath.Join(out2, "octoha-answers.yaml"), "--name", "OCTO4", "--host", "127.0.0.1", "--out", out3)
	if code != 0 {
		t.Fatalf("add-node after remove-node: exit %d: %s", code, stderr)
	}
	regrown, err := steps.Load(filepath.Join(out3, "octoha-answers.yaml"))
	if err != nil || regrown.Answers.NodeCommsPort(2) != 10946 {
		t.Errorf("the node added after a removal: %v %+v", err, regrown.Answers.Nodes)
	}
}

// Each mistake: a clear message, exit 1, and no folder.
func TestChangeErrorsWriteNothing(t *testing.T) {
	cases := []struct {
		name string
		body string
		args []string
		says []string
	}{
		{"name clash", validAnswers, []string{"add-node", "--name", "octo2", "--host", "localhost"}, []string{"nodes[2].name", "already used by node 2"}},
		{"port clash unique-address", strings.Replace(validAnswers, "{mode: listening}", "{mode: polling, polling: unique-address}", 1),
			[]string{"add-node", "--name", "OCTO3", "--host", "localhost", "--comms-port", "10950"}, []string{"nodes[2].commsPort", "octopus.commsPort = 10943"}},
		{"port clash unique-port", uniquePortAnswers, []string{"add-node", "--name", "OCTO3", "--host", "localhost", "--comms-port", "10944"},
			[]string{"nodes[2].commsPort", "basePort+2 = 10945"}},
		{"host does not resolve", validAnswers, []string{"add-node", "--name", "OCTO3", "--host", "octo3.example.invalid"}, []string{"nodes[2].host", "octo3.example.invalid does not resolve"}},
		{"another file version", strings.Replace(validAnswers, "version: 1", "version: 7", 1), []string{"add-node", "--name", "OCTO3", "--host", "localhost"}, []string{":1:", "version 7"}},
		{"remove unknown node", validAnswers, []string{"remove-node", "--name", "OCTO7"}, []string{`no node called "OCTO7"`, "OCTO1, OCTO2", "nothing was written"}},
		{"remove the last node", strings.Replace(validAnswers, "  - {name: OCTO2, host: octo2.corp.local}\n", "", 1), []string{"remove-node", "--name", "OCTO1"}, []string{"only node"}},
		{"remove from another file version", strings.Replace(validAnswers, "version: 1", "version: 7", 1), []string{"remove-node", "--name", "OCTO2"}, []string{"version 7"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append(c.args, "--answers", writeAnswers(t, c.body), "--out", out)
			code, stdout, stderr := octoha(t, args...)
			wantRefused(t, code, stdout, stderr, out, c.says)
		})
	}
}

func TestChangeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"add-node"},
		{"add-node", "--answers", "a.yaml", "--name", "N", "--out", "d"},
		{"add-node", "--answers", "a.yaml", "--host", "h", "--out", "d"},
		{"add-node", "--answers", "a.yaml", "--name", "N", "--host", "h"},
		{"add-node", "--web-port", "x"},
		{"remove-node", "--answers", "a.yaml", "--out", "d"},
		{"remove-node", "--answers", "a.yaml", "--name", "N", "--out", "d", "extra"},
	} {
		if code, _, _ := octoha(t, args...); code != 2 {
			t.Errorf("octoha %v: exit %d, want 2", args, code)
		}
	}
	for _, cmd := range []string{"add-node", "remove-node"} {
		if code, stdout, _ := octoha(t, cmd, "--help"); code != 0 || !strings.Contains(stdout, "octoha "+cmd+" --answers FILE") {
			t.Errorf("%s --help: exit %d %q", cmd, code, stdout)
		}
		if _, stdout, _ := octoha(t, "--help"); !strings.Contains(stdout, "octoha "+cmd) {
			t.Errorf("the usage does not list %s", cmd)
		}
	}
}
