package live

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe/probetest"
)

func TestMain(m *testing.M) {
	probetest.ForbidMachineDNS()
	os.Exit(m.Run())
}

func loadExample(t *testing.T, name string) steps.Answers {
	t.Helper()
	return testkit.Example(t, name)
}

// summary reads "id field" per probe.
func summary(ps []Probe) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID+" "+p.Field)
	}
	return out
}

func TestProbesForRedisCluster(t *testing.T) {
	a := loadExample(t, "3-node-polling-redis-haproxy.yaml")
	a.Storage.TaskLogs = `\\FS01.corp.local\Octopus\TaskLogs` // same server, other case: one probe
	a.Storage.Artifacts = `Y:\Artifacts`
	opts := Options{Database: func(context.Context, steps.Answers, string) validate.Findings { return nil }}
	want := []string{
		"dns.host nodes[0].host",
		"dns.host nodes[1].host",
		"dns.host nodes[2].host",
		"dns.host database.server",
		"dns.host storage.root",
		"dns.host loadBalancer.publicUrl",
		"dns.host tentacles.pollingAddress",
		"dns.host tentacles.redis.host",
		"db.reach database.server",
		"tcp.web nodes[0].host", "tcp.comms nodes[0].host", "http.ping nodes[0].host",
		"tcp.web nodes[1].host", "tcp.comms nodes[1].host", "http.ping nodes[1].host",
		"tcp.web nodes[2].host", "tcp.comms nodes[2].host", "http.ping nodes[2].host",
		"http.version octopus.version",
		"smb.reach storage.root",
		"smb.reach storage.artifacts",
		"lb.public loadBalancer.publicUrl",
		"tls.polling tentacles.polling",
		"redis.reach tentacles.redis.host",
	}
	got := summary(Probes(a, opts))
	if !slices.Equal(got, want) {
		t.Errorf("probes\n got %q\nwant %q", got, want)
	}
	// Building them twice gives the same list: the order is stable.
	if again := summary(Probes(a, opts)); !slices.Equal(again, got) {
		t.Errorf("second build differs: %q", again)
	}
}

func TestProbesForListeningClusterWithoutHook(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx.yaml")
	got := summary(Probes(a, Options{}))
	for _, p := range got {
		// Listening tentacles never use the comms port; no Redis; no hook.
		if strings.HasPrefix(p, "tcp.comms") || strings.HasPrefix(p, "tls.") || strings.HasPrefix(p, "redis") || strings.HasPrefix(p, "db.") {
			t.Errorf("unexpected probe %q", p)
		}
	}
	if !slices.Contains(got, "lb.public loadBalancer.publicUrl") || !slices.Contains(got, "smb.reach storage.root") {
		t.Errorf("missing probes: %q", got)
	}
}

func TestProbesForField(t *testing.T) {
	a := loadExample(t, "3-node-polling-redis-haproxy.yaml")
	a.Storage.TaskLogs = `\\fs01.corp.local\Octopus\TaskLogs`
	for field, want := range map[string][]string{
		"nodes[1].host": {"dns.host nodes[1].host", "tcp.web nodes[1].host", "tcp.comms nodes[1].host",
			"http.ping nodes[1].host", "http.version octopus.version", "tls.polling tentacles.polling"},
		"octopus.webPort": {"tcp.web nodes[0].host", "http.ping nodes[0].host", "tcp.web nodes[1].host",
			"http.ping nodes[1].host", "tcp.web nodes[2].host", "http.ping nodes[2].host", "http.version octopus.version"},
		"octopus.version":          {"http.version octopus.version"},
		"storage.taskLogs":         {"dns.host storage.root", "smb.reach storage.root"},
		"tentacles.redis.ssl":      {"redis.reach tentacles.redis.host"},
		"loadBalancer.healthCheck": {"http.ping nodes[0].host", "http.ping nodes[1].host", "http.ping nodes[2].host", "lb.public loadBalancer.publicUrl"},
		"octopus.adminEmail":       nil,
	} {
		if got := summary(ProbesFor(a, field, Options{})); !slices.Equal(got, want) {
			t.Errorf("ProbesFor(%s)\n got %q\nwant %q", field, got, want)
		}
	}
}

// The DNS probe looks up the host steps.ParseSQLServer reads, the one the
// pure check checks; a server it refuses gets no lookup.
func TestSQLServerLookup(t *testing.T) {
	for in, want := range map[string]string{
		"sql01.corp.local":          "look up sql01.corp.local",
		`sql01\OCTOPUS`:             "look up sql01",
		"tcp:aglistener,1433":       "look up aglistener",
		"TCP:aglistener.corp.local": "look up aglistener.corp.local",
		"sql01,1433":                "look up sql01",
		`.\SQLEXPRESS`:              "",
		"(local)":                   "",
		"":                          "",
	} {
		a := steps.Defaults()
		a.Database.Server = in
		got := ""
		for _, p := range Probes(a, Options{}) {
			if p.ID == "dns.host" && p.Field == steps.FieldDatabaseServer {
				got = p.What
			}
		}
		if got != want {
			t.Errorf("database.server %q: DNS probe %q, want %q", in, got, want)
		}
	}
}

// node is a fake Octopus node: /api reports version, the health check
// answers health.
func node(t *testing.T, version string, health int) int {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api":
			json.NewEncoder(w).Encode(map[string]string{"Version": version})
		case "/api/octopusservernodes/ping":
			w.WriteHeader(health)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s.Listener.Addr().(*net.TCPAddr).Port
}

// smbDialer sends dials for port 445 to a loopback test port.
type smbDialer struct{ port int }

