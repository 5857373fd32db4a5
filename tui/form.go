package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

// newForm is step s's form, empty until opened, typing into in.
func (s step) newForm(in *textinput.Model) *answersForm {
	f := form.New(s.fields, s.grid, in)
	f.Title, f.Intro, f.Empty, f.RowsName = s.title, s.intro, s.empty, "nodes"
	return f
}

// formOf is question screen i's form.
func (m *model) formOf(i int) *answersForm {
	if i == newNodeIndex {
		return m.flow.screen()
	}
	return m.forms[i]
}

// questionForms are the forms of the question screens this wizard shows.
func (m *model) questionForms() []*answersForm {
	out := m.forms[:]
	if extra := m.flow.screen(); extra != nil {
		out = append(out[:len(out):len(out)], extra)
	}
	return out
}

// updateForm answers a key or a paste on a question screen: Esc and the
// grid's keys here, the rest in the form kit.
func (m *model) updateForm(msg tea.Msg) tea.Cmd {
	f := m.formOf(m.stepIdx)
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Back):
			m.post(backMsg{})
			return m.left(f.Leave(&m.answers))
		case m.editsNodes(f) && key.Matches(msg, m.keys.AddNode):
			return m.addNodeRow(f)
		case m.editsNodes(f) && key.Matches(msg, m.keys.DelNode):
			return m.removeNodeRow(f)
		}
	case tea.PasteMsg:
	default:
		return nil
	}
	ev, cmd := f.Update(&m.answers, msg, &m.keys.form)
	left := m.left(ev)
	var changed tea.Cmd
	if ev.Edited != "" {
		m.recheck()
		changed = m.fieldChanged(ev.Edited, ev.EditedValue)
	}
	if ev.Done {
		m.post(completeMsg{})
	}
	return tea.Batch(left, cmd, changed)
}

// left fills in what the field the focus left proposes and starts its
// live check.
func (m *model) left(ev form.Event) tea.Cmd {
	if ev.Left == "" {
		return nil
	}
	m.propose(ev.Left)
	return m.fieldLeft(ev.Left, ev.LeftValue)
}

// propose fills in the answers the field just left proposes (see
// proposeAfter) and says so on the status line. Typing into a proposal
// replaces it.
func (m *model) propose(field string) {
	fields, note := proposeAfter(&m.answers, field)
	if len(fields) == 0 {
		return
	}
	m.formOf(m.stepIdx).Propose(fields...)
	m.recheck()
	them := "it"
	if len(fields) > 1 {
		them = "them"
	}
	m.setStatus(note+"; type over "+them+" if wrong.", false)
}

// proposeAfter fills in what an answer to field proposes (steps'
// proposals), never over an answer: a node's name from its host, the
// balancer's certificate files from an https public URL. It returns the
// fields it filled and a note saying so; the wizard and --plain both ask
// it, so they propose the same.
func proposeAfter(a *steps.Answers, field string) (fields []string, note string) {
	if field == steps.FieldLoadBalancerPublicURL && a.LoadBalancer.Certificate == "" && a.LoadBalancer.CertificateKey == "" {
		if cert, key, ok := a.ProposedCertificate(); ok {
			a.LoadBalancer.Certificate, a.LoadBalancer.CertificateKey = cert, key
			return []string{steps.FieldLoadBalancerCertificate, steps.FieldLoadBalancerCertificateKey},
				"Certificate paths proposed from the public name"
		}
		return nil, ""
	}
	if i, ok := hostRow(a, field); ok {
		if n := &a.Nodes[i]; n.Name == "" && steps.NodeNameFor(n.Host) != "" {
			n.Name = steps.NodeNameFor(n.Host)
			return []string{steps.NodeField(i).Name}, fmt.Sprintf("Node %d named %s after its host", i+1, n.Name)
		}
	}
	return nil, ""
}

// hostRow is the node whose host field is field.
func hostRow(a *steps.Answers, field string) (int, bool) {
	for i := range a.Nodes {
		if field == steps.NodeField(i).Host {
			return i, true
		}
	}
	return 0, false
}

