package tui

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/octoha/octoha/tui/form"
	"github.com/octoha/octoha/validate"
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
	w, h := m.width, m.height
	header := m.header(w)
	bodyH := h - 4 // header line, blank line under it; status and help lines
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
	footer := []string{m.statusLine(w), m.helpLine(w)} // after the body: the key list's help says whether it scrolls
	lines := make([]string, 0, h)
	lines = append(lines, header, "")
	lines = append(lines, form.Fit(body, bodyH)...)
	lines = append(lines, footer...)
	for i, l := range lines {
		if len(l) > w && form.Width(l) > w { // bytes >= cells: most lines skip the count
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// header names every step and marks where the admin is: "✓" done, "!"
// done but with errors. When it does not fit, the other steps shrink to
// their numbers.
func (m *model) header(w int) string {
	title := func() string { return m.st.title.Render("octoha") } // only when the header is not the last one
	if m.onStart {
		return title() + m.st.dim.Render("  Octopus Deploy Server high availability, version "+m.opts.Version)
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

func (m *model) statusLine(w int) string {
	if m.status == "" {
		return ""
	}
	if m.statusErr {
		return m.st.err.Render(m.status)
	}
	return m.st.dim.Render(m.status)
}

// helpLine shows the keys that work on the screen showing.
func (m *model) helpLine(w int) string {
	k := m.keys
	var b bindings
	switch {
	case m.keysOpen:
		b = m.keyListKeys()
	case m.clobber != nil:
		b = m.clobberKeys()
	case m.quitting:
		b = bindings{k.Save, k.QuitNow, k.Cancel}
	case m.onStart && m.setup != nil:
		b = m.setup.keys(&m.env)
	case m.onStart:
		b = m.start.keys(&m.env)
	case m.stepIdx == reviewIndex:
		b = m.review.keys(&m.env)
	case m.stepIdx == exportIndex:
		b = m.export.keys(&m.env)
	default:
		b = m.formKeys()
	}
	if !m.keysOpen && !m.typingText() {
		b = append(bindings{k.AllKeys}, b...)
	}
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
	text := strings.Join([]string{
		m.st.title.Render("Quit octoha?"),
		"",
		"s  save the answers to " + m.path + " and quit",
		"q  quit without saving",
		"c  carry on where you were",
		"",
		m.st.dim.Render("Ctrl+C again saves and quits."),
	}, "\n")
	return strings.Split(box.Render(text), "\n")
}

// findingLines renders findings as "error: message. Fix" wrapped to w,
// each line indented.
func (m *model) findingLines(fs validate.Findings, indent string, w int) []string {
	return m.st.form.FindingLines(fs, indent, w)
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

// tooSmall says how big the window must be, in the lines it has.
func (m *model) tooSmall() string {
	text := fmt.Sprintf("octoha needs a window of at least %dx%d; this one is %dx%d. Make it bigger, or run octoha --plain.",
		minWidth, minHeight, m.width, m.height)
	return strings.Join(wrap(text, max(m.width, 10)), "\n")
}
