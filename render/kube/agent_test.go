package kube

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/octoha/octoha/steps"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func loadExample(t *testing.T, name string) steps.Answers {
	t.Helper()
	f, err := steps.Load(filepath.Join("..", "..", "examples", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return f.Answers
}

// wantAddresses is what each example's agents must poll, worked out by hand
// from the example: each node at its host and comms port (listening and
// unique-address), the polling address at each node's forwarded port
// (unique-port), or the one polling address (Redis).
var wantAddresses = map[string]struct {
	list   []string
	single string
}{
	"2-node-listening-nginx":                 {list: []string{"https://octo1.corp.local:10943/", "https://octo2.corp.local:10943/"}},
	"2-node-listening-nginx-sql-auth":        {list: []string{"https://octo1.corp.local:10943/", "https://octo2.corp.local:10943/"}},
	"2-node-polling-unique-address-external": {list: []string{"https://octo1.corp.local:10943/", "https://octo2.corp.local:10943/"}},
	"3-node-listening-iis-arr":               {list: []string{"https://octo1.corp.local:10943/", "https://octo2.corp.local:10943/", "https://octo3.corp.local:10943/"}},
	"3-node-polling-unique-address-haproxy":  {list: []string{"https://octo1.corp.local:10943/", "https://octo2.corp.local:10943/", "https://octo3.corp.local:10943/"}},
	"4-node-polling-unique-port-nginx": {list: []string{"https://octopus-poll.corp.local:10943/", "https://octopus-poll.corp.local:10944/",
		"https://octopus-poll.corp.local:10945/", "https://octopus-poll.corp.local:10946/"}},
	"3-node-polling-redis-haproxy": {single: "https://octopus-poll.corp.local:10943/"},
}

// TestValuesNameExactlyTheNodes parses every example's values file as
// YAML, as Helm would, and holds the chart's value names and the addresses.
func TestValuesNameExactlyTheNodes(t *testing.T) {
	for name, want := range wantAddresses {
		got, err := AgentValues(loadExample(t, name))
		if err != nil {
			t.Fatal(err)
		}
		var values struct {
			Agent struct {
				ServerCommsAddress   *string  `yaml:"serverCommsAddress"`
				ServerCommsAddresses []string `yaml:"serverCommsAddresses"`
			} `yaml:"agent"`
		}
		if err := yaml.UnmarshalWithOptions(got, &values, yaml.DisallowUnknownField()); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, got)
		}
		if want.single != "" {
			if values.Agent.ServerCommsAddress == nil || *values.Agent.ServerCommsAddress != want.single || len(values.Agent.ServerCommsAddresses) != 0 {
				t.Errorf("%s: serverCommsAddress %v, serverCommsAddresses %v; want only %s", name, values.Agent.ServerCommsAddress, values.Agent.ServerCommsAddresses, want.single)
			}
			continue
		}
		if values.Agent.ServerCommsAddress != nil || !reflect.DeepEqual(values.Agent.ServerCommsAddresses, want.list) {
			t.Errorf("%s: serverCommsAddress %v, serverCommsAddresses %v; want the list %v", name, values.Agent.ServerCommsAddress, values.Agent.ServerCommsAddresses, want.list)
		}
	}
}

func TestHostileHostStaysOneAddress(t *testing.T) {
	a := loadExample(t, "3-node-polling-unique-address-haproxy")
	a.Nodes[1].Host = "x\n  serverCommsAddress: evil # ' \" : - [a]"
	got, err := AgentValues(a)
	if err != nil {
		t.Fatal(err)
	}
	var values struct {
		Agent map[string]any `yaml:"agent"`
	}
	if err := yaml.Unmarshal(got, &values); err != nil {
		t.Fatal(err)
	}
	if len(values.Agent) != 1 || !reflect.DeepEqual(values.Agent["serverCommsAddresses"], []any{CommsAddresses(a)[0], CommsAddresses(a)[1], CommsAddresses(a)[2]}) {
		t.Errorf("values %v from\n%s", values.Agent, got)
	}
}

func TestGrownAndShrunkValuesFollowTheNodes(t *testing.T) {
	a := loadExample(t, "4-node-polling-unique-port-nginx")
	grown, err := a.AddNode(steps.Node{Name: "OCTO5", Host: "octo5.corp.local"})
	if err != nil {
		t.Fatal(err)
	}
	if got := CommsAddresses(grown); got[len(got)-1] != "https://octopus-poll.corp.local:10947/" || len(got) != 5 {
		t.Errorf("after add-node: %v", got)
	}
	shrunk, _, err := a.RemoveNode("OCTO2")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://octopus-poll.corp.local:10943/", "https://octopus-poll.corp.local:10945/", "https://octopus-poll.corp.local:10946/"}
	if got := CommsAddresses(shrunk); !reflect.DeepEqual(got, want) {
		t.Errorf("after remove-node: %v, want %v (each node keeps its port)", got, want)
	}
}

func TestGoldenFiles(t *testing.T) {
	script, _ := UpdateAgents()
	golden(t, filepath.Join("testdata", "update-agents.sh"), script)
	for name := range wantAddresses {
		got, err := AgentValues(loadExample(t, name))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", name+".yaml"), got)
	}
}

func TestUpdateScriptTakesItsThreeArguments(t *testing.T) {
	script, _ := UpdateAgents()
	for _, want := range []string{`--namespace "$2" "$1"`, `--version "$3"`, `--values "$values"`, chart, `[ "$#" -ne 3 ]`} {
		if !bytes.Contains(script, []byte(want)) {
			t.Errorf("update-agents.sh lacks %s", want)
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file; go test ./render/kube -update rewrites it, then read the diff:\n%s", path, strings.TrimSpace(string(got)))
	}
}
