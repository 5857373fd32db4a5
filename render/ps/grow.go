package ps

import (
	"fmt"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/steps"
)

// Scripts for changing a running cluster: a node joins (octoha add-node) or
// leaves (octoha remove-node).

// TentacleUpdateScript is the script each existing polling tentacle runs
// after a node joins or leaves a poll-every-node cluster.
const TentacleUpdateScript = "update-polling-tentacles.ps1"

// DrainScriptName is the drain script's file name for a node.
func DrainScriptName(node string) string { return "drain-node-" + node + ".ps1" }

// Tentacle versions the updates need (docs/octopus-facts.md §6.3): poll-server with
// --server-comms-address, and clear-trusted-servers.
const (
	minTentacleCommsAddress = "6.3.341"
	minTentacleClearTrusted = "8.1.1713"
)

// CommsAddress is the address a polling tentacle keeps for node i, as
// Tentacle stores it: https://host:port with the port always written
// (docs/octopus-facts.md §6.3, "How the comms address is computed").
func CommsAddress(a steps.Answers, i int) string {
	host := a.Nodes[i].Host
	if a.UsesUniquePorts() {
		host = a.PollingAddress()
	}
	return fmt.Sprintf("https://%s:%d", host, a.NodeCommsPort(i))
}

// JoinAddedNode renders the join script for grown.Nodes[added], a node
// joining a running cluster (octoha add-node). When the tentacles poll
// every node, the node starts drained: it would take tasks within about a
// minute of starting (docs/octopus-facts.md §2.1), before any tentacle polls it, and
// those tasks would wait until they time out (docs/octopus-facts.md §8 item 10).
func JoinAddedNode(grown steps.Answers, added int) ([]byte, error) {
	if added < 1 || added >= len(grown.Nodes) {
		return nil, fmt.Errorf("node %d is not a node added to a running cluster", added)
	}
	v := newServerView(grown, added)
	v.DrainOnJoin = grown.PollsEveryNode()
	return v.joinNode().render()
}

// tentacleUpdateView is what update-polling-tentacles.ps1 reads.
type tentacleUpdateView struct {
	Instance    string
	ServiceName string
	ServerURL   string
	PollingMode string
	// Removing is true when a node leaves; false when one joins.
	Removing bool
	NodeName string
	// Address is the joining or leaving node's comms address, as
	// poll-server takes it and show-configuration lists it.
	Address string
	// Keep is every address that stays when a node leaves.
	Keep []string
	// MinVersion is the Tentacle version the update's command needs.
	MinVersion string
}

func newTentacleUpdateView(a steps.Answers) tentacleUpdateView {
	return tentacleUpdateView{
		Instance:    a.Tentacles.Instance,
		ServiceName: tentacleServiceName(a.Tentacles.Instance),
		ServerURL:   a.LoadBalancer.PublicURL,
		PollingMode: a.PollingMode(),
	}
}

// AddNodeToTentacles renders update-polling-tentacles.ps1 for the node at
// index added of the grown answers: every existing polling tentacle polls
// it too (poll-server, docs/octopus-facts.md §6.3, §6.4).
func AddNodeToTentacles(grown steps.Answers, added int) ([]byte, error) {
	if !grown.PollsEveryNode() {
		return nil, fmt.Errorf("tentacles %s do not poll every node, so a new node needs no tentacle change", tentacleModeName(grown))
	}
	if added < 1 || added >= len(grown.Nodes) {
		return nil, fmt.Errorf("node %d is not a joining node of these answers", added)
	}
	v := newTentacleUpdateView(grown)
	v.NodeName = grown.Nodes[added].Name
	v.Address = CommsAddress(grown, added)
	v.MinVersion = minTentacleCommsAddress
	return v.script().render()
}

// RemoveNodeFromTentacles renders update-polling-tentacles.ps1 for a node
// that left: every polling tentacle keeps exactly the remaining nodes'
// addresses (clear-trusted-servers --keep, docs/octopus-facts.md §6.3, §6.5). gone is
// the leaving node's name and address, from the answers before the change.
func RemoveNodeFromTentacles(shrunk steps.Answers, goneName, goneAddress string) ([]byte, error) {
	if !shrunk.PollsEveryNode() {
		return nil, fmt.Errorf("tentacles %s do not poll every node, so removing a node needs no tentacle change", tentacleModeName(shrunk))
	}
	if len(shrunk.Nodes) == 0 {
		return nil, fmt.Errorf("no node would remain for the tentacles to poll")
	}
	v := newTentacleUpdateView(shrunk)
	v.Removing = true
	v.NodeName = goneName
	v.Address = goneAddress
	for i := range shrunk.Nodes {
		v.Keep = append(v.Keep, CommsAddress(shrunk, i))
	}
	v.MinVersion = minTentacleClearTrusted
	return v.script().render()
}

