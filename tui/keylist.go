package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/tui/form"
)

// The key list: ? shows every key that works on the screen showing, with
// what it does, in place of the screen's body; ? or esc closes it and the
// screen is as it was (nothing under it saw a key). The short help line
// cannot hold them all at 60 or 80 columns.
//
// ? opens the list everywhere except while the admin is typing in a text
// field: once a key has changed the focused field's text since the focus
// came to it, ? is typed there, as in any other field. A field that only
// holds a default or an earlier answer lends ? to the list (no answer
// octoha asks for holds a '?': not a host, a Windows path, a version or
// a URL), and f1 opens the list always. The help line offers "? all keys"
// only where ? opens it.

// keyGroup is a heading and the keys under it.
type keyGroup struct {
	title string
	keys  []key.Binding
	// typing is a text field's editing keys: printable characters type
	// themselves there too.
	typing bool
}

// typingGroup is the focused text input's editing keys.
func typingGroup(in *textinput.Model) keyGroup {
	return keyGroup{title: "Typing (once you type in a field, ? types a ?)", keys: typingKeys(in.KeyMap), typing: true}
}

// typingText reports whether the admin is typing in the focused text
// field: it holds text, and a key changed that text since the focus came
// to it (see trackTyping). There ? is typed rather than opening the list.
func (m *model) typingText() bool {
	id, value, ok := m.focusedText()
	return ok && value != "" && id == m.typedIn
}

// focusedText is the focused text input's identity (which screen and
// field) and its text; ok is false when no text input has the focus.
func (m *model) focusedText() (id, value string, ok bool) {
	switch {
	case m.clobber != nil, m.quitting:
		return "", "", false
	case m.onStart && m.setup != nil:
		s := m.setup
		switch {
		case s.phase == addFile:
			return "setup.file", s.path.Value(), true
		case s.phase == addConnect && s.input.Focused():
			id := "setup.connect"
			if fl, ok := s.connForm.Focused(); ok {
				id += "." + fl.Key()
			}
			return id, s.input.Value(), true
		}
		return "", "", false
	case m.onStart:
		return "start.open", m.start.input.Value(), m.start.asking
	case m.stepIdx == reviewIndex:
		return "", "", false
	case m.stepIdx == exportIndex:
		return "export.folder", m.export.input.Value(), m.export.input.Focused()
	}
	fl, ok := m.formOf(m.stepIdx).Focused()
	if !ok || !m.input.Focused() {
		return "", "", false
	}
	return itoa(m.stepIdx) + "." + fl.Key(), m.input.Value(), true
}

// trackTyping, around each message, notes the field whose text a key
// changed, and forgets it when the focus moves: see typingText.
func (m *model) trackTyping(beforeID, beforeValue string) {
	id, value, ok := m.focusedText()
	switch {
	case !ok || id != beforeID:
		m.typedIn = ""
	case value != beforeValue:
		m.typedIn = id
	}
}

// allKeys are every key the screen showing answers to, grouped: the
// screen's own, ending with the wizard's (ctrl+c, this list), then the
// focused text field's editing keys.
func (m *model) allKeys() []keyGroup {
	var gs []keyGroup
	quit := key.NewBinding(key.WithKeys(m.keys.Quit.Keys()...), key.WithHelp(m.keys.Quit.Help().Key, "quit (asks first)"))
	switch {
	case m.clobber != nil:
		gs = []keyGroup{{title: "Save over " + m.clobber.path + "?", keys: m.clobberKeys()}}
		quit.SetHelp(quit.Help().Key, "do not save now")
	case m.quitting:
		gs = []keyGroup{{title: "Quit octoha?", keys: []key.Binding{m.keys.Save, m.keys.QuitNow, m.keys.Cancel}}}
		quit.SetHelp(quit.Help().Key, "save and quit")
		if m.onStart {
			quit.SetHelp(quit.Help().Key, "quit (nothing to save yet)")
		}
	case m.onStart && m.setup != nil:
		gs = m.setup.allKeys(&m.env)
	case m.onStart:
		gs = m.start.allKeys(&m.env)
	case m.stepIdx == reviewIndex:
		gs = m.review.allKeys(&m.env)
	case m.stepIdx == exportIndex:
		gs = m.export.allKeys(&m.env)
	default:
		gs = m.allFormKeys()
	}
	// The wizard's own keys end the screen's group (or make one, while a
	// screen is busy and answers nothing else).
	if len(gs) == 0 {
		gs = []keyGroup{{title: "While this runs"}}
	}
	gs[0].keys = append(gs[0].keys[:len(gs[0].keys):len(gs[0].keys)], quit, m.keys.KeysF1, m.keys.CloseKeys)
	return gs
}

