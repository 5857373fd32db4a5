package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
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

// check runs `octoha check` with the probes on a fixed resolver.
func check(t *testing.T, hosts probetest.Hosts, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	o, err := parseCheck(args)
	if err != nil {
		t.Fatalf("check %v: %v", args, err)
	}
	o.network = network{Resolver: hosts}
	s, out, errOut := fakeStreams("")
	code = exitCode(s, runCheck(s, o))
	return code, out.String(), errOut.String()
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string { return strconv.Itoa(testkit.FreePort(t)) }

func TestCheckReportsAndIgnores(t *testing.T) {
	port := closedPort(t)
	body := strings.NewReplacer(
		"sql01.corp.local", "127.0.0.1",
		"octo1.corp.local}", "127.0.0.1, webPort: "+port+"}",
		"octo2.corp.local}", "octo2.corp.local, webPort: "+port+"}",
		`'\\fs01\Octopus'`, `'\\127.0.0.1\Octopus'`,
		"http://octopus.corp.local", "http://127.0.0.1:"+port,
	).Replace(validAnswers)
	answers := writeAnswers(t, body)

	hosts := probetest.Hosts{"octo2.corp.local": {"127.0.0.1"}}
	code, stdout, stderr := check(t, hosts, "--answers", answers, "--timeout", "2s", "--json")
	if code != 1 {
		t.Fatalf("exit %d with nothing listening; stderr %s", code, stderr)
	}
	var report struct{ Findings validate.Findings }
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	var errorIDs []string
	for _, f := range report.Findings {
		if f.ID == "" || f.Message == "" {
			t.Errorf("finding without ID or message: %+v", f)
		}
		if f.Severity == validate.Error {
			errorIDs = append(errorIDs, f.ID)
		}
	}
	if len(errorIDs) == 0 {
		t.Fatalf("no errors reported: %s", stdout)
	}
	// stderr names the --ignore that would let check pass; stdout stays JSON.
	for _, id := range errorIDs {
		if !strings.Contains(stderr, "--ignore ") || !strings.Contains(stderr, id) {
			t.Errorf("stderr does not name %s to ignore: %q", id, stderr)
		}
	}

	code, stdout, _ = check(t, hosts, "--answers", answers, "--timeout", "2s", "--ignore", strings.Join(errorIDs, ","))
	if code != 0 {
		t.Errorf("with every error ignored: exit %d\n%s", code, stdout)
	}
	for _, want := range []string{"Nodes\n", "[warning]", "(ignored)", "errors\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
}

func TestCheckUsage(t *testing.T) {
	for _, args := range [][]string{{"check"}, {"check", "--answers", "a.yaml", "--timeout", "0s"}, {"check", "--nope"}, {"check", "--answers", "a.yaml", "--ignore", "dns.hots"}} {
		if code, _, _ := octoha(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestCheckAgainstHostileServers runs `check` against hostile servers: a Redis
// that answers `*2147483000`, nodes whose web port sends headers without
// end or a trickle, a file server whose name does not resolve. check holds
// its timeout and a few MB, and names each problem.
func TestCheckAgainstHostileServers(t *testing.T) {
	redis := probetest.Redis(t, 0, "*2147483000\r\n", probetest.Flood)
	headers := probetest.HTTP(t, "HTTP/1.1 200 OK\r\nX-Pad: ", "x", probetest.Flood)
	trickle := probetest.HTTP(t, "HTTP/1.1 200 OK\r\nX-Pad: ", "x", probetest.Trickle)
	answers := writeAnswers(t, `version: 1
octopus: {version: '2026.4.6909', serviceAccount: 'CORP\svc', adminEmail: a@corp.local}
database: {server: 127.0.0.1, port: `+closedPort(t)+`, name: Octopus, auth: windows}
storage: {root: '\\fs01.corp.local\Octopus'}
loadBalancer: {kind: haproxy, publicUrl: 'http://octopus.corp.local:`+strconv.Itoa(trickle.Port)+`'}
nodes:
  - {name: OCTO1, host: octo1.corp.local, webPort: `+strconv.Itoa(headers.Port)+`}
  - {name: OCTO2, host: octo2.corp.local, webPort: `+strconv.Itoa(trickle.Port)+`}
tentacles: {mode: polling, polling: redis, pollingAddress: octopus.corp.local, redis: {host: redis01.corp.local, port: `+strconv.Itoa(redis.Port)+`, ssl: false}}
`)
	loopback := []string{"127.0.0.1"}
	hosts := probetest.Hosts{"octo1.corp.local": loopback, "octo2.corp.local": loopback, "octopus.corp.local": loopback, "redis01.corp.local": loopback}

	const timeout, margin = time.Second, 500 * time.Millisecond
	var code int
	var stdout, stderr string
	use := probetest.Measure(func() {
		code, stdout, stderr = check(t, hosts, "--answers", answers, "--timeout", timeout.String(), "--json")
	})
	t.Logf("check took %v, allocated %.2f MB, heap peak %.2f MB, %.2f MB left", use.Took, probetest.MB(use.Allocated), probetest.MB(use.Peak), probetest.MB(use.Left))
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	if use.Took > timeout+margin {
		t.Errorf("check took %v with a %v timeout", use.Took, timeout)
	}
	if use.Peak > 16<<20 || use.Left > 4<<20 {
		t.Errorf("the heap grew by %.1f MB and kept %.1f MB", probetest.MB(use.Peak), probetest.MB(use.Left))
	}
	var report struct{ Findings validate.Findings }
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatal(err)
	}
	says := map[string]string{
		"redis.reach":  "claims 2147483000 elements",
		"http.ping":    "server response headers exceeded",
		"smb.reach":    "fs01.corp.local does not resolve",
		"http.version": "no answer",
	}
	for id, words := range says {
		found := false
		for _, f := range report.Findings {
			found = found || f.ID == id && strings.Contains(f.Message, words)
		}
		if !found {
			t.Errorf("no %s finding saying %q", id, words)
		}
	}
	for _, f := range report.Findings {
		t.Log(f)
	}
}
