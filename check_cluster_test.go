package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/lbtest"
	"github.com/octoha/octoha/internal/tdsfake"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/render/lb"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe/probetest"
)

// The tests here run `octoha check` against a running cluster made of
// fakes: the TDS fake as its database, loopback TLS listeners as its
// nodes' comms ports, and a real HAProxy or NGINX on the config octoha
// renders, forwarding the polling ports.

const sqlPassword = "Pa55word!"

// pollingHost is the polling address; it resolves to 127.0.0.2, which
// balancerDialer sends to wherever the balancer really listens.
const pollingHost = "octopus.test"

// clusterDatabase is the TDS fake holding rows in dbo.OctopusServerNode.
func clusterDatabase(t *testing.T, rows ...tdsfake.Node) *tdsfake.FakeServer {
	cfg := tdsfake.Typical()
	cfg.Login, cfg.Password = "octo", sqlPassword
	cfg.Databases[0].Nodes = &tdsfake.NodeTable{Rows: rows}
	return tdsfake.Start(t, cfg)
}

func liveRow(name string, age time.Duration) tdsfake.Node {
	return tdsfake.Node{ID: "OctopusServerNodes-" + name, Name: name, LastSeen: time.Now().Add(-age), MaxConcurrentTasks: 5}
}

// clusterAnswers are unique-port polling answers for nodes whose comms
// ports are given, on 127.0.0.1, with the database at db.
func clusterAnswers(db *tdsfake.FakeServer, kind string, cert testkit.Certificate, comms ...int) steps.Answers {
	a := steps.Defaults()
	a.Octopus.ServiceAccount, a.Octopus.AdminEmail = `CORP\svc`, "a@corp.local"
	a.Database.Server, a.Database.Port, a.Database.Auth, a.Database.User = db.Host(), db.Port(), steps.AuthSQL, "octo"
	a.Database.Encrypt, a.Database.Create = false, false
	a.Storage.Root = `\\fs01.corp.local\Octopus`
	a.LoadBalancer.Kind, a.LoadBalancer.PublicURL = kind, "https://"+pollingHost
	a.LoadBalancer.Certificate, a.LoadBalancer.CertificateKey = cert.CertFile, cert.KeyFile
	if kind == steps.LBHAProxy {
		a.LoadBalancer.Certificate, a.LoadBalancer.CertificateKey = cert.Combined, ""
	}
	a.Tentacles.Mode, a.Tentacles.Polling, a.Tentacles.PollingAddress = steps.ModePolling, steps.PollingUniquePort, pollingHost
	a.Tentacles.BasePort = comms[0]
	for i, port := range comms {
		a.Nodes = append(a.Nodes, steps.Node{Name: fmt.Sprintf("OCTO%d", i+1), Host: "127.0.0.1", CommsPort: port})
	}
	return a
}

// balancerDialer dials 127.0.0.2:P at the balancer's loopback port for P,
// and every other address as it is.
type balancerDialer struct{ b *lbtest.Balancer }

