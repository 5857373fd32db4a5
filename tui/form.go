package tui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"strings"

	"github.com/octoha/octoha/validate"
)

// form is the state of the question screen showing: its fields, which one
// has focus, and what the admin typed that is not an answer yet. Focus is
// kept by answers path, so a re-layout (a resize, a field appearing) never
// loses it.
type form struct {
	step   int
	rows   [][]field
	fields []field // rows flattened, in tab order
	rowOf  []int
	// rowStart is the tab-order index of each row's first field.
	rowStart []int
	focus    int
	offset   int // first row shown when the rows do not fit
	input    textinput.Model

	// focusByStep remembers the focused field of each step for going back.
	focusByStep [stepCount]string
	// pending is text that could not be stored (a port that is not a
	// number), with why; it stays on screen as an error until fixed.
	pending map[string]pendingText
	// touched fields show their findings; untouched ones stay quiet until
	// the admin has been there, so a new screen is not a wall of red.
	touched  map[string]bool
	touchAll bool
	// stepSeen marks steps whose cluster-wide findings show (e.g. "there
	// are no nodes"): set when the admin leaves or completes the step.
	stepSeen [stepCount]bool
}

type pendingText struct {
	text string
	err  error
}

func (f *form) init(st styles) {
	f.input = newInput(st)
	f.pending = map[string]pendingText{}
	f.touched = map[string]bool{}
}

// open shows step i with the focus where the admin left it.
func (f *form) open(m *model, i int) tea.Cmd {
	f.step = i
	f.offset, f.focus = 0, 0
	f.relayout(m, f.focusByStep[i])
	return f.loadInput(m)
}

// relayout rebuilds the fields from the answers and puts the focus back on
// the field at path (or the nearest one when it is gone).
func (f *form) relayout(m *model, path string) {
	f.rows = m.stepAt(f.step).fields(&m.answers)
	f.fields = f.fields[:0]
	f.rowOf = f.rowOf[:0]
	f.rowStart = f.rowStart[:0]
	for r, row := range f.rows {
		f.rowStart = append(f.rowStart, len(f.fields))
		for _, fl := range row {
			f.fields = append(f.fields, fl)
			f.rowOf = append(f.rowOf, r)
		}
	}
	for i, fl := range f.fields {
		if fl.path == path {
			f.focus = i
			return
		}
	}
	f.focus = max(0, min(f.focus, len(f.fields)-1))
}

// focused is the field with focus; ok is false on a screen with no fields
// (Nodes before the first node is added).
func (f *form) focused() (field, bool) {
	if f.focus < 0 || f.focus >= len(f.fields) {
		return field{}, false
	}
	return f.fields[f.focus], true
}

// loadInput puts the focused field's text in the text input.
func (f *form) loadInput(m *model) tea.Cmd {
	fl, ok := f.focused()
	if !ok {
		f.input.Blur()
		return nil
	}
	f.focusByStep[f.step] = fl.path
	if fl.kind == choiceKind {
		f.input.Blur()
		return nil
	}
	text := fl.get(&m.answers)
	if p, ok := f.pending[fl.path]; ok {
		text = p.text
	}
	f.input.SetValue(text)
	f.input.CursorEnd()
	f.input.Placeholder = ""
	if fl.derived != nil {
		f.input.Placeholder = fl.derived(&m.answers)
	}
	return f.input.Focus()
}

// value is what a field shows: pending text, else the answer.
func (f *form) value(m *model, fl field) string {
	if p, ok := f.pending[fl.path]; ok {
		return p.text
	}
	return fl.get(&m.answers)
}

func (f *form) update(m *model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return f.key(m, msg)
	case tea.PasteMsg:
		if fl, ok := f.focused(); ok && fl.kind != choiceKind {
			var cmd tea.Cmd
			f.input, cmd = f.input.Update(msg)
			return tea.Batch(cmd, f.edited(m, fl))
		}
	}
	return nil
}

func (f *form) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	fl, hasField := f.focused()
	switch {
	case key.Matches(msg, k.Back):
		left := f.leave(m)
		return tea.Batch(left, m.back())
	case key.Matches(msg, k.Enter):
		if !hasField || f.focus == len(f.fields)-1 {
			left := f.leave(m)
			f.touchStep(m)
			return tea.Batch(left, m.completeStep())
		}
		return f.move(m, 1)
	case key.Matches(msg, k.Next):
		return f.move(m, 1)
	case key.Matches(msg, k.Prev):
		return f.move(m, -1)
	case m.stepAt(f.step).grid && key.Matches(msg, k.AddNode):
		return f.addNode(m)
	case m.stepAt(f.step).grid && key.Matches(msg, k.DelNode):
		return f.removeNode(m)
	}
	if !hasField {
		return nil
	}
	if fl.kind == choiceKind {
		switch msg.String() {
		case "left":
			fl.chooseNext(&m.answers, -1)
		case "right", "space":
			fl.chooseNext(&m.answers, 1)
		default:
			return nil
		}
		f.touched[fl.path] = true
		m.recheck()
		f.relayout(m, fl.path)
		return m.fieldChanged(fl.path, fl.get(&m.answers))
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	if f.input.Value() == f.value(m, fl) {
		return cmd // the cursor moved; nothing changed
	}
	return tea.Batch(cmd, f.edited(m, fl))
}

