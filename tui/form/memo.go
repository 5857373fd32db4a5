package form

import (
	"slices"

	"github.com/octoha/octoha/validate"
)

// memo keeps the lines a form drew from text (its title and intro, the
// focused field's explanation, each finding), by everything those lines
// depend on, so a keystroke does not paint and wrap again what it did not
// change. Layout fills it, from Update; View never does.
type memo struct {
	lines map[memoKey][]string
}

// memoKey is what a memo's lines depend on. The theme counts by address:
// a Theme is not changed once forms have drawn with it.
type memoKey struct {
	t                 *Theme
	kind              memoKind
	text, fix, indent string
	sev               validate.Severity
	w                 int
}

type memoKind uint8

const (
	memoTitle memoKind = iota
	memoDim
	memoFinding
)

// memoMax bounds a memo: past it, it starts again empty.
const memoMax = 256

// get is k's lines, drawing them the first time. The lines are shared:
// callers append them to their own, never append to them.
func (m *memo) get(k memoKey, draw func() []string) []string {
	if l, ok := m.lines[k]; ok {
		return l
	}
	if m.lines == nil || len(m.lines) >= memoMax {
		m.lines = make(map[memoKey][]string)
	}
	l := slices.Clip(draw())
	m.lines[k] = l
	return l
}

// dim is text wrapped to w and dimmed.
func (m *memo) dim(t *Theme, text string, w int) []string {
	return m.get(memoKey{t: t, kind: memoDim, text: text, w: w}, func() []string {
		lines := Wrap(text, w)
		for i, l := range lines {
			lines[i] = t.Dim.On(l)
		}
		return lines
	})
}

// findingLines appends fs's lines (Theme.FindingLines) to out.
func (m *memo) findingLines(out []string, t *Theme, fs validate.Findings, indent string, w int) []string {
	for _, f := range fs {
		k := memoKey{t: t, kind: memoFinding, text: f.Message, fix: f.Fix, indent: indent, sev: f.Severity, w: w}
		out = append(out, m.get(k, func() []string { return t.findingLines(nil, f, indent, w) })...)
	}
	return out
}
