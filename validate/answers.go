package validate

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/steps"
)

// Check runs every pure check of a set of answers: no network, no disk,
// microseconds. It returns only problems (warnings and errors); the
// wizard, --plain, export and check all call it.
func Check(a steps.Answers) Findings {
	c := &checker{a: &a}
	c.text()
	c.octopus()
	c.database()
	c.storage()
	c.loadBalancer()
	c.nodes()
	c.tentacles()
	return c.out
}

type checker struct {
	a   *steps.Answers
	v   steps.OctopusVersion // nil when octopus.version does not parse
	out Findings
}

func (c *checker) err(id, field, fix, format string, args ...any) {
	c.out = append(c.out, errorf(id, field, fix, format, args...))
}

func (c *checker) warn(id, field, fix, format string, args ...any) {
	c.out = append(c.out, warnf(id, field, fix, format, args...))
}

// needs reports a feature the chosen Octopus version is too old for.
func (c *checker) needs(f steps.Feature, id, field string) {
	if c.v != nil && !f.In(c.v) {
		c.err(id, field, "Raise octopus.version (and install that version on every node) or drop this answer.",
			"%s needs Octopus %s or later; octopus.version is %s", f.What, f.Since, c.a.Octopus.Version)
	}
}

// text: every answer is one line of plain text (steps.TextProblems); the
// loader refuses a file with a control character, and this catches one
// typed or pasted into the wizard.
func (c *checker) text() {
	for _, p := range steps.TextProblems(*c.a) {
		c.err("text.control", p.Field, "Retype the value without it.", "%s", p.Msg)
	}
}

// MaxTaskCap is the largest task cap octoha accepts. [INFER] Octopus
// documents no limit; its default is 5 and its docs' example 15, so a
// larger number than this is taken for a typo.
const MaxTaskCap = 100

func (c *checker) octopus() {
	o := c.a.Octopus
	if v, err := steps.ParseOctopusVersion(string(o.Version)); err != nil {
		c.err("octopus.version", steps.FieldOctopusVersion, "Write the version every node will run, such as "+string(steps.DefaultOctopusVersion)+".", "%v", err)
	} else {
		c.v = v
	}
	if !steps.IsWindowsName(strings.ReplaceAll(o.Instance, " ", "_"), 64) {
		c.err("octopus.instance", steps.FieldOctopusInstance, "Use letters, digits, '-' or '_' (Octopus's default is OctopusServer).",
			"instance name %q is not usable", o.Instance)
	}
	c.localDir(steps.FieldOctopusInstallDir, o.InstallDir, "the Octopus install folder")
	c.localDir(steps.FieldOctopusHomeDir, o.HomeDir, "the home folder")
	if p := serviceAccountProblem(o.ServiceAccount); p != "" {
		c.err("octopus.serviceAccount", steps.FieldOctopusServiceAccount, "Leave it empty for Local System.", "service account %s", p)
	}
	c.port(steps.FieldOctopusWebPort, o.WebPort)
	c.plainHTTPPort(steps.FieldOctopusWebPort, o.WebPort)
	c.port(steps.FieldOctopusCommsPort, o.CommsPort)
	if strings.TrimSpace(o.AdminUsername) == "" {
		c.err("octopus.adminUsername", steps.FieldOctopusAdminUsername, "", "the first administrator's user name is empty")
	}
	if o.AdminEmail != "" && !strings.Contains(o.AdminEmail, "@") {
		c.err("octopus.adminEmail", steps.FieldOctopusAdminEmail, "", "%q is not an email address", o.AdminEmail)
	}
	switch {
	case o.TaskCap < 0:
		c.err("octopus.taskCap", steps.FieldOctopusTaskCap, "Use 0 for Octopus's default of 5.", "task cap %d is negative", o.TaskCap)
	case o.TaskCap > MaxTaskCap:
		c.err("octopus.taskCap", steps.FieldOctopusTaskCap, "Use 0 for Octopus's default of 5, or a number such as 15.",
			"task cap %d is more tasks at once than octoha accepts for one node (at most %d)", o.TaskCap, MaxTaskCap)
	}
}

