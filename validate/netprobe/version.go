package netprobe

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// Node is one node whose version can be asked.
type Node struct {
	Name string
	// BaseURL is the node's own web address, e.g. http://octo1.corp.local:80.
	BaseURL string
}

// nodeVersion is what one node's GET /api told us.
type nodeVersion struct {
	node    Node
	version string // "" when the node does not run Octopus yet
	problem *validate.Finding
}

// Versions asks every node that already runs Octopus for its version (GET
// /api, unauthenticated, field "Version") and checks that they all run the
// same one, and that it is want, the answers' octopus.version (reference
// §2.1, §8 item 6). Nodes that refuse the connection do not run Octopus yet
// and are left out.
func Versions(ctx context.Context, env Env, field, want string, nodes []Node) validate.Findings {
	// Each request gets a little less time than the whole check, so one node
	// that hangs is reported by name and the others are still compared.
	reqCtx, cancel := reserve(ctx)
	defer cancel()
	answers := make([]nodeVersion, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() { answers[i] = askVersion(reqCtx, env, field, n) })
	}
	wg.Wait()

	var out validate.Findings
	byVersion := map[string][]string{}
	for _, a := range answers {
		if a.problem != nil {
			out = append(out, *a.problem)
		}
		if a.version != "" {
			byVersion[a.version] = append(byVersion[a.version], a.node.Name)
		}
	}
	want = strings.TrimSpace(want)
	switch {
	case len(byVersion) > 1:
		out = append(out, validate.Finding{ID: "http.version", Severity: validate.Error, Field: field,
			Message: fmt.Sprintf("The nodes run different Octopus versions: %s; octopus.version is %s. Every node must run the identical version.", listVersions(byVersion), want),
			Fix:     "Upgrade with an outage: back up the master key, drain and stop every node, back up the database, install the same MSI on every node, then start them."})
	case len(byVersion) == 1:
		for got, names := range byVersion {
			if !steps.VersionNames(want, got) {
				out = append(out, validate.Finding{ID: "http.version", Severity: validate.Error, Field: field,
					Message: fmt.Sprintf("%s runs Octopus %s but octopus.version is %s.", strings.Join(names, ", "), got, want),
					Fix:     fmt.Sprintf("Set octopus.version to %s, so new nodes install the version the cluster runs, or upgrade the cluster to %s first.", got, want)})
			} else {
				out = append(out, validate.Finding{ID: "http.version", Severity: validate.OK, Field: field,
					Message: fmt.Sprintf("%s run%s Octopus %s, as octopus.version says.", strings.Join(names, ", "), plural(len(names)), got)})
			}
		}
	case len(out) == 0:
		out = append(out, validate.Finding{ID: "http.version", Severity: validate.OK, Field: field,
			Message: "No node runs Octopus yet, so there are no versions to compare."})
	}
	return out
}

// maxAPIBody bounds what askVersion reads of /api; Octopus's API root is a
// few kilobytes of links.
const maxAPIBody = 256 << 10

// askVersion reads one node's /api.
func askVersion(ctx context.Context, env Env, field string, n Node) nodeVersion {
	url := strings.TrimRight(n.BaseURL, "/") + "/api"
	problem := func(sev validate.Severity, msg, fix string) nodeVersion {
		return nodeVersion{node: n, problem: &validate.Finding{ID: "http.version", Severity: sev, Field: field, Message: msg, Fix: fix}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return problem(validate.Error, fmt.Sprintf("%s: %s is not a URL: %v.", n.Name, url, err), "Check the node's host and web port.")
	}
	resp, err := do(env, req)
	if err != nil {
		if refused(err) {
			return nodeVersion{node: n} // not running Octopus yet
		}
		return problem(validate.Error, fmt.Sprintf("%s: GET %s: %s, so its version is unknown.", n.Name, url, explain(err)),
			"Check that the node's web port is open to this machine.")
	}
	defer resp.Body.Close()
	var api struct{ Version string }
	body := io.LimitReader(resp.Body, maxAPIBody)
	if resp.StatusCode != http.StatusOK {
		return problem(validate.Warning, fmt.Sprintf("%s: GET %s answered %d %s, not Octopus's API root, so its version is unknown.", n.Name, url, resp.StatusCode, http.StatusText(resp.StatusCode)),
			"Check that Octopus (and not another web site) owns the node's web port.")
	}
	if err := json.NewDecoder(body).Decode(&api); err != nil || strings.TrimSpace(api.Version) == "" {
		return problem(validate.Warning, fmt.Sprintf("%s: GET %s did not answer with Octopus's API root (no \"Version\"), so its version is unknown.", n.Name, url),
			"Check that Octopus (and not another web site) owns the node's web port.")
	}
	return nodeVersion{node: n, version: Shown(strings.TrimSpace(api.Version))}
}

// listVersions reads "OCTO1 runs 2025.3.1, OCTO2 and OCTO3 run 2026.4.6909",
// in version order so the message is stable.
func listVersions(byVersion map[string][]string) string {
	versions := make([]string, 0, len(byVersion))
	for v := range byVersion {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	parts := make([]string, len(versions))
	for i, v := range versions {
		names := byVersion[v]
		parts[i] = fmt.Sprintf("%s run%s %s", strings.Join(names, " and "), plural(len(names)), v)
	}
	return strings.Join(parts, ", ")
}

// plural is the "s" of "runs" for one subject.
func plural(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// reserve returns a context that ends a tenth (at most half a second)
// before ctx does, leaving time to report on the requests it cut short.
func reserve(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(time.Until(deadline)/10, 500*time.Millisecond)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}
