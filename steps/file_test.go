package steps

import (
	"strings"
	"testing"
)

func TestParseReportsLineAndPlainSentence(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown field", "version: 1\noctopus:\n  webPrt: 80\n", []string{"a.yaml:3:3:", `unknown field "webPrt"`}},
		{"wrong type", "version: 1\noctopus:\n  webPort: eighty\n", []string{"a.yaml:3:12:", `webPort must be a whole number, not "eighty"`}},
		{"wrong bool", "version: 1\ndatabase:\n  encrypt: maybe\n", []string{"a.yaml:3:", "encrypt must be true or false"}},
		{"nodes not a list", "version: 1\nnodes: {name: A}\n", []string{"a.yaml:2:"}},
		{"bad yaml", "version: 1\nnodes: [\n", []string{"a.yaml:2:"}},
		{"other version", "version: 2\n", []string{"a.yaml:1:", "version 2", "reads version 1"}},
		{"no version", "octopus:\n  instance: X\n", []string{"version is missing"}},
		{"empty", "  \n", []string{"a.yaml:", "empty"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("a.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseFillsDefaultsButKeepsAnswers(t *testing.T) {
	f, err := Parse("a.yaml", []byte("version: 1\noctopus:\n  version: 2025.10\n  webPort: 8080\nnodes:\n  - {name: A, host: a}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := f.Answers
	if a.Octopus.Version != "2025.10" {
		t.Errorf("unquoted version became %q; want the text 2025.10, not the float 2025.1", a.Octopus.Version)
	}
	if a.Octopus.WebPort != 8080 || a.Octopus.CommsPort != 10943 || a.Octopus.Instance != "OctopusServer" {
		t.Errorf("defaults not filled around given values: %+v", a.Octopus)
	}
	if !a.Database.Encrypt || !a.Database.Create || !a.Tentacles.Redis.SSL || a.Database.Port != 0 {
		t.Errorf("true defaults lost where the file is silent: %+v %+v", a.Database, a.Tentacles.Redis)
	}
	if a.Database.Name != "Octopus" || a.LoadBalancer.HealthCheck != "/api/octopusservernodes/ping" || a.Tentacles.BasePort != 10943 {
		t.Errorf("defaults missing: %+v %+v", a.Database, a.LoadBalancer)
	}
	if a.NodeWebPort(0) != 8080 {
		t.Errorf("node web port = %d, want octopus.webPort 8080", a.NodeWebPort(0))
	}
}

func TestExplicitFalseStaysFalse(t *testing.T) {
	f, err := Parse("a.yaml", []byte("version: 1\ndatabase: {encrypt: false, create: false}\ntentacles: {redis: {ssl: false}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Answers.Database.Encrypt || f.Answers.Database.Create || f.Answers.Tentacles.Redis.SSL {
		t.Errorf("an explicit false became true: %+v %+v", f.Answers.Database, f.Answers.Tentacles.Redis)
	}
}

func TestLineFindsFieldOrNearestParent(t *testing.T) {
	src := "version: 1\nnodes:\n  - name: A\n    host: a\n  - name: B\n    host: b\ntentacles:\n  mode: polling\n"
	f, err := Parse("a.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]int{
		"nodes[1].name":        5,
		"nodes[1].host":        6,
		"nodes[1].commsPort":   5, // absent: its node
		"tentacles.mode":       8,
		"tentacles.redis.host": 7, // absent: tentacles
		"storage.root":         0, // nothing of it in the file
	} {
		if got := f.Line(field); got != want {
			t.Errorf("Line(%q) = %d, want %d", field, got, want)
		}
	}
}

// The answers type has no field a secret could be saved in.
func TestAnswersHaveNoSecretFields(t *testing.T) {
	data, err := Marshal(Defaults())
	if err != nil {
		t.Fatal(err)
	}
	var keys strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		if k, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			keys.WriteString(strings.ToLower(k) + "\n")
		}
	}
	for _, word := range []string{"password", "masterkey", "apikey", "license", "licence", "secret", "token"} {
		if strings.Contains(keys.String(), word) {
			t.Errorf("answers file has a field named like a secret (%q):\n%s", word, data)
		}
	}
}

func TestCommsPortsFollowPollingMode(t *testing.T) {
	a := Defaults()
	a.Nodes = []Node{{Name: "A"}, {Name: "B"}, {Name: "C"}, {Name: "D", CommsPort: 20000}}
	a.Tentacles.Mode, a.Tentacles.Polling, a.Tentacles.BasePort = ModePolling, PollingUniquePort, 11000
	for i, want := range []int{11000, 11001, 11002, 20000} {
		if got := a.NodeCommsPort(i); got != want {
			t.Errorf("unique-port node %d: comms port %d, want %d", i, got, want)
		}
	}
	if got := a.ExpectedCommsPort(3); got != 11003 {
		t.Errorf("expected comms port for node 4 = %d, want 11003", got)
	}
	a.Tentacles.Polling = PollingUniqueAddress
	if got := a.NodeCommsPort(2); got != 10943 {
		t.Errorf("unique-address comms port %d, want octopus.commsPort 10943", got)
	}
	a.Tentacles.Mode = ModeListening
	a.Tentacles.Polling = PollingUniquePort // ignored when listening
	if got := a.NodeCommsPort(1); got != 10943 {
		t.Errorf("listening comms port %d, want 10943", got)
	}
}

func TestPollingAddressDefaultsToPublicHost(t *testing.T) {
	a := Defaults()
	a.LoadBalancer.PublicURL = "https://octopus.corp.local:8443"
	if got := a.PollingAddress(); got != "octopus.corp.local" {
		t.Errorf("polling address %q, want the public URL's host", got)
	}
	if a.PublicPort() != 8443 || !a.PublicTLS() {
		t.Errorf("public port %d tls %v", a.PublicPort(), a.PublicTLS())
	}
	a.Tentacles.PollingAddress = "poll.corp.local"
	if got := a.PollingAddress(); got != "poll.corp.local" {
		t.Errorf("polling address %q, want the explicit one", got)
	}
}

func TestSharedFoldersFallUnderRoot(t *testing.T) {
	a := Defaults()
	a.Storage.Root = `\\fs01\Octopus\`
	a.Storage.TaskLogs = `\\fs02\Logs`
	got := map[string]string{}
	for _, f := range a.SharedFolders() {
		got[f.Flag] = f.Effective
	}
	if got["--artifacts"] != `\\fs01\Octopus\Artifacts` || got["--taskLogs"] != `\\fs02\Logs` || got["--nugetRepository"] != `\\fs01\Octopus\Packages` {
		t.Errorf("shared folders: %v", got)
	}
}
