package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate/live"
)

// parseCase is one command line: the options it parses into, or the usage
// error it is, by a piece of its message.
type parseCase[O any] struct {
	args  []string
	want  O
	usage string
}

// checkParse runs a parse table: argv in, options or a usage error out.
func checkParse[O any](t *testing.T, parse func([]string) (O, error), cases []parseCase[O]) {
	t.Helper()
	for _, c := range cases {
		got, err := parse(c.args)
		var usage *usageError
		switch {
		case c.usage != "":
			if !errors.As(err, &usage) || !strings.Contains(usage.msg, c.usage) {
				t.Errorf("%q: %v, want a usage error saying %q", c.args, err, c.usage)
			}
		case err != nil:
			t.Errorf("%q: %v", c.args, err)
		case !reflect.DeepEqual(got, c.want):
			t.Errorf("%q:\n got %+v\nwant %+v", c.args, got, c.want)
		}
	}
}

func TestParseExport(t *testing.T) {
	checkParse(t, parseExport, []parseCase[exportOptions]{
		{args: []string{"--answers", "a.yaml", "--out", "d"}, want: exportOptions{Answers: "a.yaml", Out: "d"}},
		{args: []string{"--answers=a.yaml", "--out", "d", "--force", "--ignore", "dns.host, nodes.name", "--ignore", "db.reach"},
			want: exportOptions{Answers: "a.yaml", Out: "d", Force: true, Ignore: []string{"dns.host", "nodes.name", "db.reach"}}},
		{args: nil, usage: "missing --answers and --out"},
		{args: []string{"--answers", "a.yaml"}, usage: "missing --out"},
		{args: []string{"--out", "d"}, usage: "missing --answers"},
		{args: []string{"--answers", "a.yaml", "--out", "d", "extra"}, usage: `unexpected argument "extra"`},
		{args: []string{"--bogus"}, usage: "flag provided but not defined: --bogus"},
		{args: []string{"--answers"}, usage: "flag needs an argument: --answers"},
		{args: []string{"--answers", "a.yaml", "--out", "d", "--ignore", "dns.hots"}, usage: `invalid value "dns.hots" for flag --ignore: no check reports the ID "dns.hots"; the IDs that begin the same are dns.host`},
		{args: []string{"--answers", "a.yaml", "--out", "d", "--ignore", "nope"}, usage: "octoha check --json lists them"},
	})
}

func TestParseAddNode(t *testing.T) {
	full := []string{"--answers", "a.yaml", "--name", "OCTO4", "--host", "octo4.corp.local", "--out", "d"}
	checkParse(t, parseAddNode, []parseCase[addNodeOptions]{
		{args: full, want: addNodeOptions{Answers: "a.yaml", Node: steps.Node{Name: "OCTO4", Host: "octo4.corp.local"}, Out: "d"}},
		{args: append(full, "--web-port", "8080", "--comms-port", "10950", "--ignore", "dns.host"),
			want: addNodeOptions{Answers: "a.yaml", Node: steps.Node{Name: "OCTO4", Host: "octo4.corp.local", WebPort: 8080, CommsPort: 10950}, Out: "d", Ignore: []string{"dns.host"}}},
		{args: []string{"--answers", "a.yaml", "--name", "N", "--out", "d"}, usage: "missing --host"},
		{args: []string{"--answers", "a.yaml", "--out", "d"}, usage: "missing --name and --host"},
		{args: append(full, "--web-port", "x"), usage: `invalid value "x" for flag --web-port`},
	})
}

func TestParseRemoveNode(t *testing.T) {
	checkParse(t, parseRemoveNode, []parseCase[removeNodeOptions]{
		{args: []string{"--answers", "a.yaml", "--name", "OCTO2", "--out", "d", "--force"}, want: removeNodeOptions{Answers: "a.yaml", Name: "OCTO2", Out: "d", Force: true}},
		{args: []string{"--answers", "a.yaml", "--out", "d"}, usage: "missing --name"},
		{args: []string{"--answers", "a.yaml", "--name", "N", "--out", "d", "--ignore", "nodes.nmae"}, usage: "nodes.name"},
	})
}

func TestParseCheck(t *testing.T) {
	checkParse(t, parseCheck, []parseCase[checkOptions]{
		{args: []string{"--answers", "a.yaml"}, want: checkOptions{Answers: "a.yaml", Timeout: live.DefaultTimeout, StaleAfter: time.Hour}},
		{args: []string{"--answers", "a.yaml", "--timeout", "2s", "--json", "--ignore", "db.reach,tcp.web"},
			want: checkOptions{Answers: "a.yaml", Timeout: 2 * time.Second, JSON: true, Ignore: []string{"db.reach", "tcp.web"}, StaleAfter: time.Hour}},
		{args: []string{"--answers", "a.yaml", "--stale-after", "30m", "--node-limit", "3"},
			want: checkOptions{Answers: "a.yaml", Timeout: live.DefaultTimeout, StaleAfter: 30 * time.Minute, NodeLimit: 3}},
		{args: []string{"--answers", "a.yaml", "--stale-after", "0s"}, usage: "--stale-after 0s is not a time"},
		{args: []string{"--answers", "a.yaml", "--node-limit", "-1"}, usage: "--node-limit -1 is not a number of nodes"},
		{args: nil, usage: "missing --answers"},
		{args: []string{"--answers", "a.yaml", "--timeout", "0s"}, usage: "--timeout 0s is not a time to wait"},
		// A misspelt finding ID is refused instead of silently ignoring nothing.
		{args: []string{"--answers", "a.yaml", "--ignore", "dns.hots"}, usage: `"dns.hots"`},
	})
}

func TestParseWizard(t *testing.T) {
	checkParse(t, parseWizard, []parseCase[wizardOptions]{
		{args: nil, want: wizardOptions{}},
		{args: []string{"--answers", "a.yaml", "--plain", "--no-color"}, want: wizardOptions{Answers: "a.yaml", Plain: true, NoColor: true}},
		{args: []string{"--version"}, want: wizardOptions{Version: true}},
		{args: []string{"frobnicate"}, usage: `unknown command "frobnicate"`},
		{args: []string{"--bogus"}, usage: "--bogus"},
	})
}

// -h and --help are a request for the usage, not a usage error.
func TestParseHelp(t *testing.T) {
	parsers := map[string]func([]string) error{
		"export":      func(a []string) error { _, err := parseExport(a); return err },
		"add-node":    func(a []string) error { _, err := parseAddNode(a); return err },
		"remove-node": func(a []string) error { _, err := parseRemoveNode(a); return err },
		"check":       func(a []string) error { _, err := parseCheck(a); return err },
		"wizard":      func(a []string) error { _, err := parseWizard(a); return err },
	}
	for name, parse := range parsers {
		for _, flag := range []string{"-h", "--help"} {
			var help *helpRequest
			if err := parse([]string{flag}); !errors.As(err, &help) || !strings.HasPrefix(help.usage, "Usage: octoha") {
				t.Errorf("%s %s: %v", name, flag, err)
			}
		}
	}
}
