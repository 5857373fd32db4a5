package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
	"github.com/octoha/octoha/validate"
)

// DefaultAnswersPath is where the wizard saves when --answers is not given.
const DefaultAnswersPath = "octoha-answers.yaml"

// model is the whole wizard. It owns the answers and the step order, and
// routes each message to the screen showing; screens answer with messages
// (route.go) and read only their env and what the wizard hands them.
type model struct {
	env
	help   help.Model
	width  int
	height int

	answers steps.Answers
	path    string // the answers file saved to
	// pathOwned is true once saving to path cannot destroy a file octoha
	// did not write: the wizard opened it as its own, wrote it, or the
	// admin said to overwrite it (see save and owner.go).
	pathOwned bool
	// clobber is the open "overwrite this file?" question, or nil.
	clobber *clobberQuestion
	// keepNote keeps the "written by hand" status through the first save.
	keepNote bool
	findings validate.Findings

	onStart bool // the start screen is showing
	start   startScreen
	// setup is the add-node flow's first screen (where the cluster's
	// answers come from), shown in place of the start screen.
	setup *addSetup
	// flow is a new cluster's, or the add-node flow with its node.
	flow      flow
	stepIdx   int
	completed [stepCount]bool
	// forms are the cluster's question screens, kept for going back; the
	// add-node flow brings its own (add.form).
	forms [newNodeIndex]*answersForm
	// input is the question screens' text input, shared by their forms.
	input     *textinput.Model
	review    reviewScreen
	export    exportScreen
	quitting  bool // the "save and quit / quit / cancel" question is open
	status    string
	statusErr bool
	// keysOpen shows the list of every key on the screen (keylist.go)
	// over it; keysOffset is its scroll, keysPage its page when it does
	// not fit, else 0.
	keysOpen bool
	// typedIn is the text field (focusedText's id) a key changed since
	// the focus came to it, or "": there ? is typed (keylist.go).
	typedIn              string
	keysOffset, keysPage int

	// The last header and help line, redrawn only when they change.
	headerKey, headerText string
	helpKey, helpText     string

	// frame is the last frame laid out (by Update), what View shows.
	frame string

	live map[string]*form.Live
	// liveFound are the live findings by probe; liveOpen those still
	// open, worked out after every change (openLive).
	liveFound map[string]*liveEntry
	liveOpen  validate.Findings
	spinner   spinner.Model
	spinOn    bool
}

func newModel(opts Options) *model {
	m := &model{
		env:       env{opts: opts, keys: newKeyMap(), st: newStyles(!opts.NoColor)},
		help:      help.New(),
		width:     80,
		height:    24,
		answers:   steps.Defaults(),
		flow:      clusterFlow{},
		path:      opts.AnswersPath,
		onStart:   true,
		live:      map[string]*form.Live{},
		liveFound: map[string]*liveEntry{},
		spinner:   spinner.New(spinner.WithSpinner(spinner.Line)),
	}
	if m.path == "" {
		m.path = DefaultAnswersPath
	}
	m.help.Styles = m.st.help
	m.start = newStartScreen(m.st, m.path)
	in := newInput(m.st)
	m.input = &in
	for i, s := range formSteps {
		m.forms[i] = s.newForm(m.input)
	}
	m.export = newExportScreen(m.st)
	m.review.st, m.export.st = &m.st, &m.st
	m.recheck()
	m.frame = m.render()
	return m
}

// openAnswers continues from answers read from a file: everything counts as
// seen, and the wizard resumes at the first incomplete step (resumeStep).
func (m *model) openAnswers(a steps.Answers, path string, byOctoha bool) {
	m.flow = clusterFlow{}
	m.answers = a
	m.saveTo(path, byOctoha)
	m.onStart = false
	m.recheck()
	m.showAll()
	next := resumeStep(a)
	for i := 0; i < next; i++ {
		m.completed[i] = true
	}
	m.goTo(next)
}

// newCluster starts at the first step: from the defaults, or from the
// answers given so far when the admin came back to the menu from there.
func (m *model) newCluster() {
	if m.flow.installed() {
		m.answers = steps.Defaults() // a running cluster's answers are not a new one
		m.recheck()
	}
	m.flow = clusterFlow{}
	m.onStart = false
	m.goTo(0)
}

func (m *model) Init() tea.Cmd { return nil }

// Update acts on a message and lays out the frame View shows: the scroll
// offsets, the input widths and the cached header move here, never in
// View.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	id, value, _ := m.focusedText()
	cmd := m.update(msg)
	m.trackTyping(id, value)
	cmd = tea.Batch(cmd, m.routePosted())
	m.abandonStale()
	m.frame = m.render()
	return m, cmd
}

