// Package netprobe checks, from this machine, what an Octopus HA cluster
// needs from the network: names that resolve, ports that answer, node health
// checks, matching versions and reachable file shares
// (../../docs/octopus-facts.md §2.1, §5.1, §5.6).
//
// Every check takes a context, returns findings and never an error: what
// went wrong is itself the finding. Checks stop when the context ends.
package netprobe

import (
	"context"
	"github.com/octoha/octoha/validate/probeio"
	"net"
	"net/http"
	"time"
)

// Resolver looks up host names; *net.Resolver is one. Every probe that
// connects by name looks it up through one (Env.DialContext), so tests
// give a fixed table and never the machine's DNS.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Dialer opens connections to IP addresses; *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Env is how the checks reach the network. A zero Env uses the system
// resolver, a plain dialer and an HTTP client built on them.
type Env struct {
	Resolver Resolver
	Dialer   Dialer
	// HTTP serves the health-check, /api and balancer requests. Its own
	// Timeout should be 0: the context bounds each request. nil builds
	// one on DialContext (see newHTTPClient), which a test's client
	// should copy the limits of.
	HTTP *http.Client
}

func (e Env) resolver() Resolver {
	if e.Resolver != nil {
		return e.Resolver
	}
	return net.DefaultResolver
}

func (e Env) dialer() Dialer {
	if e.Dialer != nil {
		return e.Dialer
	}
	return &net.Dialer{}
}

func (e Env) httpClient() *http.Client {
	if e.HTTP != nil {
		return e.HTTP
	}
	return newHTTPClient(e.DialContext)
}

// DialContext connects to addr (host:port), looking the host up with the
// Env's resolver and trying its addresses in turn. A failed lookup is a
// *net.DNSError whatever the resolver returned, so no check can take a
// name that does not resolve for a port that refuses.
func (e Env) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	addrs, err := probeio.Addrs(ctx, e.resolver(), addr)
	if err != nil {
		return nil, err
	}
	return probeio.DialInTurn(ctx, e.dialer().DialContext, network, addrs)
}

// maxHeaderBytes bounds a response's status line and headers; an Octopus
// node's are under 2 KB.
const maxHeaderBytes = 64 << 10

// newHTTPClient is the client the checks use by default. It dials with
// dial, ignores any proxy from the environment (the question is whether
// this machine reaches the node itself, not whether a proxy does), reads at
// most maxHeaderBytes of headers, and follows no redirect (see noRedirects).
func newHTTPClient(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            dial,
			TLSHandshakeTimeout:    5 * time.Second,
			DisableKeepAlives:      true,
			MaxResponseHeaderBytes: maxHeaderBytes,
		},
		CheckRedirect: noRedirects,
	}
}

// noRedirects hands a redirect back as the answer. A balancer's health
// check follows none (HAProxy's http-check and NGINX's health checks read
// the status they get), so a node that redirects is down to it; and a
// redirect could send the probe to a host or port the answers never named.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
