package main

import (
	"context"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
)

// addNodeOptions are `octoha add-node`'s flags.
type addNodeOptions struct {
	Answers string
	// Node is the new node; ports 0 mean derived.
	Node   steps.Node
	Out    string
	Force  bool
	Ignore []string
	// resolver checks that the new host resolves; nil is the system's.
	resolver export.Resolver
}

// parseAddNode reads `octoha add-node`'s arguments.
func parseAddNode(args []string) (addNodeOptions, error) {
	var o addNodeOptions
	f := newFlagSet("octoha add-node --answers FILE --name N --host H [--web-port P] [--comms-port P] --out DIR [--force] [--ignore ID,...]",
		"Adds a node to a running cluster and writes its join script, the load balancer file, the polling\n"+
			"tentacle update, the grown answers and a checklist for the change into DIR. A host that does not\n"+
			"resolve from this machine yet (its DNS record is still to come) is written with --ignore dns.host.")
	f.fs.StringVar(&o.Answers, "answers", "", "the running cluster's answers `FILE` (required)")
	f.fs.StringVar(&o.Node.Name, "name", "", "the new node's name `N`, unique in the cluster (required)")
	f.fs.StringVar(&o.Node.Host, "host", "", "the new node's host name `H` (required)")
	f.fs.IntVar(&o.Node.WebPort, "web-port", 0, "the new node's web port `P` (default octopus.webPort)")
	f.fs.IntVar(&o.Node.CommsPort, "comms-port", 0, "the new node's comms port `P` (default: the next by the tentacles' polling mode)")
	f.fs.StringVar(&o.Out, "out", "", "the `DIR` to write the change into (required; created if missing)")
	f.fs.BoolVar(&o.Force, "force", false, "overwrite files that already exist")
	f.fs.Var((*ignoreList)(&o.Ignore), "ignore", ignoreUsage)
	f.required = []string{"answers", "name", "host", "out"}
	return o, f.parse(args)
}

// runAddNode grows the cluster by one node.
func runAddNode(s *streams, o addNodeOptions) error {
	file, err := steps.Load(o.Answers)
	if err != nil {
		return err
	}
	res, err := export.AddNode(context.Background(), file.Answers, export.AddNodeOptions{
		Node: o.Node, Dir: o.Out, Force: o.Force, Ignore: o.Ignore, Resolver: o.resolver,
	})
	return reportWrite(s, newNodeLocator(file, len(file.Answers.Nodes)), res, err, "the changed cluster")
}
