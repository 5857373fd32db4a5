package netprobe

import (
	"context"
	"fmt"
	"net/http"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/validate"
)

// Statuses the Octopus health check answers with (docs/octopus-facts.md §5.1).
const (
	statusHealthy  = http.StatusOK
	statusDraining = http.StatusTeapot // 418: online but draining
)

// Health checks a node's health-check URL: 200 is healthy, 418 is
// draining, anything else is broken (docs/octopus-facts.md §5.1). who names the node,
// e.g. "OCTO1".
func Health(ctx context.Context, env Env, field, who, url string) validate.Findings {
	status, moved, err := get(ctx, env, url)
	if err != nil {
		f := validate.Finding{ID: "http.ping", Severity: validate.Error, Field: field,
			Message: fmt.Sprintf("%s: GET %s: %s.", who, url, explain(err)),
			Fix:     "Check that the OctopusDeploy service runs on the node and that its firewall lets this machine (and the balancer) in on the web port."}
		if refused(err) {
			f.Severity = validate.Warning
			f.Message = fmt.Sprintf("%s: GET %s: the connection was refused. Nothing listens there yet, which is expected until Octopus is installed, or a firewall rejects it.", who, url)
			f.Fix = "Once the node is installed: " + lowerFirst(f.Fix)
		}
		return validate.Findings{f}
	}
	switch status {
	case statusHealthy:
		return validate.Findings{{ID: "http.ping", Severity: validate.OK, Field: field,
			Message: fmt.Sprintf("%s is healthy: GET %s answered 200.", who, url)}}
	case statusDraining:
		return validate.Findings{{ID: "http.ping", Severity: validate.Warning, Field: field,
			Message: fmt.Sprintf("%s is draining: GET %s answered 418, so the balancer sends it no users and it takes no new tasks.", who, url),
			Fix:     "If the drain was not meant, end it in Configuration > Nodes or with `Octopus.Server.exe node --drain=false` on the node."}}
	}
	return validate.Findings{{ID: "http.ping", Severity: validate.Error, Field: field,
		Message: fmt.Sprintf("%s is unhealthy: GET %s answered %d %s%s (200 means healthy, 418 draining).", who, url, status, http.StatusText(status), moved),
		Fix:     "Read the Octopus Server log on the node, and check loadBalancer.healthCheck is /api/octopusservernodes/ping."}}
}

// Public checks the health check through the balancer's public URL: users
// get what this request gets.
func Public(ctx context.Context, env Env, field, url string) validate.Findings {
	status, moved, err := get(ctx, env, url)
	if err != nil {
		f := validate.Finding{ID: "lb.public", Severity: validate.Error, Field: field,
			Message: fmt.Sprintf("The balancer: GET %s: %s.", url, explain(err)),
			Fix:     "Check the balancer runs, that its DNS name points at it, that its certificate is trusted by the admins' machines and the tentacles, and that its firewall lets users in."}
		if refused(err) {
			f.Severity = validate.Warning
			f.Message = fmt.Sprintf("The balancer: GET %s: the connection was refused. Nothing listens there yet, which is expected until the balancer is set up, or a firewall rejects it.", url)
			f.Fix = "Once the balancer is set up: " + lowerFirst(f.Fix)
		}
		return validate.Findings{f}
	}
	switch status {
	case statusHealthy:
		return validate.Findings{{ID: "lb.public", Severity: validate.OK, Field: field,
			Message: fmt.Sprintf("The balancer answers: GET %s answered 200 from a healthy node.", url)}}
	case statusDraining:
		return validate.Findings{{ID: "lb.public", Severity: validate.Warning, Field: field,
			Message: fmt.Sprintf("The balancer sent GET %s to a draining node (418).", url),
			Fix:     "Make the balancer's health check expect 200 from /api/octopusservernodes/ping, so a draining node (418) gets no users.",
			Docs:    docs.LoadBalancers}}
	}
	return validate.Findings{{ID: "lb.public", Severity: validate.Error, Field: field,
		Message: fmt.Sprintf("The balancer: GET %s answered %d %s%s.", url, status, http.StatusText(status), moved),
		Fix:     "A 502 or 503 means the balancer reaches no healthy node: check each node's health check and the balancer's backend list and ports."}}
}

// get fetches url and returns its status, and for a redirect a note
// naming where it points, which is not followed (see noRedirects). The
// body is never read: the status is the answer, and a body without end, or
// one that trickles, must not hold the check.
func get(ctx context.Context, env Env, url string) (status int, moved string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := do(env, req)
	if err != nil {
		return 0, "", err
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		moved = fmt.Sprintf(", a redirect to %s, which octoha does not follow: a balancer's health check does not either", Shown(loc))
	}
	return resp.StatusCode, moved, nil
}

// do sends req with env's client, following no redirect even when the
// client given would.
func do(env Env, req *http.Request) (*http.Response, error) {
	c := *env.httpClient()
	c.CheckRedirect = noRedirects
	return c.Do(req)
}
