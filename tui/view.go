package tui

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/octoha/octoha/tui/form"
)

// View shows the frame Update laid out; it changes nothing (see
// TestViewChangesNothing).
func (m *model) View() tea.View {
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "octoha"
	return v
}

// render lays out the frame as text, exactly m.height lines of at most
// m.width cells: a header with every step, the screen's body, a status
// line and the help line. Laying out moves scroll offsets and fills the
// header's and help line's caches, so only Update (and tests) call it.
func (m *model) render() string {
	if m.width < minWidth || m.height < minHeight {
		return m.tooSmall()
	}
	lines, _ := m.layout()
	for i, l := range lines {
		if len(l) > m.width && form.Width(l) > m.width { // bytes >= cells: most lines skip the count
			lines[i] = ansi.Truncate(l, m.width, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// layout is the frame's lines before render cuts them to the window's
// width, and how many lines of the body did not fit under them: only the
// help line may need cutting, and no body line may be lost
// (TestLayoutOfEveryScreen).
func (m *model) layout() (lines []string, lost int) {
	w, h := m.width, m.height
	header := m.header(w)
	status := m.statusLines(w)
	bodyH := h - 3 - len(status) // header line, blank line under it; status and help lines
	var body []string
	switch {
	case m.keysOpen:
		body = m.keyListView(w, bodyH)
	case m.clobber != nil:
		body = m.clobberView(w, bodyH)
	case m.quitting:
		body = m.quitView(w, bodyH)
	case m.onStart && m.setup != nil:
		body = m.setup.view(&m.env, w, bodyH)
	case m.onStart:
		body = m.start.view(&m.env, m.path, w, bodyH)
	case m.stepIdx == reviewIndex:
		body = m.review.view(w, bodyH)
	case m.stepIdx == exportIndex:
		body = m.export.view(w, bodyH)
	default:
		body = m.formView(w, bodyH)
	}
	footer := append(status, m.helpLine(w)) // after the body: the key list's help says whether it scrolls
	lines = make([]string, 0, h)
	lines = append(lines, header, "")
	lines = append(lines, form.Fit(body, bodyH)...)
	return append(lines, footer...), max(len(body)-bodyH, 0)
}

// header names every step and marks where the admin is: "✓" done, "!"
// done but with errors. When it does not fit, the other steps shrink to
// their numbers.
func (m *model) header(w int) string {
	title := func() string { return m.st.title.Render("octoha") } // only when the header is not the last one
	if m.onStart {
		// Shorter on a narrow screen, never cut.
		about := "  Octopus Deploy Server high availability, version " + m.opts.Version
		if len("octoha"+about) > w {
			about = "  Octopus Deploy Server HA, version " + m.opts.Version
		}
		return title() + m.st.dim.Render(about)
	}
	screens := m.screens()
	build := func(short bool) (string, int) {
		var b strings.Builder
		width := 8
		b.WriteString(title() + "  ")
		for pos, i := range screens {
			if pos > 0 {
				b.WriteString(" ")
				width++
			}
			mark := " "
			style := m.st.stepTodo
			switch {
			case i == m.stepIdx:
				style = m.st.stepNow
			case m.isForm(i) && m.completed[i] && m.hasOpenErrors(i):
				mark, style = "!", m.st.stepErr
			case m.completed[i]:
				mark, style = "✓", m.st.stepDone
			}
			text := stepName(i)
			if short && i != m.stepIdx {
				text = strconv.Itoa(pos + 1)
			} else if short {
				text = strconv.Itoa(pos+1) + " " + text
			}
			b.WriteString(style.Render(mark + text))
			width += 1 + len([]rune(text))
		}
		return b.String(), width
	}
	sig := headerSig(w, m.stepIdx, m.completed, m.errorSteps())
	if m.flow.screen() != nil {
		sig += "+"
	}
	if sig == m.headerKey {
		return m.headerText
	}
	line, width := build(false)
	if width > w {
		line, _ = build(true)
	}
	m.headerKey, m.headerText = sig, line
	return line
}

// errorSteps marks the steps with open errors, for the header.
func (m *model) errorSteps() [reviewIndex]bool {
	var out [reviewIndex]bool
	for i := range out {
		out[i] = m.hasOpenErrors(i)
	}
	return out
}

// statusLines is the status in one line, or wrapped in up to
// maxStatusLines when it does not fit (a path named in it): the body
// gives up the lines.
func (m *model) statusLines(w int) []string {
	if m.status == "" {
		return []string{""}
	}
	style := m.st.dim
	if m.statusErr {
		style = m.st.err
	}
	if form.Width(m.status) <= w {
		return []string{style.Render(m.status)}
	}
	lines := wrap(m.status, w)
	lines = lines[:min(len(lines), maxStatusLines)]
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

// maxStatusLines bounds the status, so the body keeps the focused row.
const maxStatusLines = 3

// bindings are the keys that work on the screen showing, as the help
// line offers them: "? all keys" first where ? opens the key list.
func (m *model) bindings() bindings {
	b := m.screenBindings()
	if !m.keysOpen && !m.typingText() {
		b = append(bindings{m.keys.AllKeys}, b...)
	}
	return b
}

// screenBindings are the keys of the screen showing itself.
func (m *model) screenBindings() bindings {
	k := m.keys
	switch {
	case m.keysOpen:
		return m.keyListKeys()
	case m.clobber != nil:
		return m.clobberKeys()
	case m.quitting:
		return bindings{k.Save, k.QuitNow, k.Cancel}
	case m.onStart && m.setup != nil:
		return m.setup.keys(&m.env)
	case m.onStart:
		return m.start.keys(&m.env)
	case m.stepIdx == reviewIndex:
		return m.review.keys(&m.env)
	case m.stepIdx == exportIndex:
		return m.export.keys(&m.env)
	}
	return m.formKeys()
}

// helpLine shows the keys that work on the screen showing.
func (m *model) helpLine(w int) string {
	b := m.bindings()
	// The help line changes with the screen, not with each keystroke:
	// keep the last one.
	sig := make([]string, 0, len(b)+1)
	sig = append(sig, itoa(w))
	for _, kb := range b {
		sig = append(sig, kb.Help().Key+kb.Help().Desc)
	}
	if cacheKey := strings.Join(sig, "|"); cacheKey != m.helpKey {
		m.help.SetWidth(w)
		m.helpKey, m.helpText = cacheKey, m.help.View(b)
	}
	return m.helpText
}

func (m *model) quitView(w, h int) []string {
	box := lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 2)
	inner := w - 6 // the border and the padding
	lines := []string{m.st.title.Render("Quit octoha?"), ""}
	lines = append(lines, hanging("s  ", "save the answers to "+m.path+" and quit", inner)...)
	lines = append(lines, hanging("q  ", "quit without saving", inner)...)
	lines = append(lines, hanging("c  ", "carry on where you were", inner)...)
	lines = append(lines, "", m.st.dim.Render("Ctrl+C again saves and quits."))
	return strings.Split(box.Render(strings.Join(lines, "\n")), "\n")
}

// hanging is text wrapped to w cells after head, its further lines
// indented under the text: a key and what it does.
func hanging(head, text string, w int) []string {
	if len(head)+form.Width(text) <= w && !strings.Contains(text, "\n") {
		return []string{head + text} // whole, as it was typed
	}
	lines := wrap(text, w-len(head))
	for i := range lines {
		if i == 0 {
			lines[i] = head + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", len(head)) + lines[i]
		}
	}
	return lines
}

// wrap breaks plain text into lines of at most w cells at spaces.
func wrap(s string, w int) []string { return form.Wrap(s, w) }

func itoa(i int) string { return strconv.Itoa(i) }

// pad fills s with spaces to w cells (or cuts it).
func pad(s string, w int) string { return form.Pad(s, w) }

// headerSig is what the header depends on, as a cache key.
func headerSig(w, step int, done [stepCount]bool, errs [reviewIndex]bool) string {
	b := make([]byte, 0, 32)
	b = strconv.AppendInt(b, int64(w), 10)
	b = append(b, byte('0'+step))
	for _, d := range done {
		b = strconv.AppendBool(b, d)
	}
	for _, e := range errs {
		b = strconv.AppendBool(b, e)
	}
	return string(b)
}

// The smallest window the wizard lays out in: below it, the focused row,
// its findings and the help line no longer fit (issue 12 measured 60x20).
const (
	minWidth  = 60
	minHeight = 20
)

// tooSmall says how big the window must be, in the lines it has: shorter
// the smaller it is.
func (m *model) tooSmall() string {
	need, now := fmt.Sprintf("%dx%d", minWidth, minHeight), fmt.Sprintf("%dx%d", m.width, m.height)
	var lines []string
	for _, text := range []string{
		"octoha needs a window of at least " + need + "; this one is " + now + ". Make it bigger, or run octoha --plain.",
		"octoha needs at least " + need + ", not " + now + ".",
		"Needs " + need + " (now " + now + ")",
	} {
		if lines = wrap(text, max(m.width, 10)); len(lines) <= m.height {
			break
		}
	}
	return strings.Join(lines[:min(len(lines), max(m.height, 1))], "\n")
}
