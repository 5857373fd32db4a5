package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/octoha/octoha/tui/form"
)

// styles are every look the wizard has, in one place: one accent colour,
// errors red, warnings amber, the rest the terminal's own colours. With
// colour off every style keeps only what reads without colour (bold,
// faint), and markers such as "> " and "[ ]" carry the meaning.
type styles struct {
	title, accent, dim, label, focusLabel lipgloss.Style
	err, warn, ok                         lipgloss.Style
	stepNow, stepDone, stepErr, stepTodo  lipgloss.Style
	choiceOn, choiceOff                   lipgloss.Style
	input                                 lipgloss.Style
	help                                  help.Styles
	// color is false when colour is off (--no-color, NO_COLOR, TERM=dumb).
	color bool

	// Paints of the styles drawn many times a frame (see form.Paint).
	pDim, pErr, pWarn, pAccent, pOn, pOff form.Paint
	// form is the form kit's theme: these styles, as its data.
	form form.Theme
}

func (s *styles) makePaints() {
	s.pDim, s.pErr, s.pWarn = form.PaintOf(s.dim), form.PaintOf(s.err), form.PaintOf(s.warn)
	s.pAccent, s.pOn, s.pOff = form.PaintOf(s.accent), form.PaintOf(s.choiceOn), form.PaintOf(s.choiceOff)
	s.form = form.Theme{Title: s.title, Label: s.label, FocusLabel: s.focusLabel,
		Dim: s.pDim, Accent: s.pAccent, On: s.pOn, Off: s.pOff, Warn: s.pWarn, Err: s.pErr}
}

func newStyles(color bool) styles {
	s := styles{
		title:      lipgloss.NewStyle().Bold(true),
		accent:     lipgloss.NewStyle().Bold(true),
		dim:        lipgloss.NewStyle().Faint(true),
		label:      lipgloss.NewStyle(),
		focusLabel: lipgloss.NewStyle().Bold(true),
		err:        lipgloss.NewStyle(),
		warn:       lipgloss.NewStyle(),
		ok:         lipgloss.NewStyle(),
		stepNow:    lipgloss.NewStyle().Bold(true).Underline(true),
		stepDone:   lipgloss.NewStyle(),
		stepErr:    lipgloss.NewStyle(),
		stepTodo:   lipgloss.NewStyle().Faint(true),
		choiceOn:   lipgloss.NewStyle().Bold(true),
		choiceOff:  lipgloss.NewStyle().Faint(true),
		input:      lipgloss.NewStyle(),
		color:      color,
	}
	s.help = help.Styles{
		ShortKey:       lipgloss.NewStyle(),
		ShortDesc:      lipgloss.NewStyle().Faint(true),
		ShortSeparator: lipgloss.NewStyle().Faint(true),
		Ellipsis:       lipgloss.NewStyle().Faint(true),
		FullKey:        lipgloss.NewStyle(),
		FullDesc:       lipgloss.NewStyle().Faint(true),
		FullSeparator:  lipgloss.NewStyle().Faint(true),
	}
	if !color {
		s.makePaints()
		return s
	}
	accent := lipgloss.Color("6") // cyan: the one accent
	red := lipgloss.Color("1")
	amber := lipgloss.Color("3")
	s.title = s.title.Foreground(accent)
	s.accent = s.accent.Foreground(accent)
	s.focusLabel = s.focusLabel.Foreground(accent)
	s.err = s.err.Foreground(red)
	s.warn = s.warn.Foreground(amber)
	s.stepNow = s.stepNow.Foreground(accent)
	s.stepErr = s.stepErr.Foreground(red)
	s.choiceOn = s.choiceOn.Foreground(accent)
	s.help.ShortKey = s.help.ShortKey.Foreground(accent)
	s.help.FullKey = s.help.FullKey.Foreground(accent)
	s.makePaints()
	return s
}
