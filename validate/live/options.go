package live

import (
	"context"
	"crypto/tls"
	"net/http"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe"
)

// Options says how the probes reach the network and what they may log in
// with. The zero value probes the real network with a 5 s timeout and no
// secrets.
type Options struct {
	// Timeout bounds each probe; 0 means DefaultTimeout.
	Timeout time.Duration
	Secrets Secrets
	// Resolver, Dialer and HTTP replace the system's, for tests. HTTP, when
	// nil, is built on Dialer.
	Resolver netprobe.Resolver
	Dialer   netprobe.Dialer
	HTTP     *http.Client
	// RedisTLS replaces the TLS settings for Redis (default: the system's
	// roots, checked against tentacles.redis.host).
	RedisTLS *tls.Config
	// Running says the answers describe a cluster that is installed and
	// running (check): a comms or polling port that does not answer TLS
	// is then an error, where before install it is a warning.
	Running bool
	// Database is the SQL Server probe. It is a hook so this package need
	// not import the driver; nil leaves the database unprobed.
	Database DatabaseProbe
	// BeforeInstall says Octopus is not installed on the nodes yet (a new
	// cluster): only what must exist before install is probed (names, SQL
	// Server, the file server, Redis), not the nodes' services nor the
	// health check through the balancer.
	BeforeInstall bool
	// NamesWarn makes a name that does not resolve from this machine a
	// warning: the jump box's DNS is not the nodes' (the wizard).
	NamesWarn bool
}

// Secrets are typed in by the admin for this run only. They are passed to
// the server they belong to and never appear in a finding.
type Secrets struct {
	// SQLPassword is handed to the Database hook (SQL authentication only).
	SQLPassword string
	// RedisPassword logs in to tentacles.redis.
	RedisPassword string
}

// DatabaseProbe checks the SQL Server the answers name. It gets the answers
// as they are when the probe is built, so a wizard that keeps one Options
// never probes stale values. The lead wires it as
//
//	opts.Database = func(ctx context.Context, a steps.Answers, pw string) validate.Findings {
//		return dbprobe.Probe(ctx, a, pw, dbprobe.Options{})
//	}
type DatabaseProbe func(ctx context.Context, a steps.Answers, sqlPassword string) validate.Findings

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

func (o Options) env() netprobe.Env {
	return netprobe.Env{Resolver: o.Resolver, Dialer: o.Dialer, HTTP: o.HTTP}
}

// RunAll builds every probe for a and runs them; a shorthand for the check
// command.
func RunAll(ctx context.Context, a steps.Answers, opts Options) validate.Findings {
	return Run(ctx, Probes(a, opts), opts.timeout())
}

// RunField runs the probes for one field; the wizard calls it when the
// admin leaves that field. An empty field runs every probe.
func RunField(ctx context.Context, a steps.Answers, field string, opts Options) validate.Findings {
	if field == "" {
		return RunAll(ctx, a, opts)
	}
	return Run(ctx, ProbesFor(a, field, opts), opts.timeout())
}

// DependsOn lists the answers paths a live finding rests on besides its
// own field: when one of them changes, the finding is stale.
func DependsOn(a steps.Answers, f validate.Finding) []string {
	for _, p := range Probes(a, Options{Database: noDatabase}) {
		if p.ID == f.ID && p.Field == f.Field {
			return p.DependsOn
		}
	}
	return nil
}

// noDatabase stands in for the SQL Server hook where only the probes'
// shape is wanted (DependsOn): it is never run.
func noDatabase(context.Context, steps.Answers, string) validate.Findings { return nil }
