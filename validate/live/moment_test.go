package live

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe/probetest"
)

// Before install only what must exist before install is probed: names,
// SQL Server, shares, Redis; no node service, no health check through
// the balancer (issue 12, point 1).
func TestBeforeInstallProbesOnlyWhatExistsBeforeInstall(t *testing.T) {
	a := loadExample(t, "3-node-polling-redis-haproxy.yaml")
	opts := Options{BeforeInstall: true, Database: noDatabase}
	got := summary(Probes(a, opts))
	want := []string{
		"dns.host nodes[0].host", "dns.host nodes[1].host", "dns.host nodes[2].host",
		"dns.host database.server", "dns.host storage.root", "dns.host loadBalancer.publicUrl",
		"dns.host tentacles.pollingAddress", "dns.host tentacles.redis.host",
		"db.reach database.server", "smb.reach storage.root", "redis.reach tentacles.redis.host",
	}
	if !slices.Equal(got, want) {
		t.Errorf("probes before install\n got %q\nwant %q", got, want)
	}
	if n := len(Probes(a, Options{Database: noDatabase})); n <= len(want) {
		t.Errorf("a running cluster gets %d probes, want the node services too", n)
	}
}

// From the jump box, a name that does not resolve is a warning.
func TestNamesWarnFromTheJumpBox(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx.yaml")
	for _, warn := range []bool{false, true} {
		opts := Options{BeforeInstall: true, NamesWarn: warn, Resolver: probetest.Hosts{}}
		found := RunField(context.Background(), a, steps.NodeField(0).Host, opts)
		want := validate.Error
		if warn {
			want = validate.Warning
		}
		if len(found) != 1 || found[0].ID != "dns.host" || found[0].Severity != want {
			t.Errorf("NamesWarn=%v: %v, want one dns.host %s", warn, found, want)
		}
	}
}

// A comms-port finding rests on the tentacle mode: changing it makes the
// finding stale.
func TestDependsOnNamesTheAnswersAFindingRestsOn(t *testing.T) {
	a := loadExample(t, "3-node-polling-redis-haproxy.yaml")
	deps := DependsOn(a, validate.Finding{ID: "tcp.comms", Field: steps.NodeField(1).Host})
	if !slices.Contains(deps, steps.FieldTentaclesMode) || !slices.Contains(deps, steps.NodeField(1).CommsPort) {
		t.Errorf("tcp.comms depends on %q, want the mode and the node's comms port", deps)
	}
	if deps := DependsOn(a, validate.Finding{ID: "db.reach", Field: steps.FieldDatabaseServer}); !slices.Contains(deps, steps.FieldDatabaseUser) {
		t.Errorf("db.reach depends on %q, want database.user", deps)
	}
}

// A SQL Server whose name does not resolve is said once, by the name's
// probe: the database probe does not run to say it again.
func TestUnresolvedSQLServerIsSaidOnce(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx.yaml")
	ran := false
	opts := Options{BeforeInstall: true, NamesWarn: true, Resolver: probetest.Hosts{},
		Database: func(context.Context, steps.Answers, string) validate.Findings {
			ran = true
			return validate.Findings{{ID: "db.connect", Severity: validate.Error, Field: steps.FieldDatabaseServer, Message: "does not resolve"}}
		}}
	found := RunField(context.Background(), a, steps.FieldDatabaseServer, opts)
	if ran || len(found) != 1 || found[0].ID != "dns.host" {
		t.Errorf("database probe ran: %v; findings %v, want the one dns.host", ran, found)
	}
	opts.Resolver = probetest.Hosts{"sql01.corp.local": {"10.0.0.5"}}
	RunField(context.Background(), a, steps.FieldDatabaseServer, opts)
	if !ran {
		t.Error("the database probe did not run for a name that resolves")
	}
}

// So are the file server's and Redis's names: their probes do not run to
// say again that the name does not resolve.
func TestUnresolvedShareAndRedisAreSaidOnce(t *testing.T) {
	a := loadExample(t, "3-node-polling-redis-haproxy.yaml")
	opts := Options{BeforeInstall: true, NamesWarn: true, Resolver: probetest.Hosts{}}
	for _, field := range []string{steps.FieldStorageRoot, steps.FieldTentaclesRedisHost} {
		found := RunField(context.Background(), a, field, opts)
		if len(found) != 1 || found[0].ID != "dns.host" || found[0].Severity != validate.Warning {
			t.Errorf("%s: %v, want the one dns.host warning", field, found)
		}
	}
}

// A name lookup that does not answer in time is a warning too, from the
// jump box.
func TestNameLookupTimeoutWarnsFromTheJumpBox(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx.yaml")
	opts := Options{BeforeInstall: true, NamesWarn: true, Resolver: hangingResolver{}, Timeout: 50 * time.Millisecond}
	found := RunField(context.Background(), a, steps.NodeField(0).Host, opts)
	if len(found) != 1 || found[0].Severity != validate.Warning || !strings.Contains(found[0].Message, "no answer within") {
		t.Errorf("%v, want one timeout warning", found)
	}
}

// hangingResolver never answers before its context ends.
type hangingResolver struct{}

func (hangingResolver) LookupHost(ctx context.Context, _ string) ([]string, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A SQL Server whose name lookup hangs is reported once, as the name
// probe's warning: the database probe gives up its own lookup in time.
func TestHangingLookupOfTheSQLServerIsAWarningOnce(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx.yaml")
	opts := Options{BeforeInstall: true, NamesWarn: true, Resolver: hangingResolver{}, Timeout: 100 * time.Millisecond,
		Database: func(context.Context, steps.Answers, string) validate.Findings {
			return validate.Findings{{ID: "db.connect", Severity: validate.Error, Field: steps.FieldDatabaseServer, Message: "ran"}}
		}}
	found := RunField(context.Background(), a, steps.FieldDatabaseServer, opts)
	if len(found) != 1 || found[0].ID != "dns.host" || found[0].Severity != validate.Warning {
		t.Errorf("%v, want the one dns.host warning", found)
	}
}
