package tui

import (
	"fmt"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// flow is what the wizard is doing: setting up a cluster (clusterFlow),
// or adding a node to a running one (addFlow, newnode.go). Past the
// cluster's own screens it brings its screen, its findings, how its
// fields' paths map onto the answers, and what exporting it writes; the
// wizard asks it instead of checking which flow it is in.
type flow interface {
	// screen is the flow's own question screen after the cluster's (New
	// node), nil for none.
	screen() *answersForm
	// findings are the flow's own findings about the answers.
	findings(a steps.Answers) validate.Findings
	// probeTarget is what a live check of field probes: the answers, the
	// field's path in them, and whether what it is about runs Octopus
	// already (so its services may be probed).
	probeTarget(a steps.Answers, field string) (steps.Answers, string, bool)
	// plan is what an export would write; findings are the open ones.
	plan(a steps.Answers, findings validate.Findings) ([]render.File, error)
	// reviewLines are the flow's own lines on Review, after the cluster's.
	reviewLines(st styles, a steps.Answers, w int) []string
	// filesHeading heads Review's list of files.
	filesHeading() string
	// outDir is the folder the Export screen offers, "" for the one typed.
	outDir() string
	// installed reports whether the cluster's nodes run Octopus already,
	// so the live checks may probe their services.
	installed() bool
	// screenIntro heads the flow's own screen, from the answers; short
	// is the head for a small window.
	screenIntro(a steps.Answers) (intro, short string)
}

// clusterFlow sets up a new cluster, or continues one from its answers
// file: the cluster's screens, Review and Export.
type clusterFlow struct{}

func (clusterFlow) screen() *answersForm                     { return nil }
func (clusterFlow) findings(steps.Answers) validate.Findings { return nil }
func (clusterFlow) probeTarget(a steps.Answers, field string) (steps.Answers, string, bool) {
	return a, field, false // a new cluster: nothing is installed yet
}

// plan is every file of the cluster.
func (clusterFlow) plan(a steps.Answers, _ validate.Findings) ([]render.File, error) {
	files, _, err := export.Plan(a)
	return files, err
}

func (clusterFlow) reviewLines(styles, steps.Answers, int) []string { return nil }
func (clusterFlow) filesHeading() string                            { return "Files an export writes" }
func (clusterFlow) outDir() string                                  { return "" }

// installed is false: a new cluster's nodes are not installed yet.
func (clusterFlow) installed() bool { return false }

func (clusterFlow) screenIntro(steps.Answers) (string, string) { return "", "" }

// reviewLines are the New node section of Review.
func (s *addFlow) reviewLines(st styles, a steps.Answers, w int) []string {
	out := []string{st.accent.Render(fmt.Sprintf("%d %s", len(formSteps)+1, s.def.title))}
	g, added, _ := s.grown(a)
	if added >= 0 {
		n := s.node
		out = append(append(out, nodeRow(itoa(added+1), n.Name, n.Host, g.NodeWebPort(added), g.NodeCommsPort(added), w)...), "")
	}
	return out
}
