package tui

import (
	"strings"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// step is one of the wizard's question screens: its fields (rebuilt from the
// answers after every change, because some answers add or remove others)
// and which answers paths it owns, so each finding lands on one screen.
type step struct {
	name  string // the word in the header
	title string
	intro string
	owns  []string // answers path prefixes
	// fields lays the screen out in rows: one field per row, or a grid.
	fields func(a *steps.Answers) [][]field
	grid   bool
	// empty is shown when the screen has no fields (Nodes, before the
	// first node is added).
	empty string
	// plain replaces intro in --plain when intro speaks of keys.
	plain string
}

// plainIntro is what --plain says before the step's questions.
func (s step) plainIntro() string {
	if s.plain != "" {
		return s.plain
	}
	return s.intro
}

// formSteps are the question screens in order; in the add-node flow the
// New node screen follows them, then Review and Export.
var formSteps = []step{octopusStep, databaseStep, storageStep, nodesStep, loadBalancerStep, tentaclesStep}

// Indexes of the screens after the cluster's questions. newNodeIndex shows
// only in the add-node flow; a new cluster goes from Tentacles to Review.
const (
	newNodeIndex = iota + 6
	reviewIndex
	exportIndex
	stepCount
)

// screens are the indexes of the screens this wizard shows, in order.
func (m *model) screens() []int {
	out := make([]int, 0, stepCount)
	for i := 0; i < stepCount; i++ {
		if i != newNodeIndex || m.flow.screen() != nil {
			out = append(out, i)
		}
	}
	return out
}

// stepName is the header's word for screen i.
func stepName(i int) string {
	switch {
	case i < len(formSteps):
		return formSteps[i].name
	case i == newNodeIndex:
		return "New node"
	case i == reviewIndex:
		return "Review"
	}
	return "Export"
}

// isForm reports whether screen i is a question screen.
func (m *model) isForm(i int) bool {
	return i < len(formSteps) || (i == newNodeIndex && m.flow.screen() != nil)
}

// ownsField reports whether a finding about path belongs on this step.
func (s step) ownsField(path string) bool {
	for _, p := range s.owns {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// stepOf is the index of the step a finding belongs to, or -1 for findings
// about the cluster as a whole.
func stepOf(path string) int {
	if strings.HasPrefix(path, newNodePrefix) {
		return newNodeIndex
	}
	for i, s := range formSteps {
		if s.ownsField(path) {
			return i
		}
	}
	return -1
}

// stepHasErrors reports whether step i has an error finding.
func stepHasErrors(findings validate.Findings, i int) bool {
	for _, f := range findings {
		if f.Severity == validate.Error && stepOf(f.Field) == i {
			return true
		}
	}
	return false
}

// resumeStep is where a reopened answers file continues. The answers file
// holds answers, not progress, so a step counts as incomplete when it has
// an error finding; the first such step is where the admin resumes. A file
// without errors opens at Review, which lists every answer, and Esc or the
// digit keys go back to any step.
func resumeStep(a steps.Answers) int {
	findings := validate.Check(a)
	for i := range formSteps {
		if stepHasErrors(findings, i) {
			return i
		}
	}
	return reviewIndex
}
