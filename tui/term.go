package tui

import (
	"os"

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
	t.color = t.interactive && !opts.NoColor && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	return t
}

func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
