package netprobe

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/octoha/octoha/validate"
)

// Port is one TCP port something in the cluster must answer on.
type Port struct {
	ID, Field string
	Host      string
	Port      int
	// Role names what should listen there, e.g. "OCTO1's comms port".
	Role string
	// Fix says what to do when the port does not answer.
	Fix string
	// BeforeInstall marks a port nothing listens on until Octopus is
	// installed: a refused connection is then a warning, not an error.
	BeforeInstall bool
}

// Address is host:port, with brackets around an IPv6 host.
func (p Port) Address() string { return net.JoinHostPort(p.Host, strconv.Itoa(p.Port)) }

// TCP checks that p accepts a TCP connection from this machine.
func TCP(ctx context.Context, env Env, p Port) validate.Findings {
	conn, err := env.DialContext(ctx, "tcp", p.Address())
	if err == nil {
		conn.Close()
		return validate.Findings{{ID: p.ID, Severity: validate.OK, Field: p.Field,
			Message: fmt.Sprintf("%s answers on %s.", p.Role, p.Address())}}
	}
	f := validate.Finding{ID: p.ID, Severity: validate.Error, Field: p.Field,
		Message: fmt.Sprintf("%s, %s: %s.", p.Role, p.Address(), explain(err)), Fix: p.Fix}
	if p.BeforeInstall && refused(err) {
		f.Severity = validate.Warning
		f.Message = fmt.Sprintf("%s, %s: the connection was refused. Nothing listens there yet, which is expected until Octopus is installed, or a firewall rejects it.", p.Role, p.Address())
		f.Fix = "Once the node is installed: " + lowerFirst(p.Fix)
	}
	return validate.Findings{f}
}

// lowerFirst lets a sentence follow a colon: "Check" becomes "check".
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
