package lb

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// fourNodes is a cluster of four nodes with the given tentacle choices.
func fourNodes(kind, mode, polling string) steps.Answers {
	a := steps.Defaults()
	a.LoadBalancer.Kind = kind
	a.LoadBalancer.PublicURL = "https://octopus.corp.local"
	a.LoadBalancer.Certificate = "/etc/lb/octopus.pem"
	a.Tentacles.Mode, a.Tentacles.Polling = mode, polling
	a.Tentacles.PollingAddress = "poll.corp.local"
	for i := range 4 {
		a.Nodes = append(a.Nodes, steps.Node{Name: fmt.Sprintf("OCTO%d", i+1), Host: fmt.Sprintf("octo%d.corp.local", i+1)})
	}
	return a
}

// tcpSection returns the part of a config that carries tentacle traffic:
// NGINX's stream {} block, HAProxy's mode tcp sections.
func tcpSection(kind, config string) string {
	if kind == steps.LBNginx {
		if i := strings.Index(config, "\nstream {"); i >= 0 {
			return config[i:]
		}
		return ""
	}
	var out []string
	for _, sec := range regexp.MustCompile(`(?m)^listen `).Split(config, -1)[1:] {
		out = append(out, "listen "+sec)
	}
	return strings.Join(out, "")
}

func TestPollingModes(t *testing.T) {
	listenRe := map[string]*regexp.Regexp{
		steps.LBNginx:   regexp.MustCompile(`(?m)^\s*listen (\d+);`),
		steps.LBHAProxy: regexp.MustCompile(`(?m)^\s*bind :(\d+)$`),
	}
	cases := []struct {
		mode, polling string
		listens       []string // the TCP ports tentacles reach through the balancer
		targets       []string // where they go
	}{
		{steps.ModeListening, "", nil, nil},
		{steps.ModePolling, steps.PollingUniqueAddress, nil, nil},
		{steps.ModePolling, steps.PollingUniquePort, []string{"10943", "10944", "10945", "10946"},
			[]string{"octo1.corp.local:10943", "octo2.corp.local:10944", "octo3.corp.local:10945", "octo4.corp.local:10946"}},
		{steps.ModePolling, steps.PollingRedis, []string{"10943"},
			[]string{"octo1.corp.local:10943", "octo2.corp.local:10943", "octo3.corp.local:10943", "octo4.corp.local:10943"}},
	}
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy} {
		for _, c := range cases {
			t.Run(kind+"/"+c.mode+"-"+c.polling, func(t *testing.T) {
				out, err := renderers[kind].render(fourNodes(kind, c.mode, c.polling))
				if err != nil {
					t.Fatal(err)
				}
				tcp := tcpSection(kind, string(out))
				var listens []string
				for _, m := range listenRe[kind].FindAllStringSubmatch(tcp, -1) {
					listens = append(listens, m[1])
				}
				if strings.Join(listens, ",") != strings.Join(c.listens, ",") {
					t.Errorf("tentacle ports %v, want %v", listens, c.listens)
				}
				for _, target := range c.targets {
					if !strings.Contains(tcp, target) {
						t.Errorf("no forward to %s", target)
					}
				}
				// Passthrough only: nothing in the TCP part terminates TLS.
				if strings.Contains(tcp, "ssl") || strings.Contains(tcp, "crt ") {
					t.Errorf("the tentacle forwards mention TLS:\n%s", tcp)
				}
				if c.listens == nil && !strings.Contains(string(out), "does not pass") && !strings.Contains(string(out), "no tentacle traffic passes") {
					t.Errorf("the config does not say why tentacles bypass the balancer")
				}
			})
		}
	}
}

