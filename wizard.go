package main

import (
	"fmt"

	"github.com/octoha/octoha/tui"
	"github.com/octoha/octoha/validate/live"
)

// wizardOptions are the flags of `octoha` without a command.
type wizardOptions struct {
	Answers string
	Plain   bool
	NoColor bool
	Version bool
}

// parseWizard reads the arguments of `octoha` without a command; a word
// that is no command is a usage error.
func parseWizard(args []string) (wizardOptions, error) {
	var o wizardOptions
	f := newFlagSet("octoha [--answers FILE] [--plain] [--no-color]", overview)
	f.fs.StringVar(&o.Answers, "answers", "", "the answers `FILE` to open and save to (default ./octoha-answers.yaml)")
	f.fs.BoolVar(&o.Plain, "plain", false, "ask the questions line by line instead of the full-screen wizard")
	f.fs.BoolVar(&o.NoColor, "no-color", false, "no colour (also when NO_COLOR is set)")
	f.fs.BoolVar(&o.Version, "version", false, "print octoha's version")
	f.unexpected = "unknown command %q"
	return o, f.parse(args)
}

// runWizard runs the wizard, or --plain's questions, which say themselves
// what went wrong.
func runWizard(s *streams, o wizardOptions) error {
	if o.Version {
		fmt.Fprintln(s.Out, "octoha", version)
		return nil
	}
	code := tui.Run(tui.Options{
		AnswersPath:  o.Answers,
		OpenExisting: o.Answers != "",
		NoColor:      o.NoColor || !s.Color,
		Plain:        o.Plain || s.Dumb,
		In:           s.In,
		Out:          s.Out,
		Err:          s.Err,
		Version:      version,
		LiveCheck:    liveCheck,
		LiveDepends:  live.DependsOn,
		ListNodes:    listNodes,
	})
	switch code {
	case exitOK:
		return nil
	case exitUsage:
		return errReportedUsage
	}
	return errReported
}
