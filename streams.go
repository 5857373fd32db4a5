package main

import (
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// streams are a command's standard streams and the one place that decides
// what they are: whether input and output are terminals, and whether colour
// is on. NO_COLOR and TERM are read here and nowhere else in package main.
type streams struct {
	In       io.Reader
	Out, Err io.Writer
	// InTerminal and OutTerminal are true when In and Out are terminals.
	InTerminal, OutTerminal bool
	// Color is true when Out is a terminal that takes colour (colorOn).
	Color bool
	// Dumb is true under TERM=dumb: a terminal that cannot move the
	// cursor, where the wizard asks line by line (--plain).
	Dumb bool
}

// newStreams is the streams of in, out and errOut; getenv reads the
// environment (os.Getenv).
func newStreams(in io.Reader, out, errOut io.Writer, getenv func(string) string) *streams {
	s := &streams{In: in, Out: out, Err: errOut, InTerminal: isTerminal(in), OutTerminal: isTerminal(out)}
	s.Dumb = getenv("TERM") == "dumb"
	s.Color = colorOn(s.OutTerminal, getenv)
	return s
}

// colorOn reports whether output to a terminal (or not) takes colour:
// NO_COLOR set to any value (no-color.org) and TERM=dumb turn it off.
func colorOn(terminal bool, getenv func(string) string) bool {
	return terminal && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