// localDir checks a folder that lives on each node's own disk.
func (c *checker) localDir(field, dir, what string) {
	switch steps.ClassifyWindowsPath(dir) {
	case steps.PathDrive:
	case steps.PathUNC:
		c.err(field, field, `Use a local folder such as C:\Octopus.`, "%s must be on each node's own disk, not a share: %q", what, dir)
	default:
		c.err(field, field, `Use a full local path such as C:\Octopus.`, "%s %q is not a full Windows path", what, dir)
	}
}

func (c *checker) port(field string, p int) {
	if msg := portProblem(p); msg != "" {
		c.err("port", field, "", "%s", msg)
	}
}

// plainHTTPPort refuses 443 as a node's web port. The node scripts make
// every node serve plain HTTP (http:// listen prefixes, --webForceSSL
// False): TLS ends at the balancer. On 443, the HTTPS port, balancers,
// browsers and octoha check would speak TLS to a node answering in clear
// text. (Serving TLS on the nodes would need a certificate on each node,
// which the answers do not hold.)
func (c *checker) plainHTTPPort(field string, p int) {
	if p == steps.HTTPSPort {
		c.err("port.https", field, "Use 80, or another port such as 8080: TLS belongs on the balancer's public URL.",
			"web port 443 is the HTTPS port, but the nodes serve plain HTTP behind the balancer, so everything that reaches a node there would expect TLS it does not get")
	}
}

func (c *checker) database() {
	d := c.a.Database
	c.sqlServer()
	if d.Name == "" || len(d.Name) > 128 || strings.ContainsAny(d.Name, "[]\x00;'\"") {
		c.err("db.name", steps.FieldDatabaseName, "Use a plain name such as Octopus.", "database name %q is not usable", d.Name)
	}
	switch d.Auth {
	case steps.AuthWindows:
		if d.User != "" {
			c.warn("db.user", steps.FieldDatabaseUser, "Clear it, or set auth: sql.",
				"database.user %q is ignored with Windows authentication: the nodes connect as the service account", d.User)
		}
		if c.a.DatabaseLoginKind() == steps.LoginComputer {
			c.warn("db.auth", steps.FieldDatabaseAuth, "Each node's script makes that account db_owner with database --grant; make sure SQL Server has a login for each node's computer account (DOMAIN\\NODE$), or set octopus.serviceAccount.",
				"with Windows authentication and no service account, each node reaches SQL Server as its computer account")
		}
	case steps.AuthSQL:
		if d.User == "" {
			c.err("db.user", steps.FieldDatabaseUser, "", "SQL authentication needs a login name in database.user")
		}
	default:
		c.err("db.auth", steps.FieldDatabaseAuth, "", "auth must be windows or sql, not %q", d.Auth)
	}
	if !d.Encrypt {
		c.warn("db.encrypt", steps.FieldDatabaseEncrypt, "Set encrypt: true unless SQL Server cannot do TLS.", "the connection to SQL Server is not encrypted")
	}
	if d.TrustServerCertificate {
		c.warn("db.trust", steps.FieldDatabaseTrustServerCertificate, "Install the SQL Server's CA on the nodes and set it to false outside a lab.",
			"the SQL Server certificate is trusted without validation")
	}
}

// sqlServer turns the model's reading of database.server and database.port
// (steps.ParseSQLServer) into findings, and checks the host it names.
func (c *checker) sqlServer() {
	const fix = "Give the SQL Server host, AlwaysOn listener or host\\INSTANCE as the nodes reach it, optionally with ,port."
	port := c.a.Database.Port
	if port != 0 && portProblem(port) != "" {
		c.port(steps.FieldDatabasePort, port)
		port = 0 // reported; the server is still read on its own
	}
	s, err := steps.ParseSQLServer(c.a.Database.Server, port)
	var perr *steps.SQLServerError
	switch {
	case errors.As(err, &perr) && perr.Field == steps.FieldDatabasePort:
		c.err("port", perr.Field, "", "%s", perr.Msg)
	case err != nil:
		c.err("db.server", steps.FieldDatabaseServer, fix, "%v", err)
	default:
		if p := hostProblem(s.Host); p != "" {
			c.err("db.server", steps.FieldDatabaseServer, fix, "SQL Server %s", p)
		}
	}
}

