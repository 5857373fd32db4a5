package steps

import (
	"fmt"
	"strings"
	"testing"
)

func uniquePortCluster(n int) Answers {
	a := Defaults()
	a.Tentacles.Mode, a.Tentacles.Polling, a.Tentacles.BasePort = ModePolling, PollingUniquePort, 10943
	for i := range n {
		a.Nodes = append(a.Nodes, Node{Name: fmt.Sprintf("OCTO%d", i+1), Host: fmt.Sprintf("octo%d.corp", i+1)})
	}
	return a
}

func commsPorts(a Answers) []int {
	var ports []int
	for i := range a.Nodes {
		ports = append(ports, a.NodeCommsPort(i))
	}
	return ports
}

func TestAddNodeTakesTheNextForwardedPort(t *testing.T) {
	a := uniquePortCluster(4)
	grown, err := a.AddNode(Node{Name: "OCTO5", Host: "octo5.corp"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(commsPorts(grown)); got != "[10943 10944 10945 10946 10947]" {
		t.Errorf("ports %s", got)
	}
	if grown.Nodes[4].CommsPort != 0 {
		t.Errorf("the derived port was written out: %d", grown.Nodes[4].CommsPort)
	}
	if len(a.Nodes) != 4 {
		t.Errorf("AddNode changed the answers it was called on: %d nodes", len(a.Nodes))
	}
}

// After a removal the next node gets the port after the highest, not the
// freed one and not basePort+N (which a survivor holds).
func TestAddNodeAfterARemovalSkipsFreedPorts(t *testing.T) {
	a := uniquePortCluster(4)
	shrunk, at, err := a.RemoveNode("octo2") // names are case-insensitive
	if err != nil || at != 1 {
		t.Fatalf("RemoveNode: %d, %v", at, err)
	}
	if got := fmt.Sprint(commsPorts(shrunk)); got != "[10943 10945 10946]" {
		t.Fatalf("survivors' ports %s; no port may move", got)
	}
	for _, n := range shrunk.Nodes {
		if n.CommsPort == 0 {
			t.Errorf("%s's port is not written out", n.Name)
		}
	}
	grown, err := shrunk.AddNode(Node{Name: "OCTO5", Host: "octo5.corp"})
	if err != nil {
		t.Fatal(err)
	}
	if got := grown.Nodes[3].CommsPort; got != 10947 {
		t.Errorf("the new node got port %d, want 10947 written out", got)
	}
	if a.Nodes[1].Name != "OCTO2" || a.Nodes[2].CommsPort != 0 {
		t.Errorf("RemoveNode changed the answers it was called on: %+v", a.Nodes)
	}
}

func TestRemoveFirstNodeKeepsPorts(t *testing.T) {
	a := uniquePortCluster(3)
	shrunk, at, err := a.RemoveNode("OCTO1")
	if err != nil || at != 0 {
		t.Fatalf("%d %v", at, err)
	}
	if got := fmt.Sprint(commsPorts(shrunk)); got != "[10944 10945]" {
		t.Errorf("ports %s", got)
	}
}

func TestOtherModesKeepDerivedPorts(t *testing.T) {
	for _, mode := range []string{PollingUniqueAddress, PollingRedis, ""} {
		a := uniquePortCluster(3)
		if mode == "" {
			a.Tentacles.Mode = ModeListening
		} else {
			a.Tentacles.Polling = mode
		}
		a.Octopus.CommsPort = 10999
		shrunk, _, err := a.RemoveNode("OCTO2")
		if err != nil {
			t.Fatal(err)
		}
		grown, err := shrunk.AddNode(Node{Name: "OCTO4", Host: "octo4.corp"})
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range grown.Nodes {
			if n.CommsPort != 0 || grown.NodeCommsPort(i) != 10999 {
				t.Errorf("%q: %s port %d (explicit %d), want octopus.commsPort", mode, n.Name, grown.NodeCommsPort(i), n.CommsPort)
			}
		}
	}
}

func TestRemoveNodeErrors(t *testing.T) {
	a := uniquePortCluster(2)
	if _, _, err := a.RemoveNode("OCTO9"); err == nil || !strings.Contains(err.Error(), "OCTO1, OCTO2") {
		t.Errorf("unknown node: %v", err)
	}
	one := uniquePortCluster(1)
	if _, _, err := one.RemoveNode("OCTO1"); err == nil || !strings.Contains(err.Error(), "only node") {
		t.Errorf("last node: %v", err)
	}
	if _, err := uniquePortCluster(0).AddNode(Node{Name: "A", Host: "a"}); err == nil {
		t.Error("AddNode to a cluster with no nodes succeeded")
	}
}