func (d balancerDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host == "127.0.0.2" {
		p, _ := strconv.Atoi(port)
		lp, ok := d.b.Ports[p]
		if !ok {
			return nil, fmt.Errorf("dial %s: the balancer does not listen on %d: connection refused", addr, p)
		}
		addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(lp))
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

// checkCluster runs `octoha check --json` on the answers through the
// network given, and returns its exit code and findings.
func checkCluster(t *testing.T, a steps.Answers, via network, args ...string) (int, validate.Findings) {
	t.Helper()
	body, err := steps.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "answers.yaml")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OCTOHA_SQL_PASSWORD", sqlPassword)
	o, err := parseCheck(append([]string{"--answers", path, "--timeout", "3s", "--json"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	o.network = via
	s, out, _ := fakeStreams("")
	code := exitCode(s, runCheck(s, o))
	var report struct{ Findings validate.Findings }
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return code, report.Findings
}

func findingsWith(fs validate.Findings, prefix string) validate.Findings {
	var out validate.Findings
	for _, f := range fs {
		if strings.HasPrefix(f.ID, prefix) {
			out = append(out, f)
		}
	}
	return out
}

// TestCheckRunningCluster: the database lists exactly the cluster's
// nodes, and both nodes' comms ports present the cluster's certificate.
// The balancer forwards OCTO1's polling port to OCTO1, but OCTO2's to a
// machine that presents another certificate (a forward pointing at the
// wrong host): check names that port and the node it should reach, and
// nothing else about the database or the certificates is an error.
func TestCheckRunningCluster(t *testing.T) {
	for _, kind := range []string{steps.LBHAProxy, steps.LBNginx} {
		t.Run(kind, func(t *testing.T) {
			if kind == steps.LBNginx {
				lbtest.RequireNginxStream(t)
			} else {
				lbtest.RequireHAProxy(t)
			}
			octopus, impostor := probetest.SelfSigned(t, "Octopus Portal"), probetest.SelfSigned(t, "Octopus Portal")
			n1 := probetest.TLS(t, "127.0.0.1:0", octopus)
			n2 := probetest.TLS(t, "127.0.0.1:0", octopus)
			probetest.TLS(t, "127.0.0.3:"+strconv.Itoa(n2.Port), impostor)
			db := clusterDatabase(t, liveRow("OCTO1", 20*time.Second), liveRow("OCTO2", 40*time.Second))
			a := clusterAnswers(db, kind, testkit.SelfSigned(t, pollingHost), n1.Port, n2.Port)

			// The balancer's config sends OCTO2's port to 127.0.0.3.
			wrong := a.Clone()
			wrong.Nodes[1].Host = "127.0.0.3"
			render := map[string]func(steps.Answers) ([]byte, error){steps.LBHAProxy: lb.HAProxy, steps.LBNginx: lb.Nginx}[kind]
			config, err := render(wrong)
			if err != nil {
				t.Fatal(err)
			}
			b := lbtest.Start(t, kind, config, nil)
			via := network{Resolver: probetest.Hosts{pollingHost: {"127.0.0.2"}, "fs01.corp.local": {"127.0.0.1"}}, Dialer: balancerDialer{b}}

			code, fs := checkCluster(t, a, via, "--node-limit", "2")
			if code != 1 {
				t.Errorf("exit %d with a wrong forward, want 1", code)
			}
			for _, f := range findingsWith(fs, "db.") {
				if f.Severity == validate.Error {
					t.Errorf("a database listing exactly the cluster's nodes gave an error: %s", f)
				}
				if f.ID == "db.node-stale" || f.ID == "db.node-unknown" {
					t.Errorf("no row is stale or unknown: %s", f)
				}
			}
			var errs []validate.Finding
			for _, f := range findingsWith(fs, "tls.") {
				if f.Severity != validate.OK {
					errs = append(errs, f)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("want one certificate error (OCTO2's forward), got %v\nall: %v", errs, findingsWith(fs, "tls."))
			}
			bad := errs[0]
			port := strconv.Itoa(n2.Port)
			for _, s := range []string{"polling port " + port, impostor.Thumbprint, octopus.Thumbprint, "should reach OCTO2 (127.0.0.1:" + port + ")"} {
				if bad.ID != "tls.polling" || bad.Severity != validate.Error || !strings.Contains(bad.Message, s) {
					t.Errorf("the wrong forward's finding lacks %q: %s", s, bad)
				}
			}
		})
	}
}

// TestCheckNodeRows: a stale row and a row over the licence's node limit,
// through check's own flags.
func TestCheckNodeRows(t *testing.T) {
	db := clusterDatabase(t, liveRow("OCTO1", 20*time.Second), liveRow("OCTO2", 40*time.Second), liveRow("OCTO-OLD", 30*time.Hour))
	a := clusterAnswers(db, steps.LBHAProxy, testkit.Certificate{}, closedPortNumber(t), closedPortNumber(t))
	a.Tentacles.Mode = steps.ModeListening
	via := network{Resolver: probetest.Hosts{pollingHost: {"127.0.0.2"}, "fs01.corp.local": {"127.0.0.1"}}}

	_, fs := checkCluster(t, a, via, "--node-limit", "2")
	stale, limit := findingsWith(fs, "db.node-stale"), findingsWith(fs, "db.node-limit")
	if len(stale) != 1 || !strings.Contains(stale[0].Message, "OCTO-OLD") || !strings.Contains(stale[0].Fix, "/api/octopusservernodes/OctopusServerNodes-OCTO-OLD") {
		t.Errorf("want OCTO-OLD reported stale with how to delete it: %v", stale)
	}
	if len(limit) != 1 || limit[0].Severity != validate.Error {
		t.Errorf("three rows on a two-node licence: %v", limit)
	}

	// A longer --stale-after makes the row unknown, not stale.
	_, fs = checkCluster(t, a, via, "--stale-after", "48h")
	if len(findingsWith(fs, "db.node-stale")) != 0 || len(findingsWith(fs, "db.node-unknown")) != 1 {
		t.Errorf("with --stale-after 48h a row seen 30h ago is not stale:\n%v", findingsWith(fs, "db."))
	}
}

func closedPortNumber(t *testing.T) int {
	n, _ := strconv.Atoi(closedPort(t))
	return n
}

// TestCheckRedisPollingPort: with Redis polling the balancer forwards one
// port to every node; through HAProxy, every handshake on it presents the
// cluster's certificate.
func TestCheckRedisPollingPort(t *testing.T) {
	lbtest.RequireHAProxy(t)
	octopus := probetest.SelfSigned(t, "Octopus Portal")
	n1, n2 := probetest.TLS(t, "127.0.0.1:0", octopus), probetest.TLS(t, "127.0.0.1:0", octopus)
	db := clusterDatabase(t, liveRow("OCTO1", 20*time.Second), liveRow("OCTO2", 40*time.Second))
	a := clusterAnswers(db, steps.LBHAProxy, testkit.SelfSigned(t, pollingHost), n1.Port, n2.Port)
	a.Tentacles.Polling, a.Tentacles.BasePort = steps.PollingRedis, 10943
	a.Tentacles.Redis = steps.Redis{Host: "127.0.0.1", Port: closedPortNumber(t)}
	config, err := lb.HAProxy(a)
	if err != nil {
		t.Fatal(err)
	}
	b := lbtest.Start(t, steps.LBHAProxy, config, nil)
	via := network{Resolver: probetest.Hosts{pollingHost: {"127.0.0.2"}, "fs01.corp.local": {"127.0.0.1"}}, Dialer: balancerDialer{b}}
	_, fs := checkCluster(t, a, via)
	tls := findingsWith(fs, "tls.")
	if len(tls) != 3 {
		t.Fatalf("want two nodes' ports and one polling port, got %v", tls)
	}
	for _, f := range tls {
		if f.Severity != validate.OK {
			t.Errorf("every port presents the cluster's certificate: %s", f)
		}
	}
	if !strings.Contains(tls[2].Message, "polling port 10943") || !strings.Contains(tls[2].Message, "any node (OCTO1, OCTO2)") {
		t.Errorf("the balanced port's finding: %s", tls[2])
	}
}

// The wizard's listing of the database's nodes says which rows are stale
// and which draining, so the add-node flow can show them as such.
func TestListNodesMarksStaleAndDraining(t *testing.T) {
	draining := liveRow("OCTO2", 30*time.Second)
	draining.IsInMaintenanceMode = true
	db := clusterDatabase(t, liveRow("OCTO1", 20*time.Second), draining, liveRow("OCTO-OLD", 30*time.Hour))
	a := clusterAnswers(db, steps.LBHAProxy, testkit.Certificate{}, 10943, 10944)
	known, err := listNodes(context.Background(), a, sqlPassword)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]bool{}
	for _, k := range known {
		got[k.Name] = [2]bool{k.Stale, k.Draining}
	}
	want := map[string][2]bool{"OCTO1": {false, false}, "OCTO2": {false, true}, "OCTO-OLD": {true, false}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stale, draining per row: got %v, want %v", got, want)
	}
}
