package steps

import (
	"fmt"
	"slices"
	"strings"
)

// Growing and shrinking a cluster that is already running. Both return new
// answers and leave the receiver alone; validation of the result is the
// caller's (validate.Check), as for any answers.

// NodeIndex is the position of the node called name, or -1. Node names are
// Windows names, so case does not count.
func (a *Answers) NodeIndex(name string) int {
	for i, n := range a.Nodes {
		if strings.EqualFold(n.Name, name) {
			return i
		}
	}
	return -1
}

// NodeNames lists the nodes' names in order.
func (a *Answers) NodeNames() []string {
	names := make([]string, len(a.Nodes))
	for i, n := range a.Nodes {
		names[i] = n.Name
	}
	return names
}

// NextCommsPort is the comms port a node added now gets. For unique-port
// polling it is the port after the highest one any node uses: basePort+N
// while no node has been removed, and never the port of a node removed
// earlier, which tentacles not yet updated may still poll. Otherwise every
// node uses octopus.commsPort.
func (a *Answers) NextCommsPort() int {
	if !a.UsesUniquePorts() {
		return a.Octopus.CommsPort
	}
	next := a.ExpectedCommsPort(len(a.Nodes))
	for i := range a.Nodes {
		next = max(next, a.NodeCommsPort(i)+1)
	}
	return next
}

// AddNode returns the answers with n as the last node. A node without a
// comms port gets NextCommsPort, written into the answers only when it
// differs from the derived one (after a removal), so the file stays as
// short as it was.
func (a Answers) AddNode(n Node) (Answers, error) {
	if len(a.Nodes) == 0 {
		return a, fmt.Errorf("the answers have no nodes, so there is no cluster to add %s to; set the cluster up with octoha export first", n.Name)
	}
	a = a.Clone()
	if n.CommsPort == 0 {
		if port := a.NextCommsPort(); port != a.ExpectedCommsPort(len(a.Nodes)) {
			n.CommsPort = port
		}
	}
	a.Nodes = append(a.Nodes, n)
	return a, nil
}

// RemoveNode returns the answers without the node called name, and that
// node's position in the old answers. With unique-port polling every
// remaining node keeps its comms port, written out explicitly: tentacles
// poll each node at its own forwarded port, so a node that moved up the
// list must not take the port of the one before it.
func (a Answers) RemoveNode(name string) (Answers, int, error) {
	i := a.NodeIndex(name)
	switch {
	case i < 0:
		return a, -1, fmt.Errorf("there is no node called %q; the nodes are %s", name, strings.Join(a.NodeNames(), ", "))
	case len(a.Nodes) == 1:
		return a, -1, fmt.Errorf("%s is the only node: removing it would leave no cluster. Add another node first (octoha add-node), or retire the whole cluster by hand", a.Nodes[i].Name)
	}
	nodes := make([]Node, 0, len(a.Nodes)-1)
	for j, n := range a.Nodes {
		if j == i {
			continue
		}
		if a.UsesUniquePorts() {
			n.CommsPort = a.NodeCommsPort(j)
		}
		nodes = append(nodes, n)
	}
	a.Nodes = nodes
	return a, i, nil
}

// Clone is a copy of the answers that shares no slice with them, so a
// change to one never shows in the other.
func (a Answers) Clone() Answers {
	a.Nodes = slices.Clone(a.Nodes)
	a.LoadBalancer.TrustedProxies = slices.Clone(a.LoadBalancer.TrustedProxies)
	a.Tentacles.Environments = slices.Clone(a.Tentacles.Environments)
	a.Tentacles.Roles = slices.Clone(a.Tentacles.Roles)
	return a
}
