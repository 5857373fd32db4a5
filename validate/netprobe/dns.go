package netprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/octoha/octoha/validate"
)

// DNS checks that host resolves from this machine. An IP address passes as
// it is.
func DNS(ctx context.Context, env Env, field, host string) validate.Findings {
	addrs, err := env.resolver().LookupHost(ctx, host)
	if err != nil {
		msg := fmt.Sprintf("Looking up %s from this machine failed: %s.", host, explain(err))
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			msg = fmt.Sprintf("%s does not resolve from this machine (no such host).", host)
		}
		return validate.Findings{{ID: "dns.host", Severity: validate.Error, Field: field,
			Message: msg,
			Fix:     "Check the spelling, or add the DNS record (or a hosts entry); the nodes, the balancer and the tentacles must all resolve this name."}}
	}
	return validate.Findings{{ID: "dns.host", Severity: validate.OK, Field: field,
		Message: fmt.Sprintf("%s resolves to %s.", host, strings.Join(addrs, ", "))}}
}