func TestPersistenceChoices(t *testing.T) {
	want := map[string]map[string][]string{
		steps.LBNginx: {
			steps.PersistenceNone:     {"round robin"},
			steps.PersistenceCookie:   {"hash $octopus_affinity consistent;", "map $cookie_OctopusIdentificationToken", "[INFER]"},
			steps.PersistenceSourceIP: {"hash $remote_addr consistent;"},
		},
		steps.LBHAProxy: {
			steps.PersistenceNone:     {"balance roundrobin"},
			steps.PersistenceCookie:   {"cookie OCTOPUS_NODE insert indirect nocache httponly secure", "server OCTO1 octo1.corp.local:80 cookie OCTO1"},
			steps.PersistenceSourceIP: {"balance source"},
		},
	}
	sticky := []string{"hash ", "ip_hash", "cookie OCTOPUS_NODE", "balance source"}
	for kind, byChoice := range want {
		for choice, lines := range byChoice {
			a := fourNodes(kind, steps.ModeListening, "")
			a.LoadBalancer.Persistence = choice
			out, err := renderers[kind].render(a)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lines {
				if !strings.Contains(string(out), l) {
					t.Errorf("%s, persistence %s: no %q", kind, choice, l)
				}
			}
			note := strings.Contains(string(out), "only needed for Octopus older than 2021.3.8908")
			if note != (choice != steps.PersistenceNone) {
				t.Errorf("%s, persistence %s: version note shown = %t", kind, choice, note)
			}
			if choice == steps.PersistenceNone {
				for _, s := range sticky {
					if strings.Contains(string(out), s) {
						t.Errorf("%s without persistence has %q", kind, s)
					}
				}
			}
		}
	}
}

func TestTrustedProxiesReminder(t *testing.T) {
	for kind, r := range renderers {
		a := fourNodes(kind, steps.ModeListening, "")
		out, err := r.render(a)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), `--trustedProxies '<`) {
			t.Errorf("%s: no trustedProxies reminder when none are set", kind)
		}
		a.LoadBalancer.TrustedProxies = []string{"10.0.0.5"}
		out, err = r.render(a)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), `--trustedProxies '<`) || !strings.Contains(string(out), "--trustedProxies '10.0.0.5'") {
			t.Errorf("%s: with trustedProxies set the reminder is still there or the address is missing", kind)
		}
	}
}

func TestNginxHasNoActiveHealthCheckAndSaysSo(t *testing.T) {
	out, err := Nginx(fourNodes(steps.LBNginx, steps.ModeListening, ""))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"client_max_body_size 0;", "max_fails=1", "proxy_next_upstream error timeout http_502 http_503 http_504;",
		"NO active health", "DRAINING node keeps receiving web traffic", "proxy_set_header Upgrade $http_upgrade;"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q", want)
		}
	}
	// health_check is NGINX Plus only; nginx -t would refuse it.
	if regexp.MustCompile(`(?m)^\s*health_check`).MatchString(s) {
		t.Error("the config uses health_check")
	}
}

func TestRefusedAnswers(t *testing.T) {
	cases := map[string]struct {
		change func(*steps.Answers)
		want   string
	}{
		"https without certificate": {func(a *steps.Answers) { a.LoadBalancer.Certificate = "" }, "loadBalancer.certificate is empty"},
		"relative health check":     {func(a *steps.Answers) { a.LoadBalancer.HealthCheck = "api/ping" }, "must be a path starting with /"},
		"no nodes":                  {func(a *steps.Answers) { a.Nodes = nil }, "no nodes"},
		"newline in certificate":    {func(a *steps.Answers) { a.LoadBalancer.Certificate = "/a.pem\n    ssl off" }, "control character"},
		"$ in certificate":          {func(a *steps.Answers) { a.LoadBalancer.Certificate = "/certs/$host.pem" }, "holds a $"},
		"host with a space":         {func(a *steps.Answers) { a.Nodes[0].Host = "octo1 backup" }, "not a host name"},
		"public host breakout":      {func(a *steps.Answers) { a.LoadBalancer.PublicURL = "https://octo;evil/" }, "loadBalancer.publicUrl"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			a := fourNodes(steps.LBNginx, steps.ModeListening, "")
			c.change(&a)
			_, err := Nginx(a)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
			if strings.Contains(err.Error(), "executing") {
				t.Errorf("the error shows template internals: %v", err)
			}
		})
	}
	a := fourNodes(steps.LBHAProxy, steps.ModeListening, "")
	a.Nodes[1].Name = "OCTO 2"
	if _, err := HAProxy(a); err == nil || !strings.Contains(err.Error(), `"OCTO 2" cannot be an HAProxy server name`) {
		t.Errorf("HAProxy with a node name holding a space: %v", err)
	}
}

