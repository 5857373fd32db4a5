package main

import (
	"context"
	"os"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/dbprobe"
	"github.com/octoha/octoha/validate/live"
	"github.com/octoha/octoha/validate/netprobe"
)

// This file connects the packages that must not know each other: the live
// probes (and the SQL driver behind them) to the wizard and to check.

// network is how the live probes reach the network: the zero value is the
// machine's resolver, which octoha itself always uses; tests give a fixed
// table, so no test asks the machine's DNS.
type network struct {
	Resolver netprobe.Resolver
	// Dialer, when set, opens the probes' connections (not the
	// database's); tests send a balancer's ports to where it listens.
	Dialer netprobe.Dialer
}

// liveOptions wires the live probes, the database's included; db carries
// what the database probe knows of the cluster (check's running nodes,
// thresholds, the licence's node limit).
func liveOptions(timeout time.Duration, secrets live.Secrets, via network, db dbprobe.Options) live.Options {
	db.Timeout, db.Resolver = timeout, via.Resolver
	return live.Options{
		Timeout:  timeout,
		Secrets:  secrets,
		Resolver: via.Resolver,
		Dialer:   via.Dialer,
		Database: func(ctx context.Context, a steps.Answers, password string) validate.Findings {
			return dbprobe.Probe(ctx, a, password, db)
		},
	}
}

// secretsFromEnv are the passwords the live probes may log in with. They
// come only from the environment: octoha never asks for them to keep.
func secretsFromEnv() live.Secrets {
	return live.Secrets{
		SQLPassword:   os.Getenv("OCTOHA_SQL_PASSWORD"),
		RedisPassword: os.Getenv("OCTOHA_REDIS_PASSWORD"),
	}
}

// liveCheck is the wizard's live check of one field, started when the
// admin leaves it or pauses typing. The wizard runs on a jump box, whose
// DNS is not the nodes': a name it cannot resolve is a warning.
func liveCheck(ctx context.Context, a steps.Answers, field string, installed bool) validate.Findings {
	opts := liveOptions(live.DefaultTimeout, secretsFromEnv(), network{}, dbprobe.Options{})
	opts.BeforeInstall, opts.NamesWarn = !installed, true
	return live.RunField(ctx, a, field, opts)
}

// listNodes is the wizard's listing of the nodes Octopus knows, for adding
// a node to a cluster that has no answers file.
func listNodes(ctx context.Context, a steps.Answers, sqlPassword string) ([]tui.KnownNode, error) {
	nodes, err := dbprobe.Nodes(ctx, a, sqlPassword, dbprobe.Options{})
	known := make([]tui.KnownNode, len(nodes))
	for i, n := range nodes {
		known[i] = tui.KnownNode{Name: n.Name, SinceSeen: n.SinceSeen, HasLastSeen: n.HasLastSeen, Live: n.Live(), Draining: n.Draining, Stale: n.Stale}
	}
	return known, err
}