func (c *checker) storage() {
	s := c.a.Storage
	if s.Root == "" {
		c.err("storage.root", steps.FieldStorageRoot, `Give the cluster-shared root, e.g. \\fs01\Octopus.`, "the shared storage root is empty")
	} else {
		c.sharedPath(steps.FieldStorageRoot, s.Root)
		c.needs(steps.ClusterShared, "storage.version", steps.FieldStorageRoot)
	}
	for _, p := range c.a.StorageAnswers()[1:] { // the root is checked above
		if p.Path != "" {
			c.sharedPath(p.Field, p.Path)
		}
	}
	if s.Imports != "" {
		c.needs(steps.Imports, "storage.version", steps.FieldStorageImports)
	}
	if s.EventExports != "" {
		c.needs(steps.EventExports, "storage.version", steps.FieldStorageEventExports)
	}
}

// sharedPath checks a folder every node must reach (docs/octopus-facts.md §3.3).
func (c *checker) sharedPath(field, p string) {
	kind, err := steps.ParseWindowsPath(p)
	switch kind {
	case steps.PathUNC:
		if h := steps.UNCHost(p); hostProblem(h) != "" {
			c.err("storage.path", field, "", "share host in %q %s", p, hostProblem(h))
		}
	case steps.PathDrive:
		c.warn("storage.drive", field, `Use a UNC path such as \\fs01\Octopus, or map the drive persistently for the Octopus service account on every node.`,
			"%q is a drive letter: drives are mapped per user, so the Octopus service may not see it", p)
	case steps.PathRelative:
		c.err("storage.path", field, `Use a UNC path such as \\fs01\Octopus.`,
			"%q is a relative path: every node would resolve it on its own disk", p)
	default:
		c.err("storage.path", field, `Use a UNC path such as \\fs01\Octopus.`, "%q is not a Windows path: it %v", p, err)
	}
}

func (c *checker) loadBalancer() {
	lb := c.a.LoadBalancer
	switch lb.Kind {
	case steps.LBNginx, steps.LBHAProxy, steps.LBApache, steps.LBIISARR, steps.LBExternal:
	default:
		c.err("lb.kind", steps.FieldLoadBalancerKind, "", "kind must be nginx, haproxy, apache, iis-arr or external, not %q", lb.Kind)
	}
	if p := publicURLProblem(lb.PublicURL); p != "" {
		c.err("lb.publicUrl", steps.FieldLoadBalancerPublicURL, "", "public URL %s", p)
	}
	switch lb.Persistence {
	case steps.PersistenceNone:
	case steps.PersistenceCookie, steps.PersistenceSourceIP:
		if c.v != nil && steps.NoAffinityNeeded.In(c.v) {
			c.warn("lb.persistence", steps.FieldLoadBalancerPersistence, "Use none (round robin) unless you have a reason of your own.",
				"session persistence is only needed for Octopus older than %s, and it can pin users to a busy node", steps.NoAffinityNeeded.Since)
		}
	default:
		c.err("lb.persistence", steps.FieldLoadBalancerPersistence, "", "persistence must be none, cookie or source-ip, not %q", lb.Persistence)
	}
	if lb.Kind == steps.LBApache && lb.Persistence == steps.PersistenceSourceIP {
		c.err("lb.persistence", steps.FieldLoadBalancerPersistence, "Use cookie (a ROUTEID cookie naming the node) or none.",
			"Apache's mod_proxy_balancer cannot pin a client by its address: it balances by requests, traffic or busyness only (https://httpd.apache.org/docs/2.4/mod/mod_proxy_balancer.html)")
	}
	if !strings.HasPrefix(lb.HealthCheck, "/") || strings.ContainsAny(lb.HealthCheck, " \t\r\n\"'`;{}#\\") {
		c.err("lb.healthCheck", steps.FieldLoadBalancerHealthCheck, "Use /api/octopusservernodes/ping.", "health check %q is not a URL path", lb.HealthCheck)
	}
	for i, ip := range lb.TrustedProxies {
		if net.ParseIP(ip) == nil {
			c.err("lb.trustedProxies", steps.TrustedProxyField(i), "", "%q is not an IP address", ip)
		}
	}
	if c.a.PublicTLS() {
		switch lb.Kind {
		case steps.LBNginx:
			c.linuxFile(steps.FieldLoadBalancerCertificate, lb.Certificate, "the TLS certificate (PEM, full chain)")
			c.linuxFile(steps.FieldLoadBalancerCertificateKey, lb.CertificateKey, "the TLS private key (PEM)")
		case steps.LBApache:
			c.linuxFile(steps.FieldLoadBalancerCertificate, lb.Certificate, "the TLS certificate (PEM, full chain)")
			if lb.CertificateKey != "" {
				// Without one, mod_ssl reads the key from the certificate's file.
				c.linuxFile(steps.FieldLoadBalancerCertificateKey, lb.CertificateKey, "the TLS private key (PEM)")
			}
		case steps.LBHAProxy:
			c.linuxFile(steps.FieldLoadBalancerCertificate, lb.Certificate, "the TLS certificate with its key (one PEM)")
		case steps.LBIISARR:
			if !isHex(lb.CertificateThumbprint, 40) {
				c.err("lb.certificate", steps.FieldLoadBalancerCertificateThumbprint, "Copy it from the certificate's Details tab, without spaces.",
					"an https URL through IIS needs the certificate's 40-hex-digit thumbprint")
			}
		}
	}
}

