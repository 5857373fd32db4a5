package form

import (
	"math/rand/v2"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Width counts as ansi.StringWidth does, for the paints' escape codes,
// broken and unusual sequences, and text that is not ASCII.
func TestWidthIsStringWidth(t *testing.T) {
	bold := lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#ff8800"))
	cases := []string{"", "plain", bold.Render("painted"), "a\x1b[7mb\x1b[0m", "\x1b[", "\x1b[31", "\x1b[?25l",
		"\x1b]8;;http://x\x07link\x1b]8;;\x07", "\x1bc", "tab\there", "é", "✓ done", "日本", "\x7f", "\x1b[1;2 q"}
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", " ", "[", "\x1b", "\x1b[", "0", "9", ";", ":", "?", " ", "!", "/", "m", "K", "@", "~", "\x7f", "\n", "\x07", "é", "…", "\x1b]"}
	for range 50000 {
		var s string
		for n := r.IntN(12); n > 0; n-- {
			s += pieces[r.IntN(len(pieces))]
		}
		cases = append(cases, s)
	}
	for _, s := range cases {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, ansi.StringWidth %d", s, got, want)
		}
	}
}
