// Package netprobe checks, from this machine, what an Octopus HA cluster
// needs from the network: names that resolve, ports that answer, node health
// checks, matching versions and reachable file shares
// (../../../shared/reference/octopus-ha.md §2.1, §5.1, §5.6).
//
// Every check takes a context, returns findings and never an error: what
// went wrong is itself the finding. Checks stop when the context ends.
package netprobe

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Resolver looks up host names; *net.Resolver is one.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Dialer opens connections; *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Env is how the checks reach the network. A zero Env uses the system
// resolver, a plain dialer and an HTTP client built on that dialer.
type Env struct {
	Resolver Resolver
	Dialer   Dialer
	// HTTP serves the health-check, /api and balancer requests. Its own
	// Timeout should be 0: the context bounds each request.
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
	return NewHTTPClient(e.dialer())
}

// NewHTTPClient is the client the checks use by default. It dials with d,
// and ignores any proxy from the environment: the question is whether this
// machine reaches the node itself, not whether a proxy does.
func NewHTTPClient(d Dialer) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         d.DialContext,
		TLSHandshakeTimeout: 5 * time.Second,
		DisableKeepAlives:   true,
	}}
}
