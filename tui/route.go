package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
)

// env is what every screen may read: the options, the keys and the
// styles, fixed for the program's life. A screen reads nothing else of
// the wizard; it is handed what it shows (reviewData, exportJob) and
// posts the messages below, which the wizard routes (route) in the same
// Update, so a step change never shows a frame in between.
type env struct {
	opts Options
	keys keyMap
	st   styles
	// posted are the messages posted during this Update, not yet routed.
	posted []tea.Msg
}

// post sends the wizard a message, routed when the screen returns.
func (e *env) post(msg tea.Msg) { e.posted = append(e.posted, msg) }

// The messages screens send the wizard.
type (
	// goToMsg shows step i (Review's digit keys).
	goToMsg struct{ step int }
	// backMsg goes to the step before.
	backMsg struct{}
	// completeMsg marks the step showing done, saves, and goes on.
	completeMsg struct{}
	// newClusterMsg starts a new cluster at the first step.
	newClusterMsg struct{}
	// openAnswersMsg continues from an answers file.
	openAnswersMsg struct {
		file     *steps.File
		byOctoha bool
	}
	// setupMsg opens (or, with open false, closes) the add-node flow's
	// first screen on the start screen.
	setupMsg struct{ open bool }
	// beginAddMsg starts the add-node flow from the cluster's answers;
	// file is set when they came from its answers file.
	beginAddMsg struct {
		answers  steps.Answers
		listed   []KnownNode
		file     *steps.File
		byOctoha bool
	}
)

// routePosted routes the messages screens posted, in order; a message
// routed can post more (opening a step).
func (m *model) routePosted() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.posted) > 0 {
		msg := m.posted[0]
		m.posted = m.posted[1:]
		cmds = append(cmds, m.route(msg))
	}
	m.posted = nil
	return tea.Batch(cmds...)
}

// route acts on a screen's message.
func (m *model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case goToMsg:
		return m.goTo(msg.step)
	case backMsg:
		return m.back()
	case completeMsg:
		return m.completeStep()
	case newClusterMsg:
		m.newCluster()
		return m.goTo(0)
	case openAnswersMsg:
		m.openAnswers(msg.file.Answers, msg.file.Path, msg.byOctoha)
		return m.goTo(m.stepIdx)
	case setupMsg:
		m.setup = nil
		if msg.open {
			m.setup = newAddSetup(m.st)
		}
	case beginAddMsg:
		if msg.file != nil {
			m.saveTo(msg.file.Path, msg.byOctoha)
			m.showAll()
		}
		return m.beginAdd(msg.answers, msg.listed, msg.file != nil)
	}
	return nil
}

// beginAdd starts the add-node flow's screens from the cluster's answers.
// A running cluster whose answers have no errors is not asked again: the
// New node screen shows it read-only above the new node's fields, then
// Review and Export follow. Otherwise the flow starts at the first
// cluster step with an error. fromFile is true when the answers came from
// a file, so the cluster's findings all show (and the New node screen's
// loose ones).
func (m *model) beginAdd(a steps.Answers, listed []KnownNode, fromFile bool) tea.Cmd {
	m.setup = nil
	add := newAddFlow(listed, m.input)
	if fromFile {
		add.form.MarkSeen()
	}
	m.flow = add
	m.answers = a
	m.onStart = false
	m.completed = [stepCount]bool{}
	m.recheck()
	next := resumeStep(a)
	if next == reviewIndex {
		next = newNodeIndex
	}
	for i := 0; i < min(next, len(formSteps)); i++ {
		m.completed[i] = true
	}
	return m.goTo(next)
}
