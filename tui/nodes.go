package tui

import (
	"fmt"
	"strconv"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

var nodesStep = step{
	name:   "Nodes",
	title:  "Octopus Server nodes",
	intro:  "One row per node; ctrl+n adds one, counting on from the last host, ctrl+x removes one. Empty names and ports are derived.",
	owns:   []string{"nodes"},
	fields: nodeFields,
	grid:   true,
	empty:  "No nodes yet. Press ctrl+n to add one.",
	plain:  "A name, a host and ports for each node. Empty ports are derived.",
}

// nodeFields is one row per node: name, host, web port, comms port. An
// empty port shows the value the node will get (Answers.NodeWebPort,
// Answers.NodeCommsPort), so the admin sees unique-port numbering at once.
func nodeFields(a *steps.Answers) [][]field {
	rows := make([][]field, len(a.Nodes))
	for i := range a.Nodes {
		node := func(a *steps.Answers) *steps.Node { return &a.Nodes[i] }
		p, n := steps.NodeField(i), "Node "+strconv.Itoa(i+1) // not fmt: the live checks rebuild every row on each keystroke
		name := form.Text(p.Name, n+" name", func(a *steps.Answers) *string { return &node(a).Name }).
			WithExplain(func(*steps.Answers) string {
				return "The node's name in Octopus (create-instance --serverNodeName); usually the machine name. Each node needs its own. Left empty, it is the host's first label in capitals."
			})
		host := form.Text(p.Host, n+" host", func(a *steps.Answers) *string { return &node(a).Host }).
			WithExplain(func(*steps.Answers) string {
				return "The name or address the load balancer (and, for unique-address polling, every tentacle) reaches this node at."
			})
		web := form.Number(p.WebPort, n+" web port", func(a *steps.Answers) *int { return &node(a).WebPort }).
			WithDerived(func(a *steps.Answers) string { return strconv.Itoa(a.NodeWebPort(i)) }).
			WithExplain(func(a *steps.Answers) string {
				return fmt.Sprintf("This node's HTTP port, which the balancer forwards to. Empty uses octopus.webPort (%d).", a.Octopus.WebPort)
			})
		comms := form.Number(p.CommsPort, n+" comms port", func(a *steps.Answers) *int { return &node(a).CommsPort }).
			WithDerived(func(a *steps.Answers) string { return strconv.Itoa(a.NodeCommsPort(i)) }).
			WithExplain(commsPortExplain(i))
		rows[i] = []field{name.WithColumn("Name", 14), host.WithColumn("Host", 26), web.WithColumn("Web", 6), comms.WithColumn("Comms", 6)}
	}
	return rows
}

func commsPortExplain(i int) func(a *steps.Answers) string {
	return func(a *steps.Answers) string {
		if a.PollingMode() == steps.PollingUniquePort {
			return fmt.Sprintf("Unique-port polling: node %d listens on tentacles.basePort+%d = %d, and the balancer forwards that port to it. Leave it empty.",
				i+1, i, a.ExpectedCommsPort(i))
		}
		if !a.UsesPolling() {
			return fmt.Sprintf("Only polling tentacles connect to it (the Tentacles step asks how targets talk); every node then listens on octopus.commsPort (%d). Leave it empty.", a.Octopus.CommsPort)
		}
		return fmt.Sprintf("Every node listens on octopus.commsPort (%d) for polling tentacles. Leave it empty.", a.Octopus.CommsPort)
	}
}

// addNode appends an empty node; its ports show as derived until typed.
func addNode(a *steps.Answers) {
	a.Nodes = append(a.Nodes, steps.Node{})
}

// removeNode drops node i.
func removeNode(a *steps.Answers, i int) {
	if i < 0 || i >= len(a.Nodes) {
		return
	}
	a.Nodes = append(a.Nodes[:i:i], a.Nodes[i+1:]...)
}