// updateKeyList answers a key while the list shows; handled is false for
// ctrl+c, which closes the list and then does what it does on the screen.
func (m *model) updateKeyList(msg tea.KeyPressMsg) (handled bool) {
	switch {
	case key.Matches(msg, m.keys.CloseKeys):
		m.keysOpen = false
	case key.Matches(msg, m.keys.Quit):
		m.keysOpen = false
		return false
	case key.Matches(msg, m.keys.ScrollKeys):
		step := 1
		if s := msg.String(); s == "pgup" || s == "pgdown" {
			step = max(m.keysPage, 1)
		}
		if s := msg.String(); s == "up" || s == "pgup" {
			step = -step
		}
		m.keysOffset = max(0, m.keysOffset+step) // the view keeps it in range
	}
	return true
}

// keyListKeys are the help line's keys while the list shows.
func (m *model) keyListKeys() bindings {
	b := bindings{m.keys.CloseKeys}
	if m.keysPage > 0 {
		b = append(b, m.keys.ScrollKeys)
	}
	return append(b, m.keys.Quit)
}

// keyListView is the list in h lines of w cells, scrolled when it does not
// fit (the last line then says which lines show). It keeps the scroll
// offset in range and records the page, so only render calls it.
func (m *model) keyListView(w, h int) []string {
	out := []string{m.st.title.Render("All keys") + m.st.dim.Render("  ? or esc closes this list"), ""}
	room := h - len(out)
	groups := m.allKeys()
	lines := keyListLines(&m.st, groups, w, 1)
	if len(lines) > room && w >= twoColumns {
		lines = keyListLines(&m.st, groups, w, 2)
	}
	m.keysPage = 0
	if len(lines) <= room {
		m.keysOffset = 0
		return append(out, lines...)
	}
	room = max(room-1, 1) // the line saying where the list is
	m.keysPage = room
	m.keysOffset = min(m.keysOffset, len(lines)-room)
	end := m.keysOffset + room
	out = append(out, lines[m.keysOffset:end]...)
	where := fmt.Sprintf("lines %d-%d of %d; ↑/↓ and pgup/pgdn scroll", m.keysOffset+1, end, len(lines))
	if form.Width(where) > w {
		where = form.Pad(where, w)
	}
	return append(out, m.st.dim.Render(where))
}

// twoColumns is the narrowest window the list uses two columns in, when
// one is too long: each then still has room for the widest key and a few
// words beside it.
const twoColumns = 90

// keyListLines lays the groups out in lines of at most w cells: a key
// column and its description wrapped beside it, in cols columns (1 or 2).
func keyListLines(st *styles, groups []keyGroup, w, cols int) []string {
	keyW := 0
	for _, g := range groups {
		for _, b := range g.keys {
			keyW = max(keyW, form.Width(b.Help().Key))
		}
	}
	colW := w
	if cols == 2 {
		colW = (w - 2) / 2
	}
	keyW = min(keyW, colW/3)
	// blocks are what a column break may not split: a heading with the
	// key under it, or one key and its wrapped description.
	var blocks [][]string
	for _, g := range groups {
		for i, b := range g.keys {
			block := keyLines(st, b, keyW, colW)
			if i == 0 {
				var head []string
				for _, l := range form.Wrap(g.title, colW) { // a title may name a long path
					head = append(head, st.accent.Render(l))
				}
				block = append(head, block...)
				if len(blocks) > 0 {
					block = append([]string{""}, block...)
				}
			}
			blocks = append(blocks, block)
		}
	}
	var lines []string
	if cols == 1 {
		for _, b := range blocks {
			lines = append(lines, b...)
		}
	} else {
		lines = sideBySide(blocks, colW)
	}
	return lines
}

// keyLines are one key and its description wrapped beside it; a key wider
// than its column gets a line of its own.
func keyLines(st *styles, b key.Binding, keyW, w int) []string {
	h := b.Help()
	descW := max(w-keyW-4, 10)
	desc := form.Wrap(h.Desc, descW)
	indent := "    " + form.Pad("", keyW)
	var out []string
	if form.Width(h.Key) > keyW {
		out = append(out, "  "+st.label.Render(h.Key))
	} else {
		out = append(out, "  "+st.label.Render(form.Pad(h.Key, keyW))+"  "+desc[0])
		desc = desc[1:]
	}
	for _, d := range desc {
		out = append(out, indent+d)
	}
	return out
}

// sideBySide splits the blocks into two columns of w cells, as even as
// the blocks allow, the left one the longer.
func sideBySide(blocks [][]string, w int) []string {
	total := 0
	for _, b := range blocks {
		total += len(b)
	}
	var left, right []string
	for _, b := range blocks {
		if len(right) == 0 && len(left)+len(b) <= (total+1)/2 || len(left) == 0 {
			left = append(left, b...)
			continue
		}
		if len(right) == 0 && len(b) > 0 && b[0] == "" {
			b = b[1:] // a column starts with its heading
		}
		right = append(right, b...)
	}
	out := make([]string, max(len(left), len(right)))
	for i := range out {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = l
		if r != "" {
			out[i] = form.Pad(l, w) + "  " + r
		}
	}
	return out
}
