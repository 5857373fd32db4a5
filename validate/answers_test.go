package validate

import (
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

// goodAnswers is a valid three-node cluster the cases below break one
// answer at a time.
func goodAnswers() steps.Answers {
	a := steps.Defaults()
	a.Octopus.ServiceAccount = `CORP\svc-octopus`
	a.Octopus.AdminEmail = "admins@corp.local"
	a.Database.Server = "sql01.corp.local"
	a.Storage.Root = `\\fs01.corp.local\Octopus`
	a.LoadBalancer.PublicURL = "http://octopus.corp.local"
	a.Nodes = []steps.Node{
		{Name: "OCTO1", Host: "octo1.corp.local"},
		{Name: "OCTO2", Host: "octo2.corp.local"},
		{Name: "OCTO3", Host: "octo3.corp.local"},
	}
	return a
}

func TestGoodAnswersHaveNoFindings(t *testing.T) {
	if fs := Check(goodAnswers()); len(fs) > 0 {
		t.Fatalf("findings on good answers: %v", fs)
	}
}

func TestCheckFindsEachProblem(t *testing.T) {
	cases := []struct {
		name     string
		change   func(a *steps.Answers)
		severity Severity
		field    string
		says     string
	}{
		{"empty node list", func(a *steps.Answers) { a.Nodes = nil }, Error, "nodes", "no nodes"},
		{"one node", func(a *steps.Answers) { a.Nodes = a.Nodes[:1] }, Warning, "nodes", "not a highly available"},
		{"duplicate node name", func(a *steps.Answers) { a.Nodes[2].Name = "octo1" }, Error, "nodes[2].name", "already used by node 1"},
		{"node name with space", func(a *steps.Answers) { a.Nodes[1].Name = "OCTO 2" }, Error, "nodes[1].name", "only letters"},
		{"bad host", func(a *steps.Answers) { a.Nodes[1].Host = "octo_2;rm" }, Error, "nodes[1].host", "not a valid host name"},
		{"one host one comms port", func(a *steps.Answers) {
			a.Nodes[1].Host = "octo1.corp.local"
			a.Nodes[1].WebPort = 8080
		}, Error, "nodes[1].commsPort", "node 1 already listens on octo1.corp.local:10943"},
		{"one host one web port", func(a *steps.Answers) {
			a.Nodes[1].Host = "OCTO1.corp.local"
			a.Nodes[1].CommsPort = 0
		}, Error, "nodes[1].webPort", "already listens"},
		{"bad port", func(a *steps.Answers) { a.Nodes[0].WebPort = 70000 }, Error, "nodes[0].webPort", "not a TCP port"},
		{"bad octopus port", func(a *steps.Answers) { a.Octopus.CommsPort = -1 }, Error, "octopus.commsPort", "not a TCP port"},
		// The nodes serve plain HTTP: 443 would be cleartext where TLS is expected.
		{"node web port 443", func(a *steps.Answers) { a.Nodes[2].WebPort = 443 }, Error, "nodes[2].webPort", "plain HTTP"},
		{"octopus web port 443", func(a *steps.Answers) { a.Octopus.WebPort = 443 }, Error, "octopus.webPort", "plain HTTP"},
		{"unique-port explicit mismatch", func(a *steps.Answers) {
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingUniquePort
			a.Nodes[1].CommsPort = 10943
		}, Error, "nodes[1].commsPort", "basePort+1 = 10944"},
		{"unique-address explicit mismatch", func(a *steps.Answers) {
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingUniqueAddress
			a.Nodes[2].CommsPort = 10950
		}, Error, "nodes[2].commsPort", "octopus.commsPort = 10943"},
		{"unique-port past 65535", func(a *steps.Answers) {
			a.Tentacles.Mode, a.Tentacles.Polling, a.Tentacles.BasePort = steps.ModePolling, steps.PollingUniquePort, 65534
		}, Error, "tentacles.basePort", "port 65536"},
		{"relative storage", func(a *steps.Answers) { a.Storage.Root = `Octopus\Shared` }, Error, "storage.root", "relative path"},
		{"driveless rooted storage", func(a *steps.Answers) { a.Storage.Root = `\Octopus` }, Error, "storage.root", "relative path"},
		{"drive letter storage", func(a *steps.Answers) { a.Storage.Root = `Z:\Octopus` }, Warning, "storage.root", "mapped per user"},
		{"relative sub-path", func(a *steps.Answers) { a.Storage.Artifacts = "Artifacts" }, Error, "storage.artifacts", "relative"},
		{"empty storage", func(a *steps.Answers) { a.Storage.Root = "" }, Error, "storage.root", "empty"},
		{"old octopus, event exports", func(a *steps.Answers) {
			a.Octopus.Version = "2023.2"
			a.Storage.EventExports = `\\fs01\Octopus\Events`
		}, Error, "storage.eventExports", "needs Octopus 2023.3 or later"},
		{"too old for cluster shared", func(a *steps.Answers) { a.Octopus.Version = "2020.2.14" }, Error, "storage.root", "2020.2.15"},
		{"redis on 2026.4 without build", func(a *steps.Answers) {
			a.Octopus.Version = "2026.4"
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingRedis
			a.Tentacles.Redis.Host = "redis01"
		}, Error, "tentacles.polling", "needs Octopus 2026.4.6909 or later; octopus.version is 2026.4"},
		{"redis without host", func(a *steps.Answers) {
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingRedis
		}, Error, "tentacles.redis.host", "Redis host is empty"},
		{"bad version", func(a *steps.Answers) { a.Octopus.Version = "latest" }, Error, "octopus.version", "not an Octopus version"},
		{"home on a share", func(a *steps.Answers) { a.Octopus.HomeDir = `\\fs01\Octopus` }, Error, "octopus.homeDir", "own disk"},
		{"bad service account", func(a *steps.Answers) { a.Octopus.ServiceAccount = "svc octopus" }, Error, "octopus.serviceAccount", "DOMAIN"},
		{"sql auth without user", func(a *steps.Answers) { a.Database.Auth = steps.AuthSQL }, Error, "database.user", "login name"},
		{"unknown auth", func(a *steps.Answers) { a.Database.Auth = "kerberos" }, Error, "database.auth", "windows or sql"},
		{"bad sql server", func(a *steps.Answers) { a.Database.Server = "sql 01" }, Error, "database.server", "not a valid host"},
		{"bad instance", func(a *steps.Answers) { a.Database.Server = `sql01\A;B` }, Error, "database.server", "instance name"},
		{"this machine as .", func(a *steps.Answers) { a.Database.Server = "." }, Error, "database.server", "each node would use its own SQL Server"},
		{"this machine as (local)", func(a *steps.Answers) { a.Database.Server = `(local)\SQLEXPRESS` }, Error, "database.server", "each node would use its own SQL Server"},
		{"this machine as localhost", func(a *steps.Answers) { a.Database.Server = "tcp:localhost,1433" }, Error, "database.server", "each node would use its own SQL Server"},
		{"two ports", func(a *steps.Answers) { a.Database.Server, a.Database.Port = "sql01,1500", 1433 }, Error, "database.port", "give the port in one place"},
		{"named pipes", func(a *steps.Answers) { a.Database.Server = `np:sql01` }, Error, "database.server", "over TCP"},
		{"bad server port", func(a *steps.Answers) { a.Database.Server = "sql01,14x" }, Error, "database.server", "not a TCP port"},
		{"bad port answer", func(a *steps.Answers) { a.Database.Port = 70000 }, Error, "database.port", "not a TCP port"},
		{"forward-slash share", func(a *steps.Answers) { a.Storage.Root = `//fs01/Octopus` }, Error, "storage.root", "backslashes"},
		{"device-prefixed share", func(a *steps.Answers) { a.Storage.Root = `\\?\UNC\fs01\Octopus` }, Error, "storage.root", "device prefix"},
		{"trust server cert", func(a *steps.Answers) { a.Database.TrustServerCertificate = true }, Warning, "database.trustServerCertificate", "without validation"},
		{"no encryption", func(a *steps.Answers) { a.Database.Encrypt = false }, Warning, "database.encrypt", "not encrypted"},
		{"local system with windows auth", func(a *steps.Answers) { a.Octopus.ServiceAccount = "" }, Warning, "database.auth", "computer account"},
		{"public url with path", func(a *steps.Answers) { a.LoadBalancer.PublicURL = "https://octopus.corp.local/app" }, Error, "loadBalancer.publicUrl", "root"},
		{"public url not a url", func(a *steps.Answers) { a.LoadBalancer.PublicURL = "octopus.corp.local" }, Error, "loadBalancer.publicUrl", "absolute URL"},
		{"https nginx without certificate", func(a *steps.Answers) { a.LoadBalancer.PublicURL = "https://octopus.corp.local" }, Error, "loadBalancer.certificate", "absolute path"},
		{"https arr without thumbprint", func(a *steps.Answers) {
			a.LoadBalancer.Kind = steps.LBIISARR
			a.LoadBalancer.PublicURL = "https://octopus.corp.local"
		}, Error, "loadBalancer.certificateThumbprint", "thumbprint"},
		{"arr with unique-port polling", func(a *steps.Answers) {
			a.LoadBalancer.Kind = steps.LBIISARR
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingUniquePort
		}, Error, "tentacles.polling", "TCP passthrough"},
		{"apache with unique-port polling", func(a *steps.Answers) {
			a.LoadBalancer.Kind = steps.LBApache
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingUniquePort
		}, Error, "tentacles.polling", "Apache httpd cannot pass unique-port polling through"},
		{"apache with redis polling", func(a *steps.Answers) {
			a.LoadBalancer.Kind = steps.LBApache
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingRedis
		}, Error, "tentacles.polling", "cannot pass redis polling through"},
		{"apache with source-ip persistence", func(a *steps.Answers) {
			a.LoadBalancer.Kind = steps.LBApache
			a.LoadBalancer.Persistence = steps.PersistenceSourceIP
		}, Error, "loadBalancer.persistence", "cannot pin a client by its address"},
		{"https apache without certificate", func(a *steps.Answers) {
			a.LoadBalancer.Kind = steps.LBApache
			a.LoadBalancer.PublicURL = "https://octopus.corp.local"
		}, Error, "loadBalancer.certificate", "absolute path"},
		{"unknown kind", func(a *steps.Answers) { a.LoadBalancer.Kind = "traefik" }, Error, "loadBalancer.kind", "nginx, haproxy, apache"},
		{"persistence on new octopus", func(a *steps.Answers) { a.LoadBalancer.Persistence = steps.PersistenceCookie }, Warning, "loadBalancer.persistence", "2021.3.8908"},
		{"health check not a path", func(a *steps.Answers) { a.LoadBalancer.HealthCheck = "ping; rm" }, Error, "loadBalancer.healthCheck", "not a URL path"},
		{"trusted proxy not an ip", func(a *steps.Answers) { a.LoadBalancer.TrustedProxies = []string{"lb01"} }, Error, "loadBalancer.trustedProxies[0]", "IP address"},
		{"unknown mode", func(a *steps.Answers) { a.Tentacles.Mode = "active" }, Error, "tentacles.mode", "listening or polling"},
		{"newline typed into a value", func(a *steps.Answers) { a.Octopus.AdminUsername = "admin\n2. [ ] run this" }, Error, "octopus.adminUsername", "control character U+000A"},
		{"escape pasted into a value", func(a *steps.Answers) { a.Nodes[1].Host = "\x1b[31mocto2" }, Error, "nodes[1].host", "control character U+001B"},
		{"task cap over the limit", func(a *steps.Answers) { a.Octopus.TaskCap = 1000 }, Error, "octopus.taskCap", "at most 100"},
		{"same host with a trailing dot", func(a *steps.Answers) { a.Nodes[2].Host = "OCTO1.corp.local." }, Error, "nodes[2].webPort", "node 1 already listens"},
		{"all-numeric host", func(a *steps.Answers) { a.Nodes[1].Host = "1.2.3" }, Error, "nodes[1].host", "neither an IPv4 address nor a host name"},
		{"IPv6 host", func(a *steps.Answers) { a.Nodes[1].Host = "fd00::12" }, Error, "nodes[1].host", "IPv6 address"},
		{"IPv6 public URL", func(a *steps.Answers) { a.LoadBalancer.PublicURL = "http://[fd00::1]" }, Error, "loadBalancer.publicUrl", "IPv6 address"},
		{"unknown polling", func(a *steps.Answers) {
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, "vip"
		}, Error, "tentacles.polling", "unique-address, unique-port or redis"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := goodAnswers()
			c.change(&a)
			fs := Check(a).For(c.field)
			for _, f := range fs {
				if f.Severity == c.severity && strings.Contains(f.Message, c.says) {
					if f.ID == "" {
						t.Errorf("finding has no ID: %v", f)
					}
					return
				}
			}
			t.Errorf("want a %v on %s saying %q; got %v (all: %v)", c.severity, c.field, c.says, fs, Check(a))
		})
	}
}

