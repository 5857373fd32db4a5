package netprobe

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe/probetest"
)

func TestMain(m *testing.M) {
	probetest.ForbidMachineDNS()
	os.Exit(m.Run())
}

// openPort listens on a free loopback port and accepts (and drops)
// connections until the test ends.
func openPort(t *testing.T) (host string, port int) {
	return testkit.Loopback, testkit.OpenPort(t)
}

// status serves code on every path.
func status(t *testing.T, code int) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		w.Write([]byte(`{"IsInMaintenanceMode":false}`))
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// octopusNode answers /api with version, and the health check with 200.
func octopusNode(t *testing.T, version string) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api":
			json.NewEncoder(w).Encode(map[string]string{"Application": "Octopus Deploy", "Version": version})
		case "/api/octopusservernodes/ping":
			w.Write([]byte(`{}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s.URL
}

func timeoutCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// only returns the single finding of fs, failing otherwise.
func only(t *testing.T, fs validate.Findings) validate.Finding {
	t.Helper()
	return testkit.Only(t, fs)
}

// wantFinding checks f's ID, severity and words (testkit.Is).
func wantFinding(t *testing.T, f validate.Finding, id string, sev validate.Severity, words ...string) {
	t.Helper()
	testkit.Is(t, f, id, sev, words...)
}

func TestTCPOpenPort(t *testing.T) {
	host, port := openPort(t)
	f := only(t, TCP(timeoutCtx(t, time.Second), Env{}, Port{ID: "tcp.web", Field: "nodes[0].host", Host: host, Port: port, Role: "OCTO1's web port"}))
	wantFinding(t, f, "tcp.web", validate.OK, "OCTO1's web port answers", strconv.Itoa(port))
	if f.Field != "nodes[0].host" {
		t.Errorf("field %q", f.Field)
	}
}

func TestTCPClosedPort(t *testing.T) {
	port := testkit.FreePort(t)
	p := Port{ID: "tcp.comms", Host: "127.0.0.1", Port: port, Role: "OCTO2's comms port", Fix: "Open the port."}

	start := time.Now()
	f := only(t, TCP(timeoutCtx(t, time.Second), Env{}, p))
	if time.Since(start) > 500*time.Millisecond {
		t.Errorf("a refused connection took %s", time.Since(start))
	}
	wantFinding(t, f, "tcp.comms", validate.Error, "refused", "Open the port.")

	p.BeforeInstall = true
	f = only(t, TCP(timeoutCtx(t, time.Second), Env{}, p))
	wantFinding(t, f, "tcp.comms", validate.Warning, "refused", "until Octopus is installed", "Once the node is installed: open the port.")
}

func TestHealth(t *testing.T) {
	for _, tc := range []struct {
		code  int
		sev   validate.Severity
		words []string
	}{
		{200, validate.OK, []string{"OCTO1 is healthy", "200"}},
		{418, validate.Warning, []string{"OCTO1 is draining", "418", "--drain=false"}},
		{500, validate.Error, []string{"OCTO1 is unhealthy", "500 Internal Server Error"}},
		{404, validate.Error, []string{"404 Not Found", "loadBalancer.healthCheck"}},
	} {
		url := status(t, tc.code) + "/api/octopusservernodes/ping"
		f := only(t, Health(timeoutCtx(t, time.Second), Env{}, "nodes[0].host", "OCTO1", url))
		wantFinding(t, f, "http.ping", tc.sev, tc.words...)
		if !strings.Contains(f.Message, url) {
			t.Errorf("message %q does not name the URL", f.Message)
		}
	}
}

func TestHealthNotInstalledAndHung(t *testing.T) {
	url := "http://127.0.0.1:" + strconv.Itoa(testkit.FreePort(t)) + "/api/octopusservernodes/ping"
	f := only(t, Health(timeoutCtx(t, time.Second), Env{}, "nodes[0].host", "OCTO1", url))
	wantFinding(t, f, "http.ping", validate.Warning, "refused", "until Octopus is installed")

	url = "http://127.0.0.1:" + strconv.Itoa(testkit.HungServer(t)) + "/api/octopusservernodes/ping"
	start := time.Now()
	f = only(t, Health(timeoutCtx(t, 200*time.Millisecond), Env{}, "nodes[0].host", "OCTO1", url))
	if took := time.Since(start); took > time.Second {
		t.Errorf("a hung node held the check for %s", took)
	}
	wantFinding(t, f, "http.ping", validate.Error, "no answer in time")
}

func TestPublic(t *testing.T) {
	for _, tc := range []struct {
		code int
		sev  validate.Severity
		word string
	}{
		{200, validate.OK, "healthy node"},
		{418, validate.Warning, "draining node"},
		{502, validate.Error, "502 Bad Gateway"},
	} {
		url := status(t, tc.code) + "/api/octopusservernodes/ping"
		f := only(t, Public(timeoutCtx(t, time.Second), Env{}, "loadBalancer.publicUrl", url))
		wantFinding(t, f, "lb.public", tc.sev, tc.word)
	}
}

func TestPublicUntrustedCertificate(t *testing.T) {
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(s.Close)
	f := only(t, Public(timeoutCtx(t, time.Second), Env{}, "loadBalancer.publicUrl", s.URL+"/api/octopusservernodes/ping"))
	wantFinding(t, f, "lb.public", validate.Error, "authority this machine does not trust")

	// The test server's own client trusts it.
	f = only(t, Public(timeoutCtx(t, time.Second), Env{HTTP: s.Client()}, "loadBalancer.publicUrl", s.URL+"/api/octopusservernodes/ping"))
	wantFinding(t, f, "lb.public", validate.OK)
}

func TestDNS(t *testing.T) {
	env := Env{Resolver: probetest.Hosts{"octo1.corp.local": {"10.0.0.11", "10.0.0.12"}}}
	f := only(t, DNS(timeoutCtx(t, time.Second), env, "nodes[0].host", "octo9.corp.local"))
	wantFinding(t, f, "dns.host", validate.Error, "octo9.corp.local does not resolve from this machine (no such host)")

	f = only(t, DNS(timeoutCtx(t, time.Second), env, "nodes[0].host", "OCTO1.corp.local"))
	wantFinding(t, f, "dns.host", validate.OK, "OCTO1.corp.local resolves to 10.0.0.11, 10.0.0.12")
}

// dnsRefused is what a lookup returns when this machine's DNS server
// refuses the query: its text says "connection refused".
var dnsRefused = probetest.Failing{Err: &net.DNSError{Err: "dial udp 10.0.0.53:53: connect: connection refused", Server: "10.0.0.53:53"}}

// A name that does not resolve is a DNS failure in every check that
// connects, never a port that refuses, which before install is only a
// warning ("expected until Octopus is installed").
func TestNameThatDoesNotResolveIsNotRefused(t *testing.T) {
	for _, tc := range []struct {
		name     string
		resolver Resolver
		says     string
	}{
		{"no such host", probetest.Hosts{}, "octo1.corp.local does not resolve (no such host)"},
		{"the DNS server refuses", dnsRefused, "the name lookup failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := Env{Resolver: tc.resolver}
			port := Port{ID: "tcp.web", Field: "nodes[0].host", Host: "octo1.corp.local", Port: 80, Role: "OCTO1's web port", BeforeInstall: true, Fix: "Open it."}
			for _, f := range []validate.Finding{
				only(t, TCP(timeoutCtx(t, time.Second), env, port)),
				only(t, Health(timeoutCtx(t, time.Second), env, "nodes[0].host", "OCTO1", "http://octo1.corp.local/api/octopusservernodes/ping")),
				only(t, Public(timeoutCtx(t, time.Second), env, "loadBalancer.publicUrl", "https://octo1.corp.local/api/octopusservernodes/ping")),
				only(t, Versions(timeoutCtx(t, time.Second), env, "octopus.version", "2026.4.6909", []Node{{"OCTO1", "http://octo1.corp.local"}})),
			} {
				t.Log(f)
				if f.Severity != validate.Error || !strings.Contains(f.Message, tc.says) {
					t.Errorf("%s: want an error that says %q, got %s", f.ID, tc.says, f)
				}
				if strings.Contains(f.Message+f.Fix, "until Octopus is installed") || strings.Contains(f.Fix, "Once the node is installed") {
					t.Errorf("%s: a name that does not resolve taken for a port not yet open: %s", f.ID, f)
				}
			}
		})
	}
}

// The error a dial returns when this machine's DNS server refuses the
// query says "connection refused", but it is not the port refusing.
func TestRefusedIsNeverADNSFailure(t *testing.T) {
	lookup := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "dial udp 10.0.0.53:53: connect: connection refused", Name: "octo1.corp.local"}}
	if refused(lookup) {
		t.Errorf("refused(%v) = true", lookup)
	}
	port := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	if !refused(port) {
		t.Errorf("refused(%v) = false", port)
	}
}

func TestVersions(t *testing.T) {
	const want = "2026.4.6909"
	notRunning := "http://127.0.0.1:" + strconv.Itoa(testkit.FreePort(t))
	hung := "http://127.0.0.1:" + strconv.Itoa(testkit.HungServer(t))

	t.Run("all match", func(t *testing.T) {
		nodes := []Node{{"OCTO1", octopusNode(t, want)}, {"OCTO2", octopusNode(t, want)}, {"OCTO3", notRunning}}
		f := only(t, Versions(timeoutCtx(t, time.Second), Env{}, "octopus.version", want, nodes))
		wantFinding(t, f, "http.version", validate.OK, "OCTO1, OCTO2 run Octopus 2026.4.6909")
	})
	t.Run("skew names both versions", func(t *testing.T) {
		nodes := []Node{{"OCTO1", octopusNode(t, want)}, {"OCTO2", octopusNode(t, "2025.3.1200")}, {"OCTO3", octopusNode(t, want)}}
		f := only(t, Versions(timeoutCtx(t, time.Second), Env{}, "octopus.version", want, nodes))
		wantFinding(t, f, "http.version", validate.Error, "OCTO2 runs 2025.3.1200", "OCTO1 and OCTO3 run 2026.4.6909", "identical version")
	})
	t.Run("cluster runs another version", func(t *testing.T) {
		nodes := []Node{{"OCTO1", octopusNode(t, "2025.3.1200")}}
		f := only(t, Versions(timeoutCtx(t, time.Second), Env{}, "octopus.version", want, nodes))
		wantFinding(t, f, "http.version", validate.Error, "OCTO1 runs Octopus 2025.3.1200 but octopus.version is 2026.4.6909")
	})
	t.Run("a version without its build names the build", func(t *testing.T) {
		// As the node scripts check the installed Octopus.Server.exe
		// (steps.VersionNames): "2026.4" is what 2026.4.6909 runs.
		nodes := []Node{{"OCTO1", octopusNode(t, want)}}
		f := only(t, Versions(timeoutCtx(t, time.Second), Env{}, "octopus.version", "2026.4", nodes))
		wantFinding(t, f, "http.version", validate.OK, "OCTO1 runs Octopus 2026.4.6909, as octopus.version says")
	})
	t.Run("nothing installed yet", func(t *testing.T) {
		f := only(t, Versions(timeoutCtx(t, time.Second), Env{}, "octopus.version", want, []Node{{"OCTO1", notRunning}}))
		wantFinding(t, f, "http.version", validate.OK, "No node runs Octopus yet")
	})
	t.Run("not Octopus", func(t *testing.T) {
		f := only(t, Versions(timeoutCtx(t, time.Second), Env{}, "octopus.version", want, []Node{{"OCTO1", status(t, 200)}}))
		wantFinding(t, f, "http.version", validate.Warning, `no "Version"`)
	})
	t.Run("a hung node does not hide the others", func(t *testing.T) {
		nodes := []Node{{"OCTO1", octopusNode(t, want)}, {"OCTO2", hung}, {"OCTO3", octopusNode(t, "2025.3.1200")}}
		ctx := timeoutCtx(t, 500*time.Millisecond)
		fs := Versions(ctx, Env{}, "octopus.version", want, nodes)
		if ctx.Err() != nil {
			t.Fatal("the check ran past its deadline")
		}
		if len(fs) != 2 {
			t.Fatalf("want 2 findings, got %v", fs)
		}
		wantFinding(t, fs[0], "http.version", validate.Error, "OCTO2", "no answer in time")
		wantFinding(t, fs[1], "http.version", validate.Error, "OCTO3 runs 2025.3.1200")
	})
}

// portDialer sends every dial for port 445 to a test listener instead.
type portDialer struct{ smb string }

func (d portDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if _, port, _ := net.SplitHostPort(addr); port == "445" {
		addr = d.smb
	}
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}

func TestSMB(t *testing.T) {
	host, port := openPort(t)
	fs01 := probetest.Hosts{"fs01.corp.local": {"10.0.0.5"}}
	env := Env{Resolver: fs01, Dialer: portDialer{smb: net.JoinHostPort(host, strconv.Itoa(port))}}
	f := only(t, SMB(timeoutCtx(t, time.Second), env, "storage.root", `\\fs01.corp.local\Octopus`))
	wantFinding(t, f, "smb.reach", validate.OK, "File server fs01.corp.local", "fs01.corp.local:445")

	env = Env{Resolver: fs01, Dialer: portDialer{smb: "127.0.0.1:" + strconv.Itoa(testkit.FreePort(t))}}
	f = only(t, SMB(timeoutCtx(t, time.Second), env, "storage.root", `\\fs01.corp.local\Octopus`))
	wantFinding(t, f, "smb.reach", validate.Error, "refused", "445")

	f = only(t, SMB(timeoutCtx(t, time.Second), Env{}, "storage.taskLogs", `Z:\Octopus\TaskLogs`))
	wantFinding(t, f, "smb.reach", validate.Warning, "drive Z:", "service account", `\\server\share`)

	if fs := SMB(timeoutCtx(t, time.Second), Env{}, "storage.artifacts", "Artifacts"); len(fs) != 0 {
		t.Errorf("a relative path got findings: %v", fs)
	}
	// The spellings steps.ParseWindowsPath refuses are not probed either:
	// the pure check and the probe read a path the same way.
	for _, p := range []string{`//fs01.corp.local/Octopus`, `\\?\UNC\fs01.corp.local\Octopus`, `\\?\D:\data`} {
		if fs := SMB(timeoutCtx(t, time.Second), Env{}, "storage.root", p); len(fs) != 0 {
			t.Errorf("%s got findings: %v", p, fs)
		}
	}
}
