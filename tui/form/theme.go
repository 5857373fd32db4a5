package form

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/octoha/octoha/validate"
)

// Theme is how a form looks: data, as huh's themes are. The paints are
// the styles drawn many times a frame.
type Theme struct {
	Title, Label, FocusLabel        lipgloss.Style
	Dim, Accent, On, Off, Warn, Err Paint
}

// Paint is a one-line style as the escape codes around the text: the
// same look as its lipgloss style, without lipgloss's layout work, for the
// cells a 16-node screen draws on every keystroke.
type Paint struct{ pre, post string }

// PaintOf is st's look as a Paint.
func PaintOf(st lipgloss.Style) Paint {
	pre, post, _ := strings.Cut(st.Render("\x00"), "\x00")
	return Paint{pre, post}
}

// On paints s; an empty s stays empty.
func (p Paint) On(s string) string {
	if s == "" {
		return s
	}
	return p.pre + s + p.post
}

// FindingLines renders findings as "error: message. Fix" wrapped to w,
// each line indented.
func (t *Theme) FindingLines(fs validate.Findings, indent string, w int) []string {
	var out []string
	for _, f := range fs {
		out = t.findingLines(out, f, indent, w)
	}
	return out
}

// findingLines appends one finding's lines to out.
func (t *Theme) findingLines(out []string, f validate.Finding, indent string, w int) []string {
	style := t.Warn
	word := "warning: "
	if f.Severity == validate.Error {
		style, word = t.Err, "error: "
	}
	text := f.Message
	if f.Fix != "" {
		if !strings.HasSuffix(text, ".") {
			text += "."
		}
		text += " " + f.Fix
	}
	for _, l := range Wrap(word+text, w-len(indent)) {
		out = append(out, indent+style.On(l))
	}
	return out
}

// Wrap breaks plain text into lines of at most w cells at spaces.
func Wrap(s string, w int) []string {
	w = max(w, 10)
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case Width(line)+1+Width(word) <= w:
				line += " " + word
			default:
				lines = append(lines, line)
				line = word
			}
			for Width(line) > w {
				lines = append(lines, ansi.Truncate(line, w, ""))
				line = ansi.TruncateLeft(line, w, "")
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// Pad fills s with spaces to w cells (or cuts it).
func Pad(s string, w int) string {
	n := Width(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

// Width is s's width in cells, as ansi.StringWidth counts them. Printable
// ASCII and the SGR sequences the paints draw (ESC [ parameters final),
// what nearly every line of a frame is, are counted here without the
// grapheme walk; anything else goes to ansi.StringWidth.
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x20 && c < 0x7f:
			n++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f { // parameters
				j++
			}
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f { // intermediates
				j++
			}
			if j == len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.StringWidth(s)
			}
			i = j // the final byte
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}