// Persistence stays quiet for Octopus versions that still need it.
func TestPersistenceFineOnOldOctopus(t *testing.T) {
	a := goodAnswers()
	a.Octopus.Version = "2021.2"
	a.LoadBalancer.Persistence = steps.PersistenceCookie
	if fs := Check(a).For("loadBalancer.persistence"); len(fs) > 0 {
		t.Errorf("persistence on 2021.2 should be fine: %v", fs)
	}
}

// The SQL Server forms SqlClient reads (FACTS.md) pass the pure check, as
// they pass the probes (validate/dbprobe TestProbeTakesServerForms).
func TestSQLServerFormsAccepted(t *testing.T) {
	for _, c := range []struct {
		server string
		port   int
	}{
		{"sql01.corp.local", 0}, {"sql01,1433", 0}, {"tcp:sql01,1433", 0}, {`TCP:sql01\INST,14330`, 0},
		{`sql01\OCTOPUS`, 0}, {"sql01", 14330}, {"sql01,1433", 1433}, {"tcp:10.0.0.5", 0},
	} {
		a := goodAnswers()
		a.Database.Server, a.Database.Port = c.server, c.port
		if fs := Check(a); len(fs) > 0 {
			t.Errorf("%q port %d: %v", c.server, c.port, fs)
		}
	}
}

