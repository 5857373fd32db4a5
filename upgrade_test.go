package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// parseUpgrade reads every flag, and a --to that is not a version is a
// usage error at the flag.
func TestParseUpgrade(t *testing.T) {
	o, err := parseUpgrade([]string{"--answers", "a.yaml", "--to", "2026.5.10", "--out", "out", "--force", "--ignore", "dns.host"})
	if err != nil || o.Answers != "a.yaml" || o.To.String() != "2026.5.10" || o.Out != "out" || !o.Force || len(o.Ignore) != 1 {
		t.Fatalf("parseUpgrade = %+v, %v", o, err)
	}
	for _, args := range [][]string{
		{"--answers", "a.yaml", "--out", "out"},
		{"--answers", "a.yaml", "--to", "latest", "--out", "out"},
	} {
		if _, err := parseUpgrade(args); err == nil {
			t.Errorf("parseUpgrade(%v) took it", args)
		}
	}
}

// An upgrade writes the runbook and the answers at the new version; the
// answers read keep theirs.
func TestUpgradeWritesRunbookAndAnswers(t *testing.T) {
	answers := writeAnswers(t, validAnswers)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := octoha(t, "upgrade", "--answers", answers, "--to", "2026.5.10", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, f := range []string{"upgrade-preflight.ps1", "upgrade-stop-OCTO1.ps1", "upgrade-stop-OCTO2.ps1", "upgrade-install-OCTO1.ps1", "upgrade-install-OCTO2.ps1", "upgrade-finish.ps1", "UPGRADE.md", "octoha-answers.yaml"} {
		if !strings.Contains(stdout, "wrote "+filepath.Join(out, f)+"\n") {
			t.Errorf("stdout does not list %s:\n%s", f, stdout)
		}
	}
	up, err := steps.Load(filepath.Join(out, "octoha-answers.yaml"))
	if err != nil || up.Answers.Octopus.Version != "2026.5.10" {
		t.Errorf("the written answers name %q (%v), want 2026.5.10", up.Answers.Octopus.Version, err)
	}
	if b, _ := os.ReadFile(answers); string(b) != validAnswers {
		t.Error("the answers file read was changed")
	}
	code, _, stderr = octoha(t, "upgrade", "--answers", answers, "--to", "2026.5.10", "--out", out)
	if code != exitExists {
		t.Errorf("a second upgrade into the same folder: exit %d, stderr %q", code, stderr)
	}
}

// A downgrade and the same version are refused at --to, writing nothing.
func TestUpgradeRefusesDowngradeAndSameVersion(t *testing.T) {
	answers := writeAnswers(t, validAnswers)
	for _, c := range []struct{ to, says string }{
		{"2026.4.6909", "already runs Octopus 2026.4.6909"},
		{"2026.4.6909.0", "already runs Octopus 2026.4.6909"},
		{"2025.4", "2025.4 is older than 2026.4.6909"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := octoha(t, "upgrade", "--answers", answers, "--to", c.to, "--out", out)
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "octoha: --to: ") || !strings.Contains(stderr, c.says) || strings.Contains(stderr, "Usage:") {
			t.Errorf("--to %s: exit %d, stdout %q, stderr %q", c.to, code, stdout, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("--to %s wrote %s", c.to, out)
		}
	}
}

// The version gates are checked at the new version: answers that use
// Redis polling cannot move to a version without it, and the finding is
// at the --to flag's version.
func TestUpgradeChecksGatesAtTheNewVersion(t *testing.T) {
	redis := strings.Replace(validAnswers, "octopus: {version: '2026.4.6909',", "octopus: {version: '2025.4',", 1)
	redis = strings.Replace(redis, "tentacles: {mode: listening}", "tentacles: {mode: polling, polling: redis, redis: {host: redis01.corp.local, ssl: true}}", 1)
	answers := writeAnswers(t, redis)
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := octoha(t, "upgrade", "--answers", answers, "--to", "2026.1", "--out", out)
	if code != exitInvalid || !strings.Contains(stderr, "multi-node polling through Redis needs Octopus 2026.4.6909") {
		t.Errorf("to 2026.1: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused upgrade wrote %s", out)
	}
	code, _, stderr = octoha(t, "upgrade", "--answers", answers, "--to", "2026.4.6909", "--out", out)
	if code != exitOK {
		t.Errorf("to 2026.4.6909: exit %d, stderr:\n%s", code, stderr)
	}
}
