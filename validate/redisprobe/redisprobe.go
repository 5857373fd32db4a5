// Package redisprobe checks the Redis server behind multi-node polling
// against what Octopus asks of it (../../docs/octopus-facts.md
// §6.5): reachable by every node, no persistence, no eviction, no
// replication or failover, Redis 8.0 or later recommended.
package redisprobe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// Answers paths the findings are about.
const (
	fieldHost = steps.FieldTentaclesRedisHost
	fieldSSL  = steps.FieldTentaclesRedisSSL
)

// Options holds what tests and callers may swap in.
type Options struct {
	// Dialer opens the TCP connection; nil dials directly, with the
	// system's resolver.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig is used when tentacles.redis.ssl is on; nil trusts the
	// system's roots and checks the certificate against the host name.
	TLSConfig *tls.Config
}

// Probe connects to r, logs in with password ("" for none), and reads the
// settings Octopus depends on. The password is sent to Redis and nowhere
// else: no finding repeats it. It reads at most replyBudget bytes and
// stops when ctx ends.
func Probe(ctx context.Context, r steps.Redis, password string, opts Options) validate.Findings {
	addr := net.JoinHostPort(r.Host, strconv.Itoa(r.Port))
	c, closeConn, problem := connect(ctx, r, addr, opts)
	if problem != nil {
		return validate.Findings{*problem}
	}
	defer closeConn()

	var login *validate.Finding
	if password != "" {
		// The one-word AUTH logs in as the default user on every Redis
		// version, and tells "wrong password" from "no password is set".
		if _, err := c.do("AUTH", password); err != nil {
			f := connectFinding(r, addr, err)
			if f.Severity == validate.Error {
				return validate.Findings{f}
			}
			login = &f
		}
	}
	if _, err := c.do("PING"); err != nil {
		return validate.Findings{connectFinding(r, addr, err)}
	}
	out := validate.Findings{{ID: "redis.reach", Severity: validate.OK, Field: fieldHost,
		Message: fmt.Sprintf("Redis at %s answers PING%s.", addr, tlsNote(r.SSL))}}
	if login != nil {
		out = append(out, *login)
	}
	out = append(out, checkConfig(c, addr)...)
	out = append(out, checkInfo(c, addr)...)
	return out
}
