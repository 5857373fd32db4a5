package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
	"github.com/octoha/octoha/validate"
)

// newNodePrefix begins the answers paths of the New node screen. The new
// node is not in the answers until the change is exported (export.AddNode
// writes the grown answers), so its fields live beside them.
const newNodePrefix = "newNode."

// addFlow is the add-node flow (a flow): the node being added, its New
// node screen, and the nodes the cluster's database listed (none when the
// answers came from a file). Its fields' paths begin newNodePrefix and
// map onto the grown cluster's last node (probeTarget).
type addFlow struct {
	node   steps.Node
	listed []KnownNode
	def    step
	form   *answersForm // the New node screen
}

func newAddFlow(listed []KnownNode, in *textinput.Model) *addFlow {
	s := &addFlow{listed: listed}
	s.def = step{
		name:   "New node",
		title:  "The new node",
		intro:  "The machine joining the cluster. Empty ports are derived.",
		owns:   []string{newNodePrefix},
		fields: s.fields,
	}
	s.form = s.def.newForm(in)
	return s
}

func (s *addFlow) screen() *answersForm { return s.form }

func (s *addFlow) filesHeading() string { return "Files the change writes" }

// fields are the new node's name, host and ports. They read and write
// s.node, not the answers.
func (s *addFlow) fields(*steps.Answers) [][]field {
	node := func(*steps.Answers) *steps.Node { return &s.node }
	name := form.Text(newNodePrefix+"name", "Node name", func(a *steps.Answers) *string { return &node(a).Name }).
		WithExplain(func(a *steps.Answers) string {
			return "Its name in Octopus (create-instance --serverNodeName), usually the machine name. Taken: " + s.takenNames(a) + "."
		})
	host := form.Text(newNodePrefix+"host", "Host", func(a *steps.Answers) *string { return &node(a).Host }).
		WithExplain(func(*steps.Answers) string {
			return "The name the load balancer (and, for unique-address polling, every tentacle) reaches the new node at."
		})
	web := form.Number(newNodePrefix+"webPort", "Web port", func(a *steps.Answers) *int { return &node(a).WebPort }).
		WithDerived(func(a *steps.Answers) string { return strconv.Itoa(a.Octopus.WebPort) })
	comms := form.Number(newNodePrefix+"commsPort", "Comms port", func(a *steps.Answers) *int { return &node(a).CommsPort }).
		WithDerived(func(a *steps.Answers) string { return strconv.Itoa(a.NextCommsPort()) }).
		WithExplain(func(a *steps.Answers) string {
			if a.PollingMode() == steps.PollingUniquePort {
				return fmt.Sprintf("Unique-port polling: the next free forwarded port is %d; tentacles get an update script for it. Leave it empty.", a.NextCommsPort())
			}
			return fmt.Sprintf("Every node listens on octopus.commsPort (%d). Leave it empty.", a.Octopus.CommsPort)
		})
	return rowsOf(name, host, web, comms)
}

// takenNames are the names the new node may not have: the answers' nodes
// and the ones the database listed.
func (s *addFlow) takenNames(a *steps.Answers) string {
	names := a.NodeNames()
	for _, k := range s.listed {
		if a.NodeIndex(k.Name) < 0 {
			names = append(names, k.Name)
		}
	}
	if len(names) == 0 {
		return "none yet"
	}
	return strings.Join(names, ", ")
}

// grown is the cluster with the new node as its last, and that node's
// index; ok is false when the answers have no nodes to add to.
func (s *addFlow) grown(a steps.Answers) (steps.Answers, int, error) {
	g, err := a.AddNode(s.node)
	if err != nil {
		return a, -1, err
	}
	return g, len(g.Nodes) - 1, nil
}

// findings are validate.Check's findings about the new node in the grown
// cluster (its name, host and port clashes), moved onto the New node
// screen, and an error for a name the database already lists.
func (s *addFlow) findings(a steps.Answers) validate.Findings {
	g, added, err := s.grown(a)
	if err != nil {
		return validate.Findings{{ID: "nodes.add", Severity: validate.Error, Field: newNodePrefix + "name", Message: err.Error()}}
	}
	listed, clash := s.listedAs(s.node.Name)
	var out validate.Findings
	prefix := fmt.Sprintf("nodes[%d].", added)
	for _, f := range validate.Check(g) {
		rest, ok := strings.CutPrefix(f.Field, prefix)
		if !ok || (clash && f.ID == "nodes.name") {
			continue
		}
		f.Field = newNodePrefix + rest
		out = append(out, f)
	}
	if clash {
		out = append(out, validate.Finding{ID: "nodes.name", Severity: validate.Error, Field: newNodePrefix + "name",
			Message: fmt.Sprintf("node name %q is already a node of this cluster in its database (%s)", s.node.Name, describeKnown(listed)),
			Fix:     "Give the new node its own name."})
	}
	return out
}

