package tui

import (
	"os"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/term"
)

// terminal is the one place that decides whether the full-screen wizard
// can run and whether colour is on.
type terminal struct {
	// interactive is true when both input and output are terminals.
	interactive bool
	color       bool
}

func detectTerminal(opts Options) terminal {
	t := terminal{interactive: isTerminal(opts.In) && isTerminal(opts.Out)}
	t.color = t.interactive && colorWanted(opts)
	return t
}

// colorWanted is the admin's say on colour, as main worked it out once
// (--no-color, NO_COLOR, TERM=dumb: streams.go) and passed in NoColor.
func colorWanted(opts Options) bool {
	return !opts.NoColor
}

func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// programOptions are the Bubble Tea options for the wizard's streams.
func programOptions(opts Options) []tea.ProgramOption {
	o := []tea.ProgramOption{tea.WithInput(opts.In), tea.WithOutput(opts.Out)}
	if opts.Out == os.Stdout {
		// lipgloss already worked out stdout's colour profile when the
		// program started (its package-level Writer). Bubble Tea would do
		// it all again, and inside tmux that runs `tmux info`: 10-25ms of
		// the first frame (BENCHMARKS.md).
		o = append(o, tea.WithColorProfile(lipgloss.Writer.Profile))
	}
	return o
}