// Persistence is needed before the build that shares permission changes
// between nodes at once (steps.NoAffinityNeeded); a version that does not
// parse counts as current.
func TestPersistenceNeeded(t *testing.T) {
	for _, c := range []struct {
		have string
		want bool
	}{
		{"2020.6.4671", true}, {"2021.3", true}, {"2021.3.8907", true}, {"2021.3.8908", false},
		{"2021.3.8908.1", false}, {"2025.4", false}, {"2026.4.6909", false}, {"", false}, {"latest", false},
	} {
		a := fourNodes(steps.LBNginx, steps.ModeListening, "")
		a.Octopus.Version = steps.VersionText(c.have)
		v, err := newView(a)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.PersistenceNeeded; got != c.want {
			t.Errorf("PersistenceNeeded for %q = %t, want %t", c.have, got, c.want)
		}
	}
}

func BenchmarkRender16Nodes(b *testing.B) {
	for kind, r := range renderers {
		a := fourNodes(kind, steps.ModePolling, steps.PollingUniquePort)
		a.Nodes = nil
		for i := range 16 {
			a.Nodes = append(a.Nodes, steps.Node{Name: fmt.Sprintf("OCTO%d", i+1), Host: fmt.Sprintf("octo%d.corp.local", i+1)})
		}
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				if _, err := r.render(a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestApacheRefusesWhatItCannotCarry(t *testing.T) {
	cases := map[string]struct {
		change func(*steps.Answers)
		want   string
	}{
		"unique-port polling": {func(a *steps.Answers) {
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingUniquePort
		},
			"needs raw TCP passthrough"},
		"redis polling":             {func(a *steps.Answers) { a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingRedis }, "nginx or haproxy"},
		"source-ip persistence":     {func(a *steps.Answers) { a.LoadBalancer.Persistence = steps.PersistenceSourceIP }, "cannot pin a client"},
		"variable in a path":        {func(a *steps.Answers) { a.LoadBalancer.Certificate = "${APACHE_LOG_DIR}/x.pem" }, "holds ${"},
		"newline in a path":         {func(a *steps.Answers) { a.LoadBalancer.CertificateKey = "/k.pem\nSSLEngine off" }, "control character"},
		"node name with a space":    {func(a *steps.Answers) { a.Nodes[1].Name = "OCTO 2" }, `"OCTO 2" cannot be an Apache balancer route`},
		"https without certificate": {func(a *steps.Answers) { a.LoadBalancer.Certificate = "" }, "loadBalancer.certificate is empty"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			a := fourNodes(steps.LBApache, steps.ModeListening, "")
			c.change(&a)
			if _, err := Apache(a); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

func TestApachePersistenceAndHealthCheck(t *testing.T) {
	a := fourNodes(steps.LBApache, steps.ModeListening, "")
	for choice, want := range map[string][]string{
		steps.PersistenceNone:   {"ProxySet lbmethod=byrequests\n", "round robin"},
		steps.PersistenceCookie: {"stickysession=ROUTEID", `"route=OCTO1"`, "Header add Set-Cookie \"ROUTEID=.%{BALANCER_WORKER_ROUTE}e; Path=/; HttpOnly; Secure\" env=BALANCER_ROUTE_CHANGED"},
	} {
		a.LoadBalancer.Persistence = choice
		out, err := Apache(a)
		if err != nil {
			t.Fatal(err)
		}
		s := string(out)
		common := []string{"LimitRequestBody 0", "hcmethod=GET \"hcuri=/api/octopusservernodes/ping\" hcexpr=octopus_ok", "{%{REQUEST_STATUS} == 200}",
			"upgrade=websocket", "Redirect permanent \"/\" \"https://octopus.corp.local/\"", "a2enmod proxy_http proxy_balancer lbmethod_byrequests proxy_hcheck headers ssl",
			"/etc/httpd/conf.d/octopus.conf", "timeout=3600"}
		for _, w := range append(common, want...) {
			if !strings.Contains(s, w) {
				t.Errorf("%s: no %q", choice, w)
			}
		}
		if choice == steps.PersistenceNone && strings.Contains(s, "ROUTEID") {
			t.Errorf("persistence none sets the ROUTEID cookie")
		}
	}
}