// listedAs is the database's node called name (case does not count).
func (s *addFlow) listedAs(name string) (KnownNode, bool) {
	for _, k := range s.listed {
		if name != "" && strings.EqualFold(k.Name, name) {
			return k, true
		}
	}
	return KnownNode{}, false
}

// probeTarget is what a live check of a New node field probes: the grown
// answers and the new node's own answers path, before its install. The
// running cluster's fields are probed as they are, services included.
func (s *addFlow) probeTarget(a steps.Answers, field string) (steps.Answers, string, bool) {
	if !strings.HasPrefix(field, newNodePrefix) {
		return a, field, true
	}
	g, added, err := s.grown(a)
	if err != nil {
		return a, field, false
	}
	return g, fmt.Sprintf("nodes[%d].%s", added, strings.TrimPrefix(field, newNodePrefix)), false
}

// plan is what exporting the change writes (export.AddNode): the
// change's files and the grown answers; nothing while there are errors.
func (s *addFlow) plan(a steps.Answers, findings validate.Findings) ([]render.File, error) {
	if findings.HasErrors() {
		return nil, export.ErrInvalid
	}
	g, added, err := s.grown(a)
	if err != nil {
		return nil, err
	}
	files, err := render.AddNodeFiles(g, added)
	if err != nil {
		return nil, err
	}
	answers, err := steps.Marshal(g)
	if err != nil {
		return nil, err
	}
	return append(files, render.File{Path: render.AnswersFile, Content: answers}), nil
}

// screenIntro is the New node screen's head: what the new node is, and
// the running cluster it joins, read-only (its steps stay a digit key or
// Esc away). The short head names the nodes on one line instead of a
// line each.
func (s *addFlow) screenIntro(a steps.Answers) (string, string) {
	lines := []string{s.def.intro, "", "Joining (read-only; Esc goes back to its steps):"}
	lines = append(lines, fmt.Sprintf("  SQL Server %s, database %s; %s balancer at %s; %s tentacles.",
		a.Database.Server, a.Database.Name, a.LoadBalancer.Kind, a.LoadBalancer.PublicURL, tentacleSummary(a)))
	short := slices.Clone(lines)
	for i, n := range a.Nodes {
		lines = append(lines, fmt.Sprintf("  %d %s at %s, web %d, comms %d", i+1, n.Name, n.Host, a.NodeWebPort(i), a.NodeCommsPort(i)))
	}
	short = append(short, fmt.Sprintf("  Nodes: %s.", strings.Join(a.NodeNames(), ", ")))
	return strings.Join(lines, "\n"), strings.Join(short, "\n")
}

// tentacleSummary says how tentacles talk to the cluster, e.g. "polling
// (unique-port)".
func tentacleSummary(a steps.Answers) string {
	if !a.UsesPolling() {
		return string(a.Tentacles.Mode)
	}
	return fmt.Sprintf("%s (%s)", a.Tentacles.Mode, a.PollingMode())
}

// installed is true: the cluster a node joins is running.
func (s *addFlow) installed() bool { return true }

// outDir is the folder the Export screen offers for the change.
func (s *addFlow) outDir() string {
	if s.node.Name == "" {
		return "octoha-add-node"
	}
	return "octoha-add-" + s.node.Name
}

// describeKnown is "last seen 2m0s ago, draining" for a listed node.
func describeKnown(k KnownNode) string {
	var parts []string
	switch {
	case !k.HasLastSeen:
		parts = append(parts, "last seen: not recorded")
	default:
		parts = append(parts, "last seen "+age(k.SinceSeen)+" ago")
	}
	if k.Live {
		parts = append(parts, "running")
	}
	if k.Stale {
		parts = append(parts, "stale")
	}
	if k.Draining {
		parts = append(parts, "draining")
	}
	return strings.Join(parts, ", ")
}