func (d smbDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if _, port, _ := net.SplitHostPort(addr); port == "445" {
		addr = "127.0.0.1:" + strconv.Itoa(d.port)
	}
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}

// TestRunAllAgainstLoopbackCluster probes a whole fake cluster on
// 127.0.0.1: a healthy node, a draining node on another version, a node
// not installed yet, a database name that does not resolve, a file server,
// a mapped drive and a balancer that answers 500.
func TestRunAllAgainstLoopbackCluster(t *testing.T) {
	const version = "2026.4.6909"
	a := steps.Defaults()
	a.Octopus.Version = version
	a.Tentacles.Mode = steps.ModePolling
	a.Tentacles.Polling = steps.PollingUniqueAddress
	a.Nodes = []steps.Node{
		{Name: "OCTO1", Host: "127.0.0.1", WebPort: node(t, version, 200), CommsPort: testkit.OpenPort(t)},
		{Name: "OCTO2", Host: "127.0.0.1", WebPort: node(t, "2025.3.1200", 418), CommsPort: testkit.OpenPort(t)},
		{Name: "OCTO3", Host: "127.0.0.1", WebPort: testkit.FreePort(t), CommsPort: testkit.FreePort(t)},
	}
	a.Database.Server = `sql01.corp.local\OCTOPUS` // not in the resolver's table
	a.Storage.Root = `\\127.0.0.1\Octopus`
	a.Storage.TaskLogs = `Z:\TaskLogs`
	balancer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(balancer.Close)
	a.LoadBalancer.PublicURL = balancer.URL + "/"

	var gotPassword string
	opts := Options{
		Timeout:  2 * time.Second,
		Secrets:  Secrets{SQLPassword: "s3cret!", RedisPassword: "unused"},
		Resolver: probetest.Hosts{},
		Dialer:   smbDialer{port: testkit.OpenPort(t)},
		Database: func(ctx context.Context, got steps.Answers, pw string) validate.Findings {
			gotPassword = pw
			return validate.Findings{{ID: "db.login", Severity: validate.OK, Field: "database.server", Message: "logged in to " + got.Database.Server}}
		},
	}
	start := time.Now()
	fs := RunAll(t.Context(), a, opts)
	t.Logf("%d findings in %s", len(fs), time.Since(start))

	var got []string
	for _, f := range fs {
		t.Log(f)
		got = append(got, fmt.Sprintf("%s %s %s", f.ID, f.Severity, f.Field))
		if strings.Contains(f.String(), "s3cret!") {
			t.Errorf("a finding shows the password: %s", f)
		}
	}
	want := []string{
		"dns.host error database.server",
		"db.login ok database.server",
		"tcp.web ok nodes[0].host", "tcp.comms ok nodes[0].host", "http.ping ok nodes[0].host",
		"tcp.web ok nodes[1].host", "tcp.comms ok nodes[1].host", "http.ping warning nodes[1].host",
		"tcp.web warning nodes[2].host", "tcp.comms warning nodes[2].host", "http.ping warning nodes[2].host",
		"http.version error octopus.version",
		"smb.reach ok storage.root",
		"smb.reach warning storage.taskLogs",
		"lb.public error loadBalancer.publicUrl",
		// The comms ports are plain TCP here, no TLS: before install
		// (Options.Running unset) that is a warning.
		"tls.comms warning nodes[0].host", "tls.comms warning nodes[1].host", "tls.comms warning nodes[2].host",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n got %q\nwant %q", got, want)
	}
	if gotPassword != "s3cret!" {
		t.Errorf("the database hook got password %q", gotPassword)
	}
	if v := fs.For("octopus.version"); len(v) != 1 || !strings.Contains(v[0].Message, "OCTO2 runs 2025.3.1200") || !strings.Contains(v[0].Message, "OCTO1 runs 2026.4.6909") {
		t.Errorf("version finding should name both versions: %v", v)
	}
}

// TestRunFieldSlowNode is the wizard's case: the admin leaves a node's
// host field and that node accepts connections but never answers HTTP.
func TestRunFieldSlowNode(t *testing.T) {
	hung := testkit.HungServer(t)

	a := steps.Defaults()
	a.Nodes = []steps.Node{{Name: "OCTO1", Host: "127.0.0.1", WebPort: hung}}
	const timeout = 300 * time.Millisecond
	start := time.Now()
	fs := RunField(t.Context(), a, "nodes[0].host", Options{Timeout: timeout})
	took := time.Since(start)
	if took > timeout+200*time.Millisecond {
		t.Errorf("took %s with a %s timeout", took, timeout)
	}
	var ping validate.Finding
	for _, f := range fs {
		t.Log(f)
		if f.ID == "http.ping" {
			ping = f
		}
	}
	if ping.Severity != validate.Error || !strings.HasPrefix(ping.Message, "no answer within 300ms: GET http://127.0.0.1:") {
		t.Errorf("slow node's health check: %+v", ping)
	}
}

// The node scripts make every node serve plain HTTP, on whatever web port
// it has (validate refuses 443, but check probes the answers as given):
// the probes ask for http, never https.
func TestNodeProbesUsePlainHTTP(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx.yaml")
	a.Nodes[1].WebPort = 443
	opts := Options{Database: func(context.Context, steps.Answers, string) validate.Findings { return nil }}
	found := false
	for _, p := range Probes(a, opts) {
		if p.ID == "http.ping" && p.Field == "nodes[1].host" {
			found = true
			if want := "GET http://" + a.Nodes[1].Host + ":443/api/octopusservernodes/ping"; p.What != want {
				t.Errorf("node 2's health probe is %q, want %q", p.What, want)
			}
		}
	}
	if !found {
		t.Fatal("no http.ping probe for node 2")
	}
}
