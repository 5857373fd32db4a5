package main

import (
	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
)

// removeNodeOptions are `octoha remove-node`'s flags.
type removeNodeOptions struct {
	Answers string
	Name    string
	Out     string
	Force   bool
	Ignore  []string
}

// parseRemoveNode reads `octoha remove-node`'s arguments.
func parseRemoveNode(args []string) (removeNodeOptions, error) {
	var o removeNodeOptions
	f := newFlagSet("octoha remove-node --answers FILE --name N --out DIR [--force] [--ignore ID,...]",
		"Takes a node out of a running cluster and writes its drain script, the load balancer file, the\n"+
			"polling tentacle update, the shrunk answers and a checklist for the change into DIR.")
	f.fs.StringVar(&o.Answers, "answers", "", "the running cluster's answers `FILE` (required)")
	f.fs.StringVar(&o.Name, "name", "", "the node `N` to take out (required)")
	f.fs.StringVar(&o.Out, "out", "", "the `DIR` to write the change into (required; created if missing)")
	f.fs.BoolVar(&o.Force, "force", false, "overwrite files that already exist")
	f.fs.Var((*ignoreList)(&o.Ignore), "ignore", ignoreUsage)
	f.required = []string{"answers", "name", "out"}
	return o, f.parse(args)
}

// runRemoveNode shrinks the cluster by one node.
func runRemoveNode(s *streams, o removeNodeOptions) error {
	file, err := steps.Load(o.Answers)
	if err != nil {
		return err
	}
	res, err := export.RemoveNode(file.Answers, export.RemoveNodeOptions{Name: o.Name, Dir: o.Out, Force: o.Force, Ignore: o.Ignore})
	// The findings are about the shrunk answers, whose node positions no
	// longer match the file's lines.
	atFile := func(string) string { return file.Path }
	return reportWrite(s, atFile, res, err, "the changed cluster")
}