// linuxFile checks a path on an NGINX or HAProxy host (Linux: the one
// place where answers hold a Unix path).
func (c *checker) linuxFile(field, p, what string) {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " \t\r\n\"'`;{}#\\$") {
		c.err("lb.certificate", field, "Give an absolute path on the balancer host, e.g. /etc/ssl/octopus.pem.",
			"an https URL needs %s as an absolute path without spaces or quotes; got %q", what, p)
	}
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

func (c *checker) nodes() {
	a := c.a
	switch len(a.Nodes) {
	case 0:
		c.err("nodes.empty", steps.FieldNodes, "Add at least two nodes.", "there are no nodes")
		return
	case 1:
		c.warn("nodes.single", steps.FieldNodes, "Add a second node for high availability.", "one node is not a highly available cluster")
	}
	// endpoint is a host (as hostKey compares it) and a port.
	type endpoint struct {
		host string
		port int
	}
	names := make(map[string]int, len(a.Nodes))
	webEndpoints := make(map[endpoint]int, len(a.Nodes))
	commsEndpoints := make(map[endpoint]int, len(a.Nodes))
	for i, n := range a.Nodes {
		field, name := steps.NodeField(i), strings.ToLower(n.Name)
		if p := nodeNameProblem(n.Name); p != "" {
			c.err("nodes.name", field.Name, "", "node name %s", p)
		} else if j, dup := names[name]; dup {
			c.err("nodes.name", field.Name, "Give every node its own name.", "node name %q is already used by node %d", n.Name, j+1)
		} else {
			names[name] = i
		}
		if p := hostProblem(n.Host); p != "" {
			c.err("nodes.host", field.Host, "", "node host %s", p)
			continue
		}
		web, comms := a.NodeWebPort(i), a.NodeCommsPort(i)
		c.port(field.WebPort, web)
		c.plainHTTPPort(field.WebPort, n.WebPort)
		c.port(field.CommsPort, comms)
		if want := a.ExpectedCommsPort(i); n.CommsPort != 0 && n.CommsPort != want && !keptForwardedPort(a, i) {
			why := "every node uses octopus.commsPort"
			if a.UsesUniquePorts() {
				why = fmt.Sprintf("unique-port polling gives node %d tentacles.basePort+%d", i+1, i)
			}
			c.err("nodes.commsPort", field.CommsPort, fmt.Sprintf("Use %d or leave it out.", want),
				"comms port %d breaks the rule: %s = %d", n.CommsPort, why, want)
		}
		host := hostKey(n.Host)
		if j, dup := webEndpoints[endpoint{host, web}]; dup {
			c.err("nodes.endpoint", field.WebPort, "Give each node its own host, or its own web port.",
				"node %d already listens on %s:%d", j+1, n.Host, web)
		} else {
			webEndpoints[endpoint{host, web}] = i
		}
		if j, dup := commsEndpoints[endpoint{host, comms}]; dup {
			c.err("nodes.endpoint", field.CommsPort, "Give each node its own host, or its own comms port.",
				"node %d already listens on %s:%d", j+1, n.Host, comms)
		} else {
			commsEndpoints[endpoint{host, comms}] = i
		}
	}
}

