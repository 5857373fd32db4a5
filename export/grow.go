package export

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// What `octoha add-node` and `octoha remove-node` share with export: check
// the changed answers, render the files for the change, and write them all
// or none, with the changed answers beside them (writeWithAnswers, the
// same set Write writes).

// Resolver looks up host names; *net.Resolver is one.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// DNSTimeout bounds the look-up of a new node's host name.
const DNSTimeout = 5 * time.Second

// AddNodeOptions is one node to add and where the files go.
type AddNodeOptions struct {
	// Node is the new node; ports 0 mean derived (steps.Answers.AddNode).
	Node  steps.Node
	Dir   string
	Force bool
	// Resolver checks that Node.Host resolves; nil is the system resolver.
	Resolver Resolver
	// Ignore lists finding IDs whose errors are reported as warnings and
	// no longer stop the write: "dns.host" writes the change for a host
	// whose DNS record is not there yet.
	Ignore []string
}

// RemoveNodeOptions is the node to take out and where the files go.
type RemoveNodeOptions struct {
	Name   string
	Dir    string
	Force  bool
	Ignore []string
}

// AddNode adds a node to the cluster a describes: it checks the grown
// answers and that the new host resolves, then writes the files of
// render.AddNodeFiles and the grown answers (render.AnswersFile) into
// opts.Dir. Nothing is written when any of that fails.
func AddNode(ctx context.Context, a steps.Answers, opts AddNodeOptions) (Result, error) {
	grown, err := a.AddNode(opts.Node)
	if err != nil {
		return Result{}, err
	}
	added := len(grown.Nodes) - 1
	findings := validate.Check(grown).Ignore(opts.Ignore)
	if !findings.HasErrors() {
		findings = append(findings, resolveHost(ctx, opts.Resolver, steps.NodeField(added).Host, opts.Node.Host).Ignore(opts.Ignore)...)
	}
	res := Result{Findings: findings}
	if findings.HasErrors() {
		return res, ErrInvalid
	}
	files, err := render.AddNodeFiles(grown, added)
	if err != nil {
		return res, err
	}
	res.Written, err = writeWithAnswers(opts.Dir, files, &grown, opts.Force)
	return res, err
}

// RemoveNode takes the node called opts.Name out of the cluster a
// describes and writes the files of render.RemoveNodeFiles and the shrunk
// answers into opts.Dir. Nothing is written when the node is unknown, is
// the last one, or the shrunk answers have errors.
func RemoveNode(a steps.Answers, opts RemoveNodeOptions) (Result, error) {
	shrunk, removed, err := a.RemoveNode(opts.Name)
	if err != nil {
		return Result{}, err
	}
	res := Result{Findings: validate.Check(shrunk).Ignore(opts.Ignore)}
	if res.Findings.HasErrors() {
		return res, ErrInvalid
	}
	files, err := render.RemoveNodeFiles(a, removed, shrunk)
	if err != nil {
		return res, err
	}
	res.Written, err = writeWithAnswers(opts.Dir, files, &shrunk, opts.Force)
	return res, err
}

// IDHostResolves is the ID of the finding that the new node's host does
// not resolve from this machine: add-node's --ignore takes it, and the
// wizard's Export offers to write anyway over it.
const IDHostResolves = "dns.host"

// resolveHost is an error finding when host does not resolve within
// DNSTimeout. A name under .invalid never resolves (RFC 6761 §6.4), so it
// is refused without asking the network.
func resolveHost(ctx context.Context, r Resolver, field, host string) validate.Findings {
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, DNSTimeout)
	defer cancel()
	var err error
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "invalid" || strings.HasSuffix(name, ".invalid") {
		err = fmt.Errorf("names under .invalid never resolve (RFC 6761)")
	} else {
		var addrs []string
		addrs, err = r.LookupHost(ctx, host)
		if err == nil && len(addrs) == 0 {
			err = fmt.Errorf("no address")
		}
	}
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf("the new node's host %s does not resolve from this machine: %v", host, err)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		msg = fmt.Sprintf("the new node's host %s does not resolve from this machine (no such host)", host)
	} else if errors.Is(err, context.DeadlineExceeded) {
		msg = fmt.Sprintf("looking up the new node's host %s took longer than %v", host, DNSTimeout)
	}
	return validate.Findings{{ID: IDHostResolves, Severity: validate.Error, Field: field, Message: msg,
		Fix: "Add the DNS record first (the balancer and the tentacles need it too), or check the spelling."}}
}

// UpgradeOptions is the version to move to and where the files go.
type UpgradeOptions struct {
	To     steps.OctopusVersion
	Dir    string
	Force  bool
	Ignore []string
}

// Upgrade writes the runbook for moving the cluster a describes to
// opts.To: the files of render.UpgradeFiles and the answers at the new
// version. A version not newer than a's is refused (*steps.UpgradeRefused);
// the answers at the new version are checked as any answers are, so a
// feature the answers use that opts.To lacks stops the upgrade.
func Upgrade(a steps.Answers, opts UpgradeOptions) (Result, error) {
	after, err := a.UpgradeTo(opts.To)
	if err != nil {
		return Result{}, err
	}
	res := Result{Findings: validate.Check(after).Ignore(opts.Ignore)}
	if res.Findings.HasErrors() {
		return res, ErrInvalid
	}
	files, err := render.UpgradeFiles(a, after)
	if err != nil {
		return res, err
	}
	res.Written, err = writeWithAnswers(opts.Dir, files, &after, opts.Force)
	return res, err
}
