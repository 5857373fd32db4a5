package dbprobe_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/tdsfake"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/dbprobe"
	"github.com/octoha/octoha/validate/netprobe/probetest"
)

func TestVersionAndEdition(t *testing.T) {
	cases := []struct {
		name, version, edition string
		engine                 int
		wantVersion            validate.Severity
		wantEdition            validate.Severity
		mention                string
	}{
		{"2014 is too old", "12.0.6024.0", "Standard Edition (64-bit)", 2, validate.Error, validate.OK, "older than SQL Server 2016"},
		{"2016 is the floor", "13.0.6300.2", "Enterprise Edition (64-bit)", 3, validate.Warning, validate.OK, "two years"},
		{"2019", "15.0.4345.5", "Enterprise Edition (64-bit)", 3, validate.OK, validate.OK, "SQL Server 2019"},
		{"2025", "17.0.1000.7", "Standard Edition (64-bit)", 2, validate.OK, validate.OK, "SQL Server 2025"},
		{"Azure SQL reports 12.x", "12.0.2000.8", "SQL Azure", 5, validate.OK, validate.OK, "Azure SQL"},
		{"Express", "16.0.1000.6", "Express Edition (64-bit)", 4, validate.OK, validate.Warning, "SQL Server 2022"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tdsfake.Typical()
			cfg.Server.ProductVersion, cfg.Server.Edition, cfg.Server.EngineEdition = tc.version, tc.edition, tc.engine
			fake := tdsfake.Start(t, cfg)
			fs := run(t, fake, answersFor(fake), dbprobe.Options{})
			v := want(t, fs, "db.version", tc.wantVersion)
			if !strings.Contains(v.Message, tc.mention) {
				t.Errorf("db.version should mention %q: %s", tc.mention, v)
			}
			want(t, fs, "db.edition", tc.wantEdition)
		})
	}
}

func TestHighAvailability(t *testing.T) {
	ag := func(listeners ...tdsfake.Listener) tdsfake.Config {
		cfg := tdsfake.Typical()
		cfg.Server.IsHadrEnabled = tdsfake.Bool(true)
		cfg.Server.Listeners = listeners
		cfg.Server.AGDatabases = []tdsfake.AGDatabase{{Group: "AG1", Database: "Octopus"}}
		return cfg
	}
	cases := []struct {
		name      string
		cfg       tdsfake.Config
		server    string
		msf       bool
		ha        validate.Severity
		listener  validate.Severity // -1: no listener finding
		field     string
		mentioned string
	}{
		{"failover cluster instance", func() tdsfake.Config {
			c := tdsfake.Typical()
			c.Server.IsClustered = true
			return c
		}(), "127.0.0.1", false, validate.OK, -1, "", ""},
		{"listener with multiSubnetFailover", ag(tdsfake.Listener{Group: "AG1", DNSName: "aglisten.corp.local", Port: 1433}),
			"aglisten.corp.local", true, validate.OK, validate.OK, "database.server", "aglisten.corp.local"},
		{"listener without multiSubnetFailover", ag(tdsfake.Listener{Group: "AG1", DNSName: "aglisten.corp.local", Port: 1433}),
			"aglisten.corp.local", false, validate.OK, validate.Warning, "database.multiSubnetFailover", "multiSubnetFailover"},
		{"replica instead of listener", ag(tdsfake.Listener{Group: "AG1", DNSName: "octo-ag", Port: 1433}),
			"127.0.0.1", true, validate.OK, validate.Warning, "database.server", "octo-ag"},
		{"AlwaysOn without a listener", ag(), "127.0.0.1", true, validate.OK, validate.Warning, "database.server", "no availability group listener"},
		{"database outside the availability group", func() tdsfake.Config {
			c := ag(tdsfake.Listener{Group: "AG1", DNSName: "aglisten.corp.local", Port: 1433})
			c.Server.AGDatabases = []tdsfake.AGDatabase{{Group: "AG1", Database: "Other"}}
			return c
		}(), "aglisten.corp.local", true, validate.Warning, validate.OK, "database.server", "aglisten.corp.local"},
		{"database not created yet", func() tdsfake.Config {
			c := ag(tdsfake.Listener{Group: "AG1", DNSName: "aglisten.corp.local", Port: 1433})
			c.Databases, c.Server.AGDatabases = nil, nil
			return c
		}(), "aglisten.corp.local", true, validate.Warning, validate.OK, "database.server", "aglisten.corp.local"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := tdsfake.Start(t, tc.cfg)
			a := answersFor(fake)
			a.Database.Server, a.Database.MultiSubnetFailover = tc.server, tc.msf
			// The listener's name resolves to the fake (a SQL Server named
			// localhost would be refused: each node would use its own).
			hosts := probetest.Hosts{"aglisten.corp.local": {"127.0.0.1"}}
			fs := run(t, fake, a, dbprobe.Options{Resolver: hosts})
			want(t, fs, "db.ha", tc.ha)
			if tc.listener < 0 {
				none(t, fs, "db.listener")
				return
			}
			f := want(t, fs, "db.listener", tc.listener)
			if f.Field != tc.field || !strings.Contains(f.Message+f.Fix, tc.mentioned) {
				t.Errorf("db.listener: want field %s mentioning %q, got %+v", tc.field, tc.mentioned, f)
			}
		})
	}
}