// A bad port answer and a bad server are both reported.
func TestSQLServerAndPortBothReported(t *testing.T) {
	a := goodAnswers()
	a.Database.Server, a.Database.Port = "sql 01", 0x10000
	fs := Check(a)
	if len(fs.For("database.port")) != 1 || len(fs.For("database.server")) != 1 {
		t.Errorf("want one finding on each field, got %v", fs)
	}
}

func TestExamplesPassCheck(t *testing.T) {
	paths := []string{
		"2-node-listening-nginx", "2-node-listening-nginx-sql-auth", "2-node-polling-unique-address-external",
		"3-node-listening-iis-arr", "3-node-polling-redis-haproxy", "3-node-polling-unique-address-haproxy",
		"4-node-polling-unique-port-nginx",
	}
	for _, p := range paths {
		if fs := Check(testkit.Example(t, p)); fs.HasErrors() {
			t.Errorf("%s: %v", p, fs)
		}
	}
}

func BenchmarkCheck16Nodes(b *testing.B) {
	a := goodAnswers()
	for i := 3; i < 16; i++ {
		a.Nodes = append(a.Nodes, steps.Node{Name: "OCTO" + string(rune('A'+i)), Host: "octo" + string(rune('a'+i)) + ".corp.local"})
	}
	for b.Loop() {
		Check(a)
	}
}

