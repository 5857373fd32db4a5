package main

import (
	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
)

// exportOptions are `octoha export`'s flags.
type exportOptions struct {
	Answers string
	Out     string
	Force   bool
	Ignore  []string
}

// parseExport reads `octoha export`'s arguments.
func parseExport(args []string) (exportOptions, error) {
	var o exportOptions
	f := newFlagSet("octoha export --answers FILE --out DIR [--force] [--ignore ID,...]",
		"Checks the answers and writes every script and config, with a copy of the answers\n(octoha-answers.yaml, never over the file read), into DIR: all of them or none.")
	f.fs.StringVar(&o.Answers, "answers", "", "the answers `FILE` (required)")
	f.fs.StringVar(&o.Out, "out", "", "the `DIR` to write into (required; created if missing)")
	f.fs.BoolVar(&o.Force, "force", false, "overwrite files that already exist")
	f.fs.Var((*ignoreList)(&o.Ignore), "ignore", ignoreUsage)
	f.required = []string{"answers", "out"}
	return o, f.parse(args)
}

// runExport checks the answers and writes every file.
func runExport(s *streams, o exportOptions) error {
	file, err := steps.Load(o.Answers)
	if err != nil {
		return err
	}
	res, err := export.Write(file.Answers, o.Out, export.Options{Force: o.Force, Ignore: o.Ignore, Source: o.Answers})
	return reportWrite(s, fileLocator(file), res, err, file.Path)
}
