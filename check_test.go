package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/octoha/octoha/validate"
)

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

func TestCheckReportsAndIgnores(t *testing.T) {
	port := closedPort(t)
	body := strings.NewReplacer(
		"sql01.corp.local", "127.0.0.1",
		"octo1.corp.local}", "127.0.0.1, webPort: "+port+"}",
		"octo2.corp.local}", "localhost, webPort: "+port+"}",
		`'\\fs01\Octopus'`, `'\\127.0.0.1\Octopus'`,
		"http://octopus.corp.local", "http://127.0.0.1:"+port,
	).Replace(validAnswers)
	answers := writeAnswers(t, body)

	code, stdout, stderr := octoha(t, "check", "--answers", answers, "--timeout", "2s", "--json")
	if code != 1 {
		t.Fatalf("exit %d with nothing listening; stderr %s", code, stderr)
	}
	var report struct{ Findings validate.Findings }
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	var errorIDs []string
	for _, f := range report.Findings {
		if f.ID == "" || f.Message == "" {
			t.Errorf("finding without ID or message: %+v", f)
		}
		if f.Severity == validate.Error {
			errorIDs = append(errorIDs, f.ID)
		}
	}
	if len(errorIDs) == 0 {
		t.Fatalf("no errors reported: %s", stdout)
	}

	code, stdout, _ = octoha(t, "check", "--answers", answers, "--timeout", "2s", "--ignore", strings.Join(errorIDs, ","))
	if code != 0 {
		t.Errorf("with every error ignored: exit %d\n%s", code, stdout)
	}
	for _, want := range []string{"Nodes\n", "[warning]", "(ignored)", "errors\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
}

func TestCheckUsage(t *testing.T) {
	for _, args := range [][]string{{"check"}, {"check", "--answers", "a.yaml", "--timeout", "0s"}, {"check", "--nope"}} {
		if code, _, _ := octoha(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
