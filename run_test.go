package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
)

// Every kind of error a run returns has its exit code, and what it prints
// goes where the table says.
func TestExitCodes(t *testing.T) {
	cases := []struct {
		name           string
		err            error
		code           int
		stdout, stderr string
	}{
		{"done", nil, exitOK, "", ""},
		{"help", &helpRequest{usage: "Usage: x\n"}, exitOK, "Usage: x\n", ""},
		{"usage", &usageError{msg: "missing --out", usage: "Usage: x\n"}, exitUsage, "", "octoha: missing --out\n\nUsage: x\n"},
		{"reported usage", errReportedUsage, exitUsage, "", ""},
		{"reported", errReported, exitInvalid, "", ""},
		{"invalid answers", invalidAnswers{what: "a.yaml"}, exitInvalid, "", "octoha: a.yaml has errors; nothing was written\n"},
		{"files exist", fmt.Errorf("out/CHECKLIST.md %w", export.ErrExists), exitExists, "",
			"octoha: out/CHECKLIST.md already exists\noctoha: nothing was written; use --force to overwrite\n"},
		{"write failed", &export.WriteError{Dir: "out", Err: errors.New("disk full"), Unchanged: true}, exitInvalid, "", "octoha: disk full; nothing in out was changed\n"},
		{"cannot read", errors.New("cannot read the answers file"), exitInvalid, "", "octoha: cannot read the answers file\n"},
		{"flag refused", &flagRefused{flag: "--to", msg: "the cluster already runs Octopus 1.2"}, exitUsage, "", "octoha: --to: the cluster already runs Octopus 1.2\n"},
	}
	for _, c := range cases {
		s, stdout, stderr := fakeStreams("")
		if code := exitCode(s, c.err); code != c.code || stdout.String() != c.stdout || stderr.String() != c.stderr {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q, %q", c.name, code, stdout, stderr, c.code, c.stdout, c.stderr)
		}
	}
}

// Help is printed once: on stdout for --help, on stderr after the mistake
// for a usage error; and every flag in it has two dashes.
func TestHelpIsPrintedOnceWithDoubleDashFlags(t *testing.T) {
	for _, cmd := range [][]string{{}, {"export"}, {"add-node"}, {"remove-node"}, {"check"}, {"upgrade"}} {
		code, stdout, stderr := octoha(t, append(cmd, "--help")...)
		if code != exitOK || strings.Count(stdout, "Usage:") != 1 || stderr != "" {
			t.Errorf("%v --help: exit %d, stdout %q, stderr %q", cmd, code, stdout, stderr)
		}
		if !strings.Contains(stdout, "  --answers FILE\n") || strings.Contains(stdout, " -answers") {
			t.Errorf("%v --help does not list --answers with two dashes:\n%s", cmd, stdout)
		}
		if !strings.Contains(stdout, "Exit codes:") || !strings.Contains(stdout, "3  files already exist") {
			t.Errorf("%v --help does not give the exit codes:\n%s", cmd, stdout)
		}
		code, stdout, stderr = octoha(t, append(cmd, "--bogus")...)
		if code != exitUsage || stdout != "" || strings.Count(stderr, "Usage:") != 1 ||
			!strings.HasPrefix(stderr, "octoha: flag provided but not defined: --bogus\n") {
			t.Errorf("%v --bogus: exit %d, stdout %q, stderr %q", cmd, code, stdout, stderr)
		}
	}
}

const relativeStorage = `'Octopus\Shared'`

