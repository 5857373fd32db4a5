package render

import (
	"fmt"

	"github.com/octoha/octoha/render/kube"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/render/sql"
	"github.com/octoha/octoha/steps"
)

// The files a change to a running cluster writes: octoha add-node and
// octoha remove-node. Like All, these are pure functions of answers that
// passed validation.

// Files only a change writes, relative to its output folder.
const (
	TentacleUpdateScript = ps.TentacleUpdateScript
	// AnswersFile is the cluster's answers after the change; the admin keeps
	// it as the cluster's answers from then on.
	AnswersFile = "octoha-answers.yaml"
)

// DrainScript is the drain script's file name for a node.
func DrainScript(node string) string { return ps.DrainScriptName(node) }

// commsFrom says who opens a node's comms port, "" when nobody needs to.
func commsFrom(a steps.Answers) string {
	switch a.PollingMode() {
	case steps.PollingUniqueAddress:
		return "every polling tentacle"
	case steps.PollingUniquePort, steps.PollingRedis:
		return "the load balancer"
	}
	return ""
}

// AddNodeFiles renders what adding grown.Nodes[added] to a running cluster
// needs: its join script, the balancer file, the tentacle update and a
// fresh register-tentacle.ps1 when tentacles poll every node, and the
// change's checklist. The answers file is the caller's to write.
func AddNodeFiles(grown steps.Answers, added int) ([]File, error) {
	if added < 1 || added >= len(grown.Nodes) {
		return nil, fmt.Errorf("node %d is not a node added to a running cluster", added)
	}
	var l fileList
	node := grown.Nodes[added]
	l.add(JoinScript(node.Name))(ps.JoinAddedNode(grown, added))
	path, content, err := LoadBalancer(grown)
	l.add(path)(content, err)
	if grown.PollsEveryNode() {
		l.add(TentacleUpdateScript)(ps.AddNodeToTentacles(grown, added))
		l.add(TentacleScript)(ps.RegisterTentacle(grown))
	}
	// A node running the service as Local System connects as its own
	// computer account, which needs a login before its join script runs.
	if grown.DatabaseLoginKind() == steps.LoginComputer {
		l.add(DatabaseScript)(sql.PrepareDatabase(grown))
	}
	addAgentUpdate(&l, grown)
	l.add(ChecklistFile)(addNodeChecklist(grown, added))
	return l.result()
}

// RemoveNodeFiles renders what taking before.Nodes[removed] out needs:
// its drain script, the balancer file of the shrunk cluster, the tentacle
// update and a fresh register-tentacle.ps1 when tentacles poll every node,
// and the change's checklist. shrunk is before without that node.
func RemoveNodeFiles(before steps.Answers, removed int, shrunk steps.Answers) ([]File, error) {
	if removed < 0 || removed >= len(before.Nodes) || len(shrunk.Nodes) != len(before.Nodes)-1 {
		return nil, fmt.Errorf("node %d is not the node removed from these answers", removed)
	}
	var l fileList
	node := before.Nodes[removed]
	l.add(DrainScript(node.Name))(ps.DrainNode(before, removed))
	path, content, err := LoadBalancer(shrunk)
	l.add(path)(content, err)
	if shrunk.PollsEveryNode() {
		l.add(TentacleUpdateScript)(ps.RemoveNodeFromTentacles(shrunk, node.Name, ps.CommsAddress(before, removed)))
		l.add(TentacleScript)(ps.RegisterTentacle(shrunk))
	}
	addAgentUpdate(&l, shrunk)
	l.add(ChecklistFile)(removeNodeChecklist(before, removed, shrunk))
	return l.result()
}

// addAgentUpdate adds, when Kubernetes agents poll every node, the values
// with the cluster's nodes now and the helm upgrade that applies them to
// the agents already installed.
func addAgentUpdate(l *fileList, a steps.Answers) {
	if a.AgentsPollEveryNode() {
		l.add(AgentValuesFile)(kube.AgentValues(a))
		l.add(AgentUpdateScript)(kube.UpdateAgents())
	}
}
