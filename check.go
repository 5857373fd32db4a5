package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/dbprobe"
	"github.com/octoha/octoha/validate/live"
)

// checkOptions are `octoha check`'s flags.
type checkOptions struct {
	Answers string
	Timeout time.Duration
	JSON    bool
	Ignore  []string
	// StaleAfter and NodeLimit judge the rows of the nodes table (see
	// dbprobe.Options).
	StaleAfter time.Duration
	NodeLimit  int
	// network is how the probes reach the network; tests give a fixed
	// resolver.
	network network
}

// parseCheck reads `octoha check`'s arguments.
func parseCheck(args []string) (checkOptions, error) {
	o := checkOptions{Timeout: live.DefaultTimeout, StaleAfter: dbprobe.DefaultStaleAfter}
	f := newFlagSet("octoha check --answers FILE [--timeout D] [--json] [--ignore ID,...] [--stale-after D] [--node-limit N]",
		"Checks the answers, then probes the database, nodes, shares, balancer and Redis from\n"+
			"this machine, as the running cluster the answers describe: their nodes are the\n"+
			"cluster's own. Passwords come from OCTOHA_SQL_PASSWORD and OCTOHA_REDIS_PASSWORD.\n"+
			"Exits 0 when nothing is an error, 1 otherwise.")
	f.fs.StringVar(&o.Answers, "answers", "", "the answers `FILE` (required)")
	f.fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "how long each live check may take, a `D`uration such as 5s")
	f.fs.BoolVar(&o.JSON, "json", false, "print the findings as JSON")
	f.fs.Var((*ignoreList)(&o.Ignore), "ignore", ignoreUsage)
	f.fs.DurationVar(&o.StaleAfter, "stale-after", o.StaleAfter,
		"a node row not seen for longer than `D` is stale (an hour: a rebooted node is back by then, and the others give up on its tasks)")
	f.fs.IntVar(&o.NodeLimit, "node-limit", 0,
		"the licence's node limit `N`, its <NodeLimit> (octoha cannot read it from the database); 0 leaves the count unjudged")
	f.required = []string{"answers"}
	if err := f.parse(args); err != nil {
		return o, err
	}
	if o.Timeout <= 0 {
		return o, f.usageError(fmt.Sprintf("--timeout %v is not a time to wait; give one such as 5s", o.Timeout))
	}
	if o.StaleAfter <= 0 {
		return o, f.usageError(fmt.Sprintf("--stale-after %v is not a time; give one such as 1h", o.StaleAfter))
	}
	if o.NodeLimit < 0 {
		return o, f.usageError(fmt.Sprintf("--node-limit %d is not a number of nodes; leave it out for an unlimited licence", o.NodeLimit))
	}
	return o, nil
}

// runCheck is every pure check and every live probe, as a preflight
// report.
func runCheck(s *streams, o checkOptions) error {
	file, err := steps.Load(o.Answers)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := liveOptions(o.Timeout, secretsFromEnv(), o.network, dbprobe.Options{
		InstalledNodes: nodeNames(file.Answers), StaleAfter: o.StaleAfter, NodeLimit: o.NodeLimit})
	opts.Running = true
	findings := append(validate.Check(file.Answers), live.RunAll(ctx, file.Answers, opts)...)
	findings = findings.Ignore(o.Ignore)
	if o.JSON {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Findings validate.Findings `json:"findings"`
		}{findings}); err != nil {
			return err
		}
	} else {
		validate.WriteReport(s.Out, findings)
	}
	if ids := errorIDs(findings); len(ids) > 0 {
		fmt.Fprintf(s.Err, "octoha: %d errors; --ignore %s reports them as warnings\n", countErrors(findings), strings.Join(ids, ","))
		return errReported
	}
	return nil
}

// nodeNames are the answers' node names: check looks at the cluster the
// answers describe, so a live row with one of them is that node.
func nodeNames(a steps.Answers) []string {
	names := make([]string, len(a.Nodes))
	for i, n := range a.Nodes {
		names[i] = n.Name
	}
	return names
}

// errorIDs are the IDs of the errors in findings, each once.
func errorIDs(findings validate.Findings) []string {
	var ids []string
	for _, f := range findings {
		if f.Severity == validate.Error && f.ID != "" && !slices.Contains(ids, f.ID) {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

func countErrors(findings validate.Findings) int {
	n := 0
	for _, f := range findings {
		if f.Severity == validate.Error {
			n++
		}
	}
	return n
}