// An error names the --ignore that would let the command go on, and with
// it the command writes, the error reported as an ignored warning.
func TestExportIgnore(t *testing.T) {
	answers := writeAnswers(t, strings.Replace(validAnswers, `'\\fs01\Octopus'`, relativeStorage, 1))
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := octoha(t, "export", "--answers", answers, "--out", out)
	if code != exitInvalid || !strings.Contains(stderr, ":4: error: storage.root") || !strings.Contains(stderr, "(--ignore storage.path writes anyway)") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	code, stdout, stderr := octoha(t, "export", "--answers", answers, "--out", out, "--ignore", "storage.path")
	if code != exitOK || !strings.Contains(stderr, "warning: storage.root: (ignored)") || !strings.Contains(stdout, "wrote ") {
		t.Errorf("with --ignore: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if code, _, stderr := octoha(t, "export", "--answers", answers, "--out", out, "--ignore", "storage.pth"); code != exitUsage || !strings.Contains(stderr, "storage.path") {
		t.Errorf("an unknown ID: exit %d, stderr:\n%s", code, stderr)
	}
}

// noDNS is a resolver that knows no name: the jump box before the new
// node's DNS record exists.
type noDNS struct{}

func (noDNS) LookupHost(ctx context.Context, host string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// add-node writes the change for a host that does not resolve from here
// yet when told to, and its message says how, at the --host flag rather
// than at the file's `nodes:` line.
func TestAddNodeWithAHostThatDoesNotResolveYet(t *testing.T) {
	file, err := steps.Load(writeAnswers(t, validAnswers))
	if err != nil {
		t.Fatal(err)
	}
	o := addNodeOptions{Answers: file.Path, Node: steps.Node{Name: "OCTO3", Host: "octo3.corp.local"},
		Out: filepath.Join(t.TempDir(), "out"), resolver: noDNS{}}
	s, stdout, stderr := fakeStreams("")
	if code := exitCode(s, runAddNode(s, o)); code != exitInvalid || stdout.Len() != 0 ||
		!strings.HasPrefix(stderr.String(), "--host: error: nodes[2].host: the new node's host octo3.corp.local does not resolve") ||
		!strings.Contains(stderr.String(), "(--ignore dns.host writes anyway)") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(o.Out); !os.IsNotExist(err) {
		t.Errorf("the refused change made %s: %v", o.Out, err)
	}

	o.Ignore = []string{"dns.host"}
	s, stdout, stderr = fakeStreams("")
	if code := exitCode(s, runAddNode(s, o)); code != exitOK || !strings.Contains(stdout.String(), "join-node-OCTO3.ps1") ||
		!strings.Contains(stderr.String(), "--host: warning: nodes[2].host: (ignored)") {
		t.Errorf("with --ignore dns.host: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
}

// A clash of the new node's name is placed at --name, an existing node's
// field at its line.
func TestNewNodeLocator(t *testing.T) {
	file, err := steps.Load(writeAnswers(t, validAnswers))
	if err != nil {
		t.Fatal(err)
	}
	where := newNodeLocator(file, 2)
	for field, want := range map[string]string{
		"nodes[2].name": "--name", "nodes[2].commsPort": "--comms-port", "nodes[2]": "--name",
		"nodes[1].name": file.Path + ":8", "storage.root": file.Path + ":4", "": file.Path,
	} {
		if got := where(field); got != want {
			t.Errorf("%q is placed at %q, want %q", field, got, want)
		}
	}
}

// Streams that are no terminal have no colour, and NO_COLOR is read once.
func TestStreams(t *testing.T) {
	reads := 0
	getenv := func(name string) string {
		if name == "NO_COLOR" {
			reads++
		}
		return ""
	}
	s := newStreams(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, getenv)
	if s.InTerminal || s.OutTerminal || s.Color || reads > 1 {
		t.Errorf("streams of buffers: %+v, NO_COLOR read %d times", s, reads)
	}
}

// A terminal takes colour unless NO_COLOR (any value) or TERM=dumb says no.
func TestColorOn(t *testing.T) {
	for _, c := range []struct {
		terminal bool
		env      map[string]string
		want     bool
	}{
		{true, map[string]string{"TERM": "xterm-256color"}, true},
		{true, map[string]string{}, true},
		{false, map[string]string{}, false},
		{true, map[string]string{"NO_COLOR": "1"}, false},
		{true, map[string]string{"NO_COLOR": "0"}, false},
		{true, map[string]string{"TERM": "dumb"}, false},
	} {
		if got := colorOn(c.terminal, func(name string) string { return c.env[name] }); got != c.want {
			t.Errorf("terminal %v, environment %v: colour %v, want %v", c.terminal, c.env, got, c.want)
		}
	}
}

// TERM=dumb picks the line-by-line questions (and no colour), decided
// once with the streams.
func TestStreamsDumbTerminal(t *testing.T) {
	getenv := func(name string) string {
		if name == "TERM" {
			return "dumb"
		}
		return ""
	}
	s := newStreams(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, getenv)
	if !s.Dumb || s.Color {
		t.Errorf("TERM=dumb: %+v", s)
	}
}
