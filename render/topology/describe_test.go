package topology

import (
	"reflect"
	"testing"

	"github.com/octoha/octoha/steps"
)

func threeNodes() steps.Answers {
	a := steps.Defaults()
	a.LoadBalancer.PublicURL = "https://octopus.corp.local"
	a.Tentacles.PollingAddress = "poll.corp.local"
	a.Nodes = []steps.Node{{Name: "A", Host: "a.corp"}, {Name: "B", Host: "b.corp"}, {Name: "C", Host: "c.corp", CommsPort: 10950}}
	return a
}

// TestDescribeRoutes holds how tentacles reach the nodes in each mode.
func TestDescribeRoutes(t *testing.T) {
	for _, c := range []struct {
		polling string
		want    []Route
	}{
		{"", []Route{{NodeDials: true, Port: 10933}}},
		{steps.PollingUniqueAddress, []Route{{Address: "a.corp", Port: 10943, Node: "A"}, {Address: "b.corp", Port: 10943, Node: "B"}, {Address: "c.corp", Port: 10950, Node: "C"}}},
		{steps.PollingUniquePort, []Route{
			{Address: "poll.corp.local", Port: 10943, ViaBalancer: true, Node: "A"},
			{Address: "poll.corp.local", Port: 10944, ViaBalancer: true, Node: "B"},
			{Address: "poll.corp.local", Port: 10950, ViaBalancer: true, Node: "C"}}},
		{steps.PollingRedis, []Route{{Address: "poll.corp.local", Port: 10943, ViaBalancer: true}}},
	} {
		a := threeNodes()
		if c.polling != "" {
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, c.polling
		}
		got := Describe(a)
		if !reflect.DeepEqual(got.Tentacles.Routes, c.want) {
			t.Errorf("%q: routes %+v, want %+v", c.polling, got.Tentacles.Routes, c.want)
		}
		if (got.Redis != nil) != (c.polling == steps.PollingRedis) {
			t.Errorf("%q: Redis %+v", c.polling, got.Redis)
		}
	}
}

// TestDescribeBalancerPorts: web, the https redirect, and the passthrough
// ports the polling modes need.
func TestDescribeBalancerPorts(t *testing.T) {
	a := threeNodes()
	a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingUniquePort
	var got []int
	for _, p := range Describe(a).Balancer.Ports {
		got = append(got, p.Number)
	}
	if want := []int{443, 80, 10943, 10944, 10950}; !reflect.DeepEqual(got, want) {
		t.Errorf("unique-port balancer ports %v, want %v", got, want)
	}
	a.LoadBalancer.PublicURL = "http://octopus.corp.local:8080"
	a.Tentacles.Polling = steps.PollingRedis
	got = nil
	for _, p := range Describe(a).Balancer.Ports {
		got = append(got, p.Number)
	}
	if want := []int{8080, 10943}; !reflect.DeepEqual(got, want) {
		t.Errorf("redis balancer on http ports %v, want %v", got, want)
	}
}

// TestDescribeDatabase: multiSubnetFailover is how the answers say the
// server is an AlwaysOn listener; a named instance has no fixed port.
func TestDescribeDatabase(t *testing.T) {
	a := threeNodes()
	a.Database.Server = `sql01\OCTO`
	if d := Describe(a).Database; d.Kind != SQLServerName || d.Port != 0 {
		t.Errorf("named instance: %+v", d)
	}
	a.Database.Server, a.Database.MultiSubnetFailover = "ag-listener", true
	if d := Describe(a).Database; d.Kind != SQLListener || d.Port != 1433 {
		t.Errorf("listener: %+v", d)
	}
}

// TestDrawUnfinishedAnswers: the wizard's Review may draw answers with no
// nodes and no public URL yet.
func TestDrawUnfinishedAnswers(t *testing.T) {
	c := Describe(steps.Defaults())
	for _, w := range []int{0, MinWidth, 80} {
		if Draw(c, w) == "" {
			t.Errorf("width %d: nothing drawn", w)
		}
	}
	if got := Mermaid(c); len(got) < len("flowchart TD\n") {
		t.Errorf("Mermaid: %q", got)
	}
}
