// Package live runs the probes that look at the real cluster from this
// machine: names, ports, health checks, versions, shares, Redis and (through
// a hook) SQL Server. Every probe runs at once and none may hang: a probe
// that overruns its timeout becomes an error finding.
package live

import (
	"context"
	"fmt"
	"time"

	"github.com/octoha/octoha/validate"
)

// DefaultTimeout bounds each probe when Options.Timeout is 0.
const DefaultTimeout = 5 * time.Second

// Probe is one live check of the cluster.
type Probe struct {
	// ID names the check (dns.host, tcp.web, ...); a timeout finding carries it.
	ID string
	// Field is the answers path the probe is about; a timeout finding carries it.
	Field string
	// What says what the probe does in the admin's words, e.g.
	// "TCP connect to octo1.corp.local:10943"; it ends a timeout message.
	What string
	// DependsOn lists further answers paths whose change makes the probe
	// worth running again (see ProbesFor).
	DependsOn []string
	// NeedsInstall marks a probe of something Octopus brings (a node's
	// ports, health check or version, the balancer forwarding to them):
	// before install it has nothing to find (Options.BeforeInstall).
	NeedsInstall bool
	// TimeoutWarns makes a probe that does not answer in time a warning:
	// a name lookup from the jump box, whose DNS is not the nodes'.
	TimeoutWarns bool
	// Run does the check. It should stop when ctx is done; Run (the
	// function) does not wait for it beyond the timeout either way.
	Run func(ctx context.Context) validate.Findings
}

// Run runs every probe concurrently, each bounded by timeout (DefaultTimeout
// when 0), and returns their findings in probe order, each probe's own
// findings in the order it gave them.
//
// A probe still running at its deadline yields one error finding, "no
// answer within 5s: ...", and is abandoned: its goroutine ends whenever the
// probe returns, and its late findings are dropped. When ctx itself ends
// first, unfinished probes yield a warning saying they were stopped.
func Run(ctx context.Context, probes []Probe, timeout time.Duration) validate.Findings {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	results := make([]validate.Findings, len(probes))
	done := make(chan struct{}, len(probes))
	for i, p := range probes {
		go func() {
			results[i] = runOne(ctx, p, timeout)
			done <- struct{}{}
		}()
	}
	for range probes {
		<-done
	}
	var all validate.Findings
	for _, fs := range results {
		all = append(all, fs...)
	}
	return all
}

// runOne runs p under its own deadline and waits no longer than that.
func runOne(parent context.Context, p Probe, timeout time.Duration) validate.Findings {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	// Buffered, so an abandoned probe can still hand over its result and end.
	answer := make(chan validate.Findings, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				answer <- validate.Findings{{ID: p.ID, Severity: validate.Error, Field: p.Field,
					Message: fmt.Sprintf("the probe failed: %v: %s", r, p.What),
					Fix:     "This is a bug in octoha; please report it with the message."}}
			}
		}()
		answer <- p.Run(ctx)
	}()
	select {
	case fs := <-answer:
		// A probe that honours its context returns right after the deadline
		// with a raw "i/o timeout"; the timeout finding says it better.
		if ctx.Err() == nil {
			return fs
		}
	case <-ctx.Done():
	}
	return cutShort(parent, p, timeout)
}

// cutShort is the finding for a probe that did not answer in time, or that
// its caller stopped.
func cutShort(parent context.Context, p Probe, timeout time.Duration) validate.Findings {
	if parent.Err() != nil {
		return validate.Findings{{ID: p.ID, Severity: validate.Warning, Field: p.Field,
			Message: "stopped before it answered: " + p.What,
			Fix:     "Run the check again to get a result."}}
	}
	sev := validate.Error
	if p.TimeoutWarns {
		sev = validate.Warning
	}
	return validate.Findings{{ID: p.ID, Severity: sev, Field: p.Field,
		Message: fmt.Sprintf("no answer within %s: %s.", timeout, p.What),
		Fix:     "A firewall that drops packets, a host that is down, or a service that hangs looks like this; check it from this machine, or raise the timeout if the link is slow."}}
}
