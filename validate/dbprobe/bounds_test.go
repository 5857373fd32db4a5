package dbprobe_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/tdsfake"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/dbprobe"
	"github.com/octoha/octoha/validate/netprobe/probetest"
)

func TestMain(m *testing.M) {
	probetest.ForbidMachineDNS()
	os.Exit(m.Run())
}

// A server that answers with more than any cluster holds (here a node
// table of 100,000 rows, 15 MB of TDS) is cut off at the read budget, and
// says so, instead of being read into memory.
func TestAnswerBeyondTheReadBudget(t *testing.T) {
	cfg := tdsfake.Typical()
	rows := make([]tdsfake.Node, 100_000)
	for i := range rows {
		rows[i] = tdsfake.Node{ID: "OctopusServerNodes-" + strconv.Itoa(i), Name: "OCTO" + strconv.Itoa(i), LastSeen: time.Now()}
	}
	cfg.Databases[0].Nodes = &tdsfake.NodeTable{Rows: rows}
	fake := tdsfake.Start(t, cfg)
	fs := run(t, fake, answersFor(fake), dbprobe.Options{})
	f := want(t, fs, "db.nodes", validate.Error)
	if !strings.Contains(f.Message, "more than any answer to the probe's queries (4 MB)") {
		t.Errorf("the finding does not name the budget: %s", f)
	}
}

// The server's name is looked up with the probe's resolver, by the probe
// and by the driver alike.
func TestNamesResolveThroughTheResolver(t *testing.T) {
	fake := tdsfake.Start(t, tdsfake.Typical())
	a := answersFor(fake)
	a.Database.Server = "sql01.corp.local"
	hosts := probetest.Hosts{"sql01.corp.local": {"127.0.0.1"}}
	// The fake's own dialer sends every connection to the fake; this one
	// dials only where it is told, so the address must come from hosts.
	dialer := portDialer{port: fake.Port()}
	fs := run(t, fake, a, dbprobe.Options{Resolver: hosts, Dialer: dialer})
	want(t, fs, "db.connect", validate.OK)

	a.Database.Server = "sql02.corp.local"
	fs = run(t, fake, a, dbprobe.Options{Resolver: hosts, Dialer: dialer})
	if f := want(t, fs, "db.connect", validate.Error); !strings.Contains(f.Message, `"sql02.corp.local" does not resolve`) {
		t.Errorf("a name not in the table: %s", f)
	}
}

// portDialer dials 127.0.0.1 only, on the port it was asked for unless
// port is set.
type portDialer struct{ port int }

func (d portDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return nil, fmt.Errorf("dialled %q, not an address the resolver gave", addr)
	}
	return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort(host, strconv.Itoa(d.port)))
}