// keptForwardedPort reports whether node i's explicit comms port, off the
// basePort+i rule, is one it keeps across octoha remove-node: tentacles
// know each unique-port node by its forwarded port, so when a node leaves
// the others keep theirs and remove-node writes every node's port out.
// A cluster whose nodes all name their port is held to unique ports
// instead of to the rule.
func keptForwardedPort(a *steps.Answers, i int) bool {
	if !a.UsesUniquePorts() {
		return false
	}
	for j, n := range a.Nodes {
		if n.CommsPort == 0 || (j != i && n.CommsPort == a.Nodes[i].CommsPort) {
			return false
		}
	}
	return true
}

func (c *checker) tentacles() {
	a := c.a
	t := a.Tentacles
	switch t.Mode {
	case steps.ModeListening:
		return
	case steps.ModePolling:
	default:
		c.err("tentacles.mode", steps.FieldTentaclesMode, "", "mode must be listening or polling, not %q", t.Mode)
		return
	}
	switch t.Polling {
	case steps.PollingUniqueAddress:
	case steps.PollingUniquePort, steps.PollingRedis:
		c.port(steps.FieldTentaclesBasePort, t.BasePort)
		if t.Polling == steps.PollingUniquePort && len(a.Nodes) > 0 {
			if last := t.BasePort + len(a.Nodes) - 1; last > 65535 {
				c.err("port", steps.FieldTentaclesBasePort, "Lower tentacles.basePort.", "the last node would need port %d", last)
			}
		}
		if t.PollingAddress != "" {
			if p := hostProblem(t.PollingAddress); p != "" {
				c.err("tentacles.pollingAddress", steps.FieldTentaclesPollingAddress, "", "polling address %s", p)
			}
		} else if a.PublicHost() == "" {
			c.err("tentacles.pollingAddress", steps.FieldTentaclesPollingAddress, "Set it, or set loadBalancer.publicUrl.",
				"tentacles need one address to poll and there is none")
		}
		if a.LoadBalancer.Kind == steps.LBIISARR {
			c.out = append(c.out, errorf("tentacles.polling", steps.FieldTentaclesPolling, "Use unique-address polling (tentacles reach each node directly), or another balancer for the TCP forwards.",
				"IIS ARR cannot pass polling traffic through: it terminates TLS, and polling needs TCP passthrough").WithDocs(docs.PollingHA))
		}
		if a.LoadBalancer.Kind == steps.LBApache {
			c.out = append(c.out, errorf("lb.passthrough", steps.FieldTentaclesPolling,
				"Use listening tentacles or unique-address polling (tentacles reach each node directly) with Apache, or nginx or haproxy as the balancer, which forward the TCP.",
				"Apache httpd cannot pass %s polling through: mod_proxy speaks HTTP, and polling tentacles need raw TCP passthrough to each node's comms port", t.Polling).WithDocs(docs.PollingHA))
		}
	default:
		c.err("tentacles.polling", steps.FieldTentaclesPolling, "", "polling must be unique-address, unique-port or redis, not %q", t.Polling)
		return
	}
	if t.Polling == steps.PollingRedis {
		c.needs(steps.RedisPolling, "tentacles.version", steps.FieldTentaclesPolling)
		if p := hostProblem(t.Redis.Host); p != "" {
			c.err("tentacles.redis", steps.FieldTentaclesRedisHost, "", "Redis host %s", p)
		}
		c.port(steps.FieldTentaclesRedisPort, t.Redis.Port)
		if !t.Redis.SSL {
			c.warn("tentacles.redis", steps.FieldTentaclesRedisSSL, "Enable TLS on Redis and set ssl: true.",
				"the nodes would talk to Redis without TLS")
		}
	}
}
