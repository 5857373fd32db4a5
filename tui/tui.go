// Package tui is octoha's wizard: Bubble Tea screens for each step.
package tui

import (
	"fmt"
	"io"
)

// Options are what main passes to the wizard.
type Options struct {
	// AnswersPath is the answers file to open and to save to as steps are
	// completed; "" means ./octoha-answers.yaml, created on first save.
	AnswersPath string
	// OpenExisting is true when the admin named AnswersPath with --answers.
	OpenExisting bool
	NoColor      bool
	Plain        bool
	In           io.Reader
	Out, Err     io.Writer
	// Version is octoha's own version, shown in the header.
	Version string
}

// Run starts the wizard and returns the process exit code.
// (Placeholder until the wizard lands.)
func Run(opts Options) int {
	fmt.Fprintln(opts.Err, "octoha: the wizard is not built yet; use: octoha export --answers FILE --out DIR")
	return 2
}