func TestDatabaseState(t *testing.T) {
	cases := []struct {
		name     string
		db       *tdsfake.Database // nil: no Octopus database on the server
		create   bool
		canMake  bool
		expect   map[string]validate.Severity
		contains string
	}{
		{"exists, attach", &tdsfake.Database{Name: "Octopus", Collation: "Latin1_General_CI_AS", Owner: true}, false, false,
			map[string]validate.Severity{"db.exists": validate.OK, "db.collation": validate.OK, "db.permissions": validate.OK}, ""},
		{"exists, create is a no-op", &tdsfake.Database{Name: "Octopus", Collation: "Latin1_General_CI_AS", Owner: true}, true, true,
			map[string]validate.Severity{"db.exists": validate.Warning}, "no-op"},
		{"case-sensitive collation", &tdsfake.Database{Name: "Octopus", Collation: "Latin1_General_CS_AS", Owner: true}, false, false,
			map[string]validate.Severity{"db.collation": validate.Error}, "Latin1_General_CS_AS"},
		{"binary collation", &tdsfake.Database{Name: "Octopus", Collation: "Latin1_General_BIN2", Owner: true}, false, false,
			map[string]validate.Severity{"db.collation": validate.Error}, "BIN2"},
		{"not db_owner", &tdsfake.Database{Name: "Octopus", Collation: "Latin1_General_CI_AS"}, false, false,
			map[string]validate.Severity{"db.permissions": validate.Error, "db.collation": validate.OK}, "db_owner"},
		{"exists but closed to the login", &tdsfake.Database{Name: "Octopus", Collation: "Latin1_General_CI_AS", NoAccess: true}, false, true,
			map[string]validate.Severity{"db.exists": validate.OK, "db.permissions": validate.Error}, "cannot open"},
		{"missing, create false", nil, false, true,
			map[string]validate.Severity{"db.exists": validate.Error}, "does not exist"},
		{"missing, create, may create", nil, true, true,
			map[string]validate.Severity{"db.exists": validate.OK, "db.permissions": validate.OK}, ""},
		{"missing, create, may not create", nil, true, false,
			map[string]validate.Severity{"db.exists": validate.OK, "db.permissions": validate.Error}, "CREATE ANY DATABASE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tdsfake.Typical()
			cfg.Databases = nil
			if tc.db != nil {
				cfg.Databases = []tdsfake.Database{*tc.db}
			}
			cfg.Server.CreateAnyDatabase = tc.canMake
			fake := tdsfake.Start(t, cfg)
			a := answersFor(fake)
			a.Database.Create = tc.create
			fs := run(t, fake, a, dbprobe.Options{})
			all := ""
			for id, sev := range tc.expect {
				f := want(t, fs, id, sev)
				all += f.Message + " " + f.Fix
			}
			if !strings.Contains(all, tc.contains) {
				t.Errorf("findings should mention %q:\n%s", tc.contains, dump(fs))
			}
			if tc.db == nil || tc.db.NoAccess {
				none(t, fs, "db.collation") // nothing to read it from
			}
		})
	}
}

func nodeTable(now time.Time) *tdsfake.NodeTable {
	return &tdsfake.NodeTable{Rows: []tdsfake.Node{
		{ID: "OCTO1", Name: "OCTO1", LastSeen: now.Add(-40 * time.Second), MaxConcurrentTasks: 5},
		{ID: "OCTO9", Name: "OCTO9", LastSeen: now.Add(-72 * time.Hour), MaxConcurrentTasks: 20, IsInMaintenanceMode: true},
		{ID: "OCTO2", Name: "octo2", LastSeen: now.Add(-3 * time.Hour), MaxConcurrentTasks: 5},
	}}
}

