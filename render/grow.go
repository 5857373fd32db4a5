package render

import (
	"fmt"
	"strings"
	"sync"
	"text/template"

	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/render/kube"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/render/sql"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
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

var changeTemplates = sync.OnceValue(func() *template.Template {
	return parseMarkdown("add-node.md.tmpl", "remove-node.md.tmpl")
})

// changeData is what both change checklists read.
type changeData struct {
	A *steps.Answers
	// Node is the node joining or leaving, with its ports.
	Node checklistNode
	// Others are the nodes that were there before and stay.
	Others []checklistNode
	// WasFirst says the leaving node was the one install-first-node.ps1 ran on.
	WasFirst bool

	PollingMode    string
	PollsEveryNode bool
	PollingAddress string
	// Forward is the balancer's forwarded polling port for Node (unique-port), 0 otherwise.
	Forward   int
	KeptPorts bool

	PublicHost     string
	PublicPort     int
	SQLPort        int
	ShareHosts     []string
	Folders        []steps.SharedFolder
	LBFile         string
	JoinScript     string
	DrainScript    string
	UpdateScript   string
	TentacleScript string
	AnswersFile    string
	ServerExe      string
	TentacleExe    string
	// ScriptAsks is what the change's node script (the join or drain
	// script) asks for, and UpdateAsks what update-polling-tentacles.ps1
	// asks for, each run as the checklist prints it.
	ScriptAsks []string
	UpdateAsks []string
	// Undrain is the command that undrains Node, run on it.
	Undrain string
	// LicenceWarning is set when the node count passes what a Professional
	// licence allows (reference §7).
	LicenceWarning bool
}

func newChangeData(a steps.Answers, node steps.Node, web, comms int) changeData {
	d := changeData{
		A:              &a,
		Node:           checklistNode{Node: node, WebPort: web, CommsPort: comms, CommsFrom: commsFrom(a)},
		PollingMode:    a.PollingMode(),
		PollsEveryNode: ps.PollsEveryNode(a),
		PollingAddress: a.PollingAddress(),
		PublicHost:     a.PublicHost(),
		PublicPort:     a.PublicPort(),
		SQLPort:        a.SQLPort(),
		Folders:        a.SharedFolders(),
		LBFile:         lbFileFor(a.LoadBalancer.Kind),
		UpdateScript:   TentacleUpdateScript,
		TentacleScript: TentacleScript,
		AnswersFile:    AnswersFile,
		ServerExe:      serverExe(a),
		TentacleExe:    tentacleExe,
		Undrain:        ps.UndrainCommand(a),
	}
	if a.PollingMode() == steps.PollingUniquePort {
		d.Forward = comms
	}
	seen := map[string]bool{}
	for _, f := range d.Folders {
		if h := validate.UNCHost(f.Effective); h != "" && !seen[strings.ToLower(h)] {
			seen[strings.ToLower(h)] = true
			d.ShareHosts = append(d.ShareHosts, h)
		}
	}
	return d
}

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
	if ps.PollsEveryNode(grown) {
		l.add(TentacleUpdateScript)(ps.AddNodeToTentacles(grown, added))
		l.add(TentacleScript)(ps.RegisterTentacle(grown))
	}
	// A node running the service as Local System connects as its own
	// computer account, which needs a login before its join script runs.
	if loginPerNode(grown) {
		l.add(DatabaseScript)(sql.PrepareDatabase(grown))
	}
	addAgentUpdate(&l, grown)
	l.add(ChecklistFile)(addNodeChecklist(grown, added))
	return l.result()
}

// addNodeChecklist is the CHECKLIST.md of AddNodeFiles.
func addNodeChecklist(grown steps.Answers, added int) ([]byte, error) {
	node := grown.Nodes[added]
	d := newChangeData(grown, node, grown.NodeWebPort(added), grown.NodeCommsPort(added))
	d.JoinScript = JoinScript(node.Name)
	d.LicenceWarning = len(grown.Nodes) > 2
	var err error
	if d.ScriptAsks, err = asks(mandatoryParameters(ps.JoinNode(grown, added))); err != nil {
		return nil, fmt.Errorf("%s: %w", d.JoinScript, err)
	}
	if d.PollsEveryNode {
		if d.UpdateAsks, err = asks(mandatoryParameters(ps.AddNodeToTentacles(grown, added))); err != nil {
			return nil, fmt.Errorf("%s: %w", TentacleUpdateScript, err)
		}
	}
	for i := range grown.Nodes {
		if i != added {
			d.Others = append(d.Others, nodeRow(grown, i))
		}
	}
	return markdown.Execute(changeTemplates(), "add-node.md.tmpl", d)
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
	if ps.PollsEveryNode(shrunk) {
		l.add(TentacleUpdateScript)(ps.RemoveNodeFromTentacles(shrunk, node.Name, ps.CommsAddress(before, removed)))
		l.add(TentacleScript)(ps.RegisterTentacle(shrunk))
	}
	addAgentUpdate(&l, shrunk)
	l.add(ChecklistFile)(removeNodeChecklist(before, removed, shrunk))
	return l.result()
}

// loginPerNode reports whether each node connects to SQL Server as a
// login of its own (its computer account), which a new node then needs.
func loginPerNode(a steps.Answers) bool {
	logins := a.DatabaseLogins()
	return len(logins) > 0 && logins[0].Kind == steps.LoginComputer
}

// addAgentUpdate adds, when Kubernetes agents poll every node, the values
// with the cluster's nodes now and the helm upgrade that applies them to
// the agents already installed.
func addAgentUpdate(l *fileList, a steps.Answers) {
	if kube.PollsEveryNode(a) {
		l.add(AgentValuesFile)(kube.AgentValues(a))
		l.add(AgentUpdateScript)(kube.UpdateAgents())
	}
}

// removeNodeChecklist is the CHECKLIST.md of RemoveNodeFiles.
func removeNodeChecklist(before steps.Answers, removed int, shrunk steps.Answers) ([]byte, error) {
	node := before.Nodes[removed]
	d := newChangeData(shrunk, node, before.NodeWebPort(removed), before.NodeCommsPort(removed))
	d.DrainScript = DrainScript(node.Name)
	params, err := mandatoryParameters(ps.DrainNode(before, removed))
	if d.ScriptAsks, err = asks(params, err, "WaitSeconds"); err != nil {
		return nil, fmt.Errorf("%s: %w", d.DrainScript, err)
	}
	if d.PollsEveryNode {
		if d.UpdateAsks, err = asks(mandatoryParameters(ps.RemoveNodeFromTentacles(shrunk, node.Name, ps.CommsAddress(before, removed)))); err != nil {
			return nil, fmt.Errorf("%s: %w", TentacleUpdateScript, err)
		}
	}
	d.WasFirst = removed == 0
	d.KeptPorts = shrunk.PollingMode() == steps.PollingUniquePort
	for i := range shrunk.Nodes {
		d.Others = append(d.Others, nodeRow(shrunk, i))
	}
	return markdown.Execute(changeTemplates(), "remove-node.md.tmpl", d)
}