// addNodeRow adds a row under the last: the node steps.NextNode proposes
// when the hosts so far count on (octo3 after octo2), else an empty row
// whose fields stay quiet until the admin has been to them.
func (m *model) addNodeRow(f *answersForm) tea.Cmd {
	left := m.left(f.Leave(&m.answers)) // the check it starts must run, or it counts as running for ever
	next, proposed := m.answers.NextNode()
	addNode(&m.answers)
	row := len(m.answers.Nodes) - 1
	if proposed {
		m.answers.Nodes[row] = next
		f.Propose(steps.NodeField(row).Name, steps.NodeField(row).Host)
		what := next.Name + " at " + next.Host
		if next.Name == "" {
			what = next.Host + ", no name yet"
		}
		m.setStatus(fmt.Sprintf("Node %d proposed: %s; type over it if wrong.", row+1, what), false)
	}
	m.recheck()
	cmd := f.Refocus(&m.answers, nodeFieldPath(row, "name"))
	f.Quiet(nodeFieldPaths(row)...)
	var check tea.Cmd
	if proposed {
		check = m.fieldLeft(steps.NodeField(row).Host, next.Host) // check the proposed host as if typed
	}
	return tea.Batch(left, cmd, check)
}

// nodeFieldPaths are node i's field paths as the grid's cells name them.
func nodeFieldPaths(i int) []string {
	f := steps.NodeField(i)
	return []string{f.Name, f.Host, f.WebPort, f.CommsPort}
}

func (m *model) removeNodeRow(f *answersForm) tea.Cmd {
	if f.Len() == 0 {
		return nil
	}
	row := f.FocusRow()
	removeNode(&m.answers, row)
	// Pending text follows the node numbers, so drop it.
	f.ForgetPending()
	f.MarkSeen()
	m.recheck()
	return f.Refocus(&m.answers, nodeFieldPath(min(row, len(m.answers.Nodes)-1), "name"))
}

// checks are what question screen i shows beside its fields.
func (m *model) checks(i int) *form.Checks {
	return &form.Checks{
		Findings: append(m.findings[:len(m.findings):len(m.findings)], m.liveOpen...),
		Owns:     func(path string) bool { return stepOf(path) == i },
		Live:     func(path string) *form.Live { return m.live[path] },
		Spinner:  m.spinner.View,
	}
}

// formView lays out the question screen showing in w x h.
func (m *model) formView(w, h int) []string {
	return m.formOf(m.stepIdx).Layout(&m.st.form, &m.answers, m.checks(m.stepIdx), w, h)
}

// formKeys are the question screen's keys for the help line.
func (m *model) formKeys() bindings {
	return append(bindings(m.formScreenKeys()), m.keys.Quit)
}

// formScreenKeys are the keys the question screen showing answers to,
// besides typing: the form's (for the focused field), the grid's, Esc.
func (m *model) formScreenKeys() []key.Binding {
	f := m.formOf(m.stepIdx)
	var b []key.Binding
	if m.editsNodes(f) {
		// The grid's own keys first: the help line is cut from its end,
		// and tab and enter work on every screen.
		b = append(b, m.keys.AddNode)
		if f.Len() > 0 {
			b = append(b, m.keys.DelNode) // no row to remove: ctrl+x does nothing
		}
	}
	if f.Len() > 0 {
		b = append(b, f.KeyBinds(&m.keys.form)...)
	} else {
		b = append(b, m.keys.form.Finish) // no field to move to
	}
	if m.stepIdx == 0 {
		return append(b, withDesc(m.keys.Back, "back to the start menu"))
	}
	return append(b, m.keys.Back)
}

// allFormKeys are every key the question screen answers to, for the key
// list: its own and the focused text field's.
func (m *model) allFormKeys() []keyGroup {
	gs := []keyGroup{{title: m.formOf(m.stepIdx).Title, keys: m.formScreenKeys()}}
	if m.input.Focused() {
		gs = append(gs, typingGroup(m.input))
	}
	return gs
}

// editsNodes reports whether f's rows are nodes the admin adds and
// removes: a new cluster's grid. A running cluster gains a node on the New
// node screen, never by a row here.
func (m *model) editsNodes(f *answersForm) bool { return f.Grid() && !m.flow.installed() }

func nodeFieldPath(i int, name string) string {
	if i < 0 {
		return ""
	}
	return "nodes[" + itoa(i) + "]." + name
}

// hasOpenErrors reports errors on step i, typing errors included.
func (m *model) hasOpenErrors(i int) bool {
	return stepHasErrors(m.findings, i) || (m.isForm(i) && m.formOf(i).HasPending())
}