func TestNodesAndNameClash(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.Databases[0].Nodes = nodeTable(time.Now())
	fake := tdsfake.Start(t, cfg)
	a := answersFor(fake)

	fs := run(t, fake, a, dbprobe.Options{})
	list := want(t, fs, "db.nodes", validate.OK)
	for _, s := range []string{"3 Octopus server node(s)", "OCTO1 (last seen 40s ago, task cap 5)", "OCTO9 (last seen 3 days ago, task cap 20, draining, stale)"} {
		if !strings.Contains(list.Message, s) {
			t.Errorf("db.nodes should contain %q: %s", s, list.Message)
		}
	}
	var clash, reuse validate.Finding
	for _, f := range fs.For("nodes[0].name") {
		clash = f
	}
	for _, f := range fs.For("nodes[1].name") {
		reuse = f
	}
	if clash.ID != "db.node-name" || clash.Severity != validate.Error || !strings.Contains(clash.Message, "running node") {
		t.Errorf("OCTO1 is live in the table: want a db.node-name error on nodes[0].name, got %+v", clash)
	}
	if reuse.ID != "db.node-name" || reuse.Severity != validate.OK || !strings.Contains(reuse.Message, "takes it over") {
		t.Errorf("octo2 was last seen hours ago: want an ok on nodes[1].name, got %+v", reuse)
	}

	fs = run(t, fake, a, dbprobe.Options{InstalledNodes: []string{"octo1"}})
	if f := fs.For("nodes[0].name"); len(f) != 1 || f[0].Severity != validate.OK {
		t.Errorf("an installed node is not a clash with itself: %+v", f)
	}
}

func TestNodesListing(t *testing.T) {
	now := time.Now()
	cfg := tdsfake.Typical()
	cfg.Databases[0].Nodes = nodeTable(now)
	fake := tdsfake.Start(t, cfg)
	a := answersFor(fake)

	nodes, err := dbprobe.Nodes(context.Background(), a, password, dbprobe.Options{Timeout: 3 * time.Second, Dialer: fake.Dialer()})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 3 {
		t.Fatalf("want 3 nodes, got %+v", nodes)
	}
	n := nodes[0]
	if n.Name != "OCTO1" || !n.Live() || !n.HasTaskCap || n.TaskCap != 5 || n.Draining || !n.HasDraining {
		t.Errorf("OCTO1 read wrongly: %+v", n)
	}
	if d := n.LastSeen.Sub(now.Add(-40 * time.Second)); d < -time.Microsecond || d > time.Microsecond {
		t.Errorf("LastSeen %s, want %s", n.LastSeen, now.Add(-40*time.Second))
	}
	if nodes[1].Live() || !nodes[1].Draining || !nodes[1].Stale || n.Stale {
		t.Errorf("OCTO9 is stale and draining: %+v", nodes[1])
	}
}

func TestNodesFeatureDetectsColumns(t *testing.T) {
	cfg := tdsfake.Typical()
	table := nodeTable(time.Now())
	table.Columns = []string{"Id", "Name", "LastSeen"} // an older or newer schema
	cfg.Databases[0].Nodes = table
	fake := tdsfake.Start(t, cfg)
	nodes, err := dbprobe.Nodes(context.Background(), answersFor(fake), password, dbprobe.Options{Timeout: 3 * time.Second, Dialer: fake.Dialer()})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 3 || nodes[0].HasTaskCap || nodes[0].HasDraining || !nodes[0].HasLastSeen {
		t.Errorf("want 3 nodes with only LastSeen known, got %+v", nodes)
	}

	cfg.Databases[0].Nodes = nil
	fake = tdsfake.Start(t, cfg)
	_, err = dbprobe.Nodes(context.Background(), answersFor(fake), password, dbprobe.Options{Timeout: 3 * time.Second, Dialer: fake.Dialer()})
	if !errors.Is(err, dbprobe.ErrNoNodeTable) {
		t.Errorf("want ErrNoNodeTable for a database without the table, got %v", err)
	}
}

func TestNodesConnectError(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.RefuseLogins = true
	fake := tdsfake.Start(t, cfg)
	_, err := dbprobe.Nodes(context.Background(), answersFor(fake), password, dbprobe.Options{Timeout: 3 * time.Second, Dialer: fake.Dialer()})
	if err == nil || !strings.Contains(err.Error(), "18456") || strings.Contains(err.Error(), password) {
		t.Errorf("want a login error without the password, got %v", err)
	}
}

func TestAnswersProblemsNeedNoNetwork(t *testing.T) {
	a := steps.Defaults()
	fs := dbprobe.Probe(context.Background(), a, "", dbprobe.Options{})
	want(t, fs, "db.connect", validate.Error)

	a.Database.Server, a.Database.Auth = "127.0.0.1", steps.AuthSQL
	fs = dbprobe.Probe(context.Background(), a, "", dbprobe.Options{})
	if f := want(t, fs, "db.login", validate.Error); f.Field != "database.user" {
		t.Errorf("missing SQL user: want field database.user, got %+v", f)
	}
}