// update routes a message to the wizard or the screen showing.
func (m *model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.review.resize(msg.Width, msg.Height, m.reviewData())
		return nil
	case tea.PasteMsg:
		if m.keysOpen {
			return nil // the screen under the list sees nothing
		}
	case tea.KeyPressMsg:
		if m.keysOpen && m.updateKeyList(msg) {
			return nil
		}
		if !m.keysOpen && (key.Matches(msg, m.keys.KeysF1) || key.Matches(msg, m.keys.AllKeys) && !m.typingText()) {
			m.keysOpen, m.keysOffset = true, 0
			return nil
		}
		if m.clobber != nil {
			return m.updateClobber(msg)
		}
		if key.Matches(msg, m.keys.Quit) {
			if m.quitting {
				return m.saveAndQuit()
			}
			m.quitting = true
			return nil
		}
		if m.quitting {
			return m.updateQuit(msg)
		}
	case savedMsg:
		return m.saved(msg)
	case livePauseMsg, liveResultMsg, spinner.TickMsg:
		return m.updateLive(msg)
	case exportedMsg:
		if m.export.finished(msg) {
			m.completed[exportIndex] = true
		}
		return nil
	}
	switch {
	case m.onStart && m.setup != nil:
		return m.setup.update(&m.env, msg)
	case m.onStart:
		return m.start.update(&m.env, msg)
	case m.stepIdx == reviewIndex:
		return m.review.update(&m.env, msg)
	case m.stepIdx == exportIndex:
		return m.export.update(&m.env, msg)
	}
	return m.updateForm(msg)
}

// skipTo is the screen goTo shows for i: New node only exists in the
// add-node flow, so a new cluster steps over it.
func (m *model) skipTo(i int) int {
	if i == newNodeIndex && m.flow.screen() == nil {
		if i > m.stepIdx {
			return reviewIndex
		}
		return newNodeIndex - 1
	}
	return i
}

// goTo shows step i (a question screen, Review or Export).
func (m *model) goTo(i int) tea.Cmd {
	m.stepIdx = max(0, min(m.skipTo(i), stepCount-1))
	switch m.stepIdx {
	case reviewIndex:
		m.review.open(m.width, m.height, m.reviewData())
		return m.checkEverything()
	case exportIndex:
		return m.export.open(m.exportJob())
	}
	f := m.formOf(m.stepIdx)
	if m.stepIdx == newNodeIndex {
		f.Intro, f.Short = m.flow.screenIntro(m.answers)
	}
	return f.Open(&m.answers)
}

// showAll shows every finding of the cluster's screens at once: the
// answers came from a file, so the admin has been everywhere.
func (m *model) showAll() {
	for _, f := range m.forms {
		f.ShowAll()
	}
}

// completeStep marks the step done, saves the answers file (every time a
// step is completed) and moves on.
func (m *model) completeStep() tea.Cmd {
	m.completed[m.stepIdx] = true
	save := m.save(false)
	return tea.Batch(save, m.goTo(m.stepIdx+1))
}

// back goes to the step before; from the first step, to the start screen
// (the answers stay: the menu's choices continue or replace them).
func (m *model) back() tea.Cmd {
	if m.stepIdx == 0 {
		m.onStart = true
		return nil
	}
	return m.goTo(m.stepIdx - 1)
}

// recheck runs the pure checks after any change: microseconds, so on
// every keystroke.
func (m *model) recheck() {
	m.findings = append(validate.Check(m.answers), m.flow.findings(m.answers)...)
	m.openLive()
}

func (m *model) setStatus(s string, isErr bool) {
	m.status, m.statusErr = s, isErr
}

func (m *model) saveAndQuit() tea.Cmd {
	if m.onStart {
		return tea.Quit // nothing answered yet, nothing to save
	}
	return m.save(true)
}

// updateQuit answers the Ctrl+C question.
func (m *model) updateQuit(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Save):
		return m.saveAndQuit()
	case key.Matches(msg, m.keys.QuitNow):
		return tea.Quit
	case key.Matches(msg, m.keys.Cancel):
		m.quitting = false
	}
	return nil
}

// newInput is a text input styled for the wizard.
func newInput(st styles) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	s := in.Styles()
	s.Cursor.Blink = false
	s.Focused.Text = st.input
	s.Focused.Placeholder = st.dim
	s.Blurred.Placeholder = st.dim
	if !st.color {
		// The input's own defaults colour the cursor and prompt.
		s.Cursor.Color = lipgloss.NoColor{}
		s.Focused.Prompt, s.Blurred.Prompt = st.label, st.label
		s.Focused.Suggestion, s.Blurred.Suggestion = st.dim, st.dim
	}
	in.SetStyles(s)
	return in
}