// script is update-polling-tentacles.ps1 for the view.
func (v tentacleUpdateView) script() scriptFile {
	vals := newValues().
		note("Values from the octoha answers file.").
		str("Instance", v.Instance).
		str("ServiceName", v.ServiceName).
		str("ServerUrl", v.ServerURL).
		str("NodeName", v.NodeName).
		note("The node's comms address exactly as Tentacle stores it: https, host and").
		note("port ("+docs.TentacleExe+").").
		str("NodeAddress", v.Address)
	if v.Removing {
		vals.note("Every remaining node's address, which the Tentacle must poll before the").
			note("leaving node is dropped.").
			list("KeepAddresses", v.Keep)
	}
	vals.typed("MinimumVersion", "[version]", v.MinVersion).
		text("PollingMode", v.PollingMode)
	return scriptFile{
		file:   "update-polling-tentacles.ps1",
		flags:  map[string]bool{"removing": v.Removing},
		values: vals,
	}
}

func tentacleModeName(a steps.Answers) string {
	if a.UsesPolling() {
		return "polling through " + a.PollingMode()
	}
	return "in " + a.Tentacles.Mode + " mode"
}

// drainView is what drain-node.ps1 reads.
type drainView struct {
	ScriptFile     string
	OctopusVersion string
	Instance       string
	InstallDir     string
	NodeName       string
	ServiceName    string
	ServerURL      string
	// WaitBugFixed says the cluster's version honours drain waits over
	// five minutes; WaitBugFixedIn names the build that fixed it.
	WaitBugFixed   bool
	WaitBugFixedIn string
}

// DrainNode renders drain-node-<NAME>.ps1 for a.Nodes[i]: drain it, wait
// for its tasks, stop and disable its service, and delete its node record
// (docs/octopus-facts.md §2.4).
func DrainNode(a steps.Answers, i int) ([]byte, error) {
	if i < 0 || i >= len(a.Nodes) {
		return nil, fmt.Errorf("node %d is not in the answers, which have nodes 0 to %d", i, len(a.Nodes)-1)
	}
	return newDrainView(a, i).script().render()
}

// newDrainView is what drain-node.ps1 reads for a.Nodes[i].
func newDrainView(a steps.Answers, i int) drainView {
	// A version that does not parse counts as lacking the fix here, so
	// the script warns rather than trusts a long wait.
	v, ok := a.OctopusVersion()
	fixed := ok && steps.DrainWaitFix.In(v)
	return drainView{
		ScriptFile:     DrainScriptName(a.Nodes[i].Name),
		OctopusVersion: string(a.Octopus.Version),
		Instance:       a.Octopus.Instance,
		InstallDir:     a.Octopus.InstallDir,
		NodeName:       a.Nodes[i].Name,
		ServiceName:    a.ServiceName(),
		ServerURL:      a.LoadBalancer.PublicURL,
		WaitBugFixed:   fixed,
		WaitBugFixedIn: steps.DrainWaitFix.Since.String(),
	}
}

// script is drain-node.ps1 for the view.
func (v drainView) script() scriptFile {
	vals := newValues().
		note("Values from the octoha answers file.").
		str("OctopusVersion", v.OctopusVersion).
		str("Instance", v.Instance).
		str("InstallDir", v.InstallDir).
		str("NodeName", v.NodeName).
		str("ServiceName", v.ServiceName).
		note("The cluster's public URL: the API stays reachable through the other").
		note("nodes after this one stops.").
		str("ServerUrl", v.ServerURL).
		boolean("WaitBugFixed", v.WaitBugFixed).
		text("ScriptFile", v.ScriptFile).
		text("WaitBugFixedIn", v.WaitBugFixedIn)
	return scriptFile{
		file:   "drain-node.ps1",
		flags:  map[string]bool{"wait-bug-fixed": v.WaitBugFixed},
		values: vals,
	}
}