// edited stores the input's text as the answer, checks everything again
// and re-lays out (an answer may add or remove fields).
func (f *form) edited(m *model, fl field) tea.Cmd {
	text := f.input.Value()
	if err := fl.set(&m.answers, text); err != nil {
		f.pending[fl.path] = pendingText{text: text, err: err}
	} else {
		delete(f.pending, fl.path)
	}
	f.touched[fl.path] = true
	m.recheck()
	// Typing can add or remove fields (an https URL adds the certificate),
	// except in the node grid, whose rows change only by ctrl+n and ctrl+x.
	if !m.stepAt(f.step).grid {
		f.relayout(m, fl.path)
	}
	if fl.derived != nil {
		f.input.Placeholder = fl.derived(&m.answers)
	}
	return m.fieldChanged(fl.path, f.value(m, fl))
}

// move changes focus by delta fields, staying on the screen.
func (f *form) move(m *model, delta int) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	cmd := f.leave(m)
	f.focus = max(0, min(f.focus+delta, len(f.fields)-1))
	return tea.Batch(cmd, f.loadInput(m))
}

// leave marks the focused field seen and starts its live check.
func (f *form) leave(m *model) tea.Cmd {
	fl, ok := f.focused()
	if !ok {
		return nil
	}
	f.touched[fl.path] = true
	return m.fieldLeft(fl.path, f.value(m, fl))
}

// touchStep shows every finding of the step: the admin tried to move on.
func (f *form) touchStep(m *model) {
	f.stepSeen[f.step] = true
	for _, fl := range f.fields {
		f.touched[fl.path] = true
	}
}

func (f *form) addNode(m *model) tea.Cmd {
	left := f.leave(m) // the check it starts must run, or it counts as running for ever
	addNode(&m.answers)
	m.recheck()
	first := len(f.fields) == 0
	f.relayout(m, nodeFieldPath(len(m.answers.Nodes)-1, "name"))
	if first {
		f.focus = 0
	}
	return tea.Batch(left, f.loadInput(m))
}

func (f *form) removeNode(m *model) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	row := f.rowOf[f.focus]
	removeNode(&m.answers, row)
	// Pending text and seen marks follow the node numbers, so drop them.
	for path := range f.pending {
		if stepOf(path) == f.step {
			delete(f.pending, path)
		}
	}
	f.stepSeen[f.step] = true
	m.recheck()
	f.relayout(m, nodeFieldPath(min(row, len(m.answers.Nodes)-1), "name"))
	return f.loadInput(m)
}

// messages are what shows under a field: a typing error, else the pure
// checks' findings and the live check's, once the admin has been there.
func (f *form) messages(m *model, fl field) validate.Findings {
	if p, ok := f.pending[fl.path]; ok {
		return validate.Findings{{Severity: validate.Error, Field: fl.path, Message: p.err.Error()}}
	}
	// An opened file shows every finding at once, but the new node's fields
	// start empty on purpose: they stay quiet until the admin gets there.
	showAll := f.touchAll && !strings.HasPrefix(fl.path, newNodePrefix)
	if !showAll && !f.touched[fl.path] {
		return nil
	}
	out := m.findings.For(fl.path)
	if lc := m.live[fl.path]; lc != nil && !lc.running {
		out = append(out, lc.findings...)
	}
	return out
}

// looseFindings are the step's findings that no field on screen shows,
// such as "there are no nodes".
func (f *form) looseFindings(m *model) validate.Findings {
	if !f.touchAll && !f.stepSeen[f.step] {
		return nil
	}
	shown := make(map[string]bool, len(f.fields))
	for _, fl := range f.fields {
		shown[fl.path] = true
	}
	var out validate.Findings
	for _, fd := range m.findings {
		if !shown[fd.Field] && stepOf(fd.Field) == f.step {
			out = append(out, fd)
		}
	}
	return out
}

func nodeFieldPath(i int, name string) string {
	if i < 0 {
		return ""
	}
	return "nodes[" + itoa(i) + "]." + name
}

// hasOpenErrors reports errors on step i, typing errors included.
func (m *model) hasOpenErrors(i int) bool {
	if stepHasErrors(m.findings, i) {
		return true
	}
	for path := range m.form.pending {
		if stepOf(path) == i {
			return true
		}
	}
	return false
}
