// Package redisprobe checks the Redis server behind multi-node polling
// against what Octopus asks of it (../../../shared/reference/octopus-ha.md
// §6.5): reachable by every node, no persistence, no eviction, no
// replication or failover, Redis 8.0 or later recommended.
package redisprobe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// Answers paths the findings are about.
const (
	fieldHost = "tentacles.redis.host"
	fieldSSL  = "tentacles.redis.ssl"
)

// Options holds what tests and callers may swap in.
type Options struct {
	// Dialer opens the TCP connection; nil dials directly.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig is used when tentacles.redis.ssl is on; nil trusts the
	// system's roots and checks the certificate against the host name.
	TLSConfig *tls.Config
}

// Probe connects to r, logs in with password ("" for none), and reads the
// settings Octopus depends on. The password is sent to Redis and nowhere
// else: no finding repeats it.
func Probe(ctx context.Context, r steps.Redis, password string, opts Options) validate.Findings {
	addr := net.JoinHostPort(r.Host, strconv.Itoa(r.Port))
	quiet.Do(func() { redis.SetLogger(discard{}) })
	o := clientOptions(r, addr, password, opts)
	if r.SSL {
		if f := checkHandshake(ctx, r, addr, o); f != nil {
			return validate.Findings{*f}
		}
	}
	client := redis.NewClient(o)
	defer client.Close()

	if err := client.Ping(ctx).Err(); err != nil {
		return validate.Findings{connectFinding(r, addr, err)}
	}
	out := validate.Findings{{ID: "redis.reach", Severity: validate.OK, Field: fieldHost,
		Message: fmt.Sprintf("Redis at %s answers PING%s.", addr, tlsNote(r.SSL))}}
	if password != "" {
		// The login above is "AUTH default <password>", which a Redis with no
		// password accepts; the one-word form tells the two apart.
		if err := client.Do(ctx, "AUTH", password).Err(); err != nil {
			out = append(out, connectFinding(r, addr, err))
		}
	}

	out = append(out, checkConfig(ctx, client, addr)...)
	out = append(out, checkInfo(ctx, client, addr)...)
	return out
}

// quiet keeps go-redis from logging dial failures to stderr, which would
// draw over the wizard's screen; each failure is a finding instead.
var quiet sync.Once

type discard struct{}

func (discard) Printf(context.Context, string, ...any) {}

func clientOptions(r steps.Redis, addr, password string, opts Options) *redis.Options {
	o := &redis.Options{
		Addr:     addr,
		Password: password,
		// One try, one connection: a probe reports what happens, it does not
		// paper over it.
		MaxRetries:            -1,
		DialerRetries:         1,
		PoolSize:              1,
		ContextTimeoutEnabled: true,
		// CLIENT SETINFO is noise to managed Redis and to older servers.
		DisableIdentity: true,
		// RESP2 is what every Redis and proxy speaks; the probe needs
		// nothing from RESP3.
		Protocol: 2,
	}
	if opts.Dialer != nil {
		o.Dialer = opts.Dialer
	}
	if r.SSL {
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		if opts.TLSConfig != nil {
			o.TLSConfig = opts.TLSConfig.Clone()
		}
		if o.TLSConfig.ServerName == "" {
			o.TLSConfig.ServerName = r.Host
		}
	}
	return o
}
