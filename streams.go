package main

import (
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// streams are a command's standard streams and the one place that decides
// what they are: whether input and output are terminals, and whether colour
// is on. NO_COLOR is read here and nowhere else in package main.
type streams struct {
	In       io.Reader
	Out, Err io.Writer
	// InTerminal and OutTerminal are true when In and Out are terminals.
	InTerminal, OutTerminal bool
	// Color is true when Out is a terminal, NO_COLOR is not set (any
	// value turns colour off, no-color.org) and TERM is not dumb.
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
	s.Color = s.OutTerminal && getenv("NO_COLOR") == "" && !s.Dumb
	return s
}

func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
