package kube

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

func loadExample(t *testing.T, name string) steps.Answers {
	t.Helper()
	return testkit.Example(t, name)
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
	testkit.Golden(t, filepath.Join("testdata", "update-agents.sh"), script)
	for name := range wantAddresses {
		got, err := AgentValues(loadExample(t, name))
		if err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, filepath.Join("testdata", name+".yaml"), got)
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