// TestApacheRefusesTCPPolling: Apache cannot forward raw TCP, so the two
// polling modes that pass through the balancer are refused under their
// own ID, with the modes and balancers that work; the others are fine.
func TestApacheRefusesTCPPolling(t *testing.T) {
	for _, c := range []struct {
		mode, polling string
		refused       bool
	}{
		{steps.ModeListening, "", false},
		{steps.ModePolling, steps.PollingUniqueAddress, false},
		{steps.ModePolling, steps.PollingUniquePort, true},
		{steps.ModePolling, steps.PollingRedis, true},
	} {
		a := goodAnswers()
		a.LoadBalancer.Kind = steps.LBApache
		a.Tentacles.Mode, a.Tentacles.Polling = c.mode, c.polling
		a.Tentacles.Redis.Host = "redis01"
		var found *Finding
		for _, f := range Check(a) {
			if f.ID == "lb.passthrough" {
				found = &f
			}
		}
		if (found != nil) != c.refused {
			t.Errorf("%s %s: lb.passthrough finding %v, want refused=%t", c.mode, c.polling, found, c.refused)
			continue
		}
		if found == nil {
			continue
		}
		for _, want := range []string{"listening", "unique-address", "nginx", "haproxy"} {
			if !strings.Contains(found.Fix, want) {
				t.Errorf("%s: the fix %q does not name %s", c.polling, found.Fix, want)
			}
		}
		if found.Severity != Error || found.Field != steps.FieldTentaclesPolling {
			t.Errorf("%s: %v, want an error on %s", c.polling, found, steps.FieldTentaclesPolling)
		}
	}
}
