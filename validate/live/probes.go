package live

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe"
	"github.com/octoha/octoha/validate/redisprobe"
)

// Probes builds every live probe for the cluster a describes, in a stable
// order: names, database, each node's ports and health, versions, shares,
// the balancer, Redis. Answers left empty get no probe: the offline checks
// report them.
func Probes(a steps.Answers, opts Options) []Probe {
	b := builder{a: a, opts: opts, env: opts.env()}
	b.names()
	b.database()
	for i := range a.Nodes {
		b.node(i)
	}
	b.versions()
	b.shares()
	b.balancer()
	b.comms()
	b.redis()
	if !opts.BeforeInstall {
		return b.probes
	}
	var before []Probe
	for _, p := range b.probes {
		if !p.NeedsInstall {
			before = append(before, p)
		}
	}
	return before
}

// ProbesFor returns the probes worth running again when field changes,
// e.g. "nodes[1].host" gives that node's name, ports and health check, and
// the version comparison.
func ProbesFor(a steps.Answers, field string, opts Options) []Probe {
	var out []Probe
	for _, p := range Probes(a, opts) {
		if p.Field == field || slices.Contains(p.DependsOn, field) {
			out = append(out, p)
		}
	}
	return out
}

type builder struct {
	a      steps.Answers
	opts   Options
	env    netprobe.Env
	probes []Probe
}

func (b *builder) add(p Probe) { b.probes = append(b.probes, p) }

// hostField is one host name and the answers path it came from.
type hostField struct{ host, field string }

// hosts lists every host name the answers give, in answers order.
func (b *builder) hosts() []hostField {
	a := b.a
	var out []hostField
	for i, n := range a.Nodes {
		out = append(out, hostField{n.Host, nodeField(i)})
	}
	// A server that does not parse gets no lookup: the pure checks say why.
	if s, err := a.SQLServer(); err == nil {
		out = append(out, hostField{s.Host, steps.FieldDatabaseServer})
	}
	for _, s := range b.storagePaths() {
		if host := steps.UNCHost(s.Path); host != "" {
			out = append(out, hostField{host, s.Field})
		}
	}
	out = append(out, hostField{a.PublicHost(), steps.FieldLoadBalancerPublicURL})
	if a.PollsOneAddress() {
		out = append(out, hostField{a.Tentacles.PollingAddress, steps.FieldTentaclesPollingAddress})
	}
	if a.UsesRedis() {
		out = append(out, hostField{a.Tentacles.Redis.Host, steps.FieldTentaclesRedisHost})
	}
	return out
}

// names adds one DNS probe per distinct host name; a name given in several
// fields is looked up once and re-run when any of them changes.
func (b *builder) names() {
	index := map[string]int{}
	for _, h := range b.hosts() {
		host := strings.TrimSpace(h.host)
		if host == "" || isIP(host) {
			continue
		}
		key := strings.ToLower(host)
		if i, seen := index[key]; seen {
			b.probes[i].DependsOn = append(b.probes[i].DependsOn, h.field)
			continue
		}
		index[key] = len(b.probes)
		env, field := b.env, h.field
		warn := b.opts.NamesWarn
		b.add(Probe{ID: "dns.host", Field: field, What: "look up " + host, TimeoutWarns: warn,
			Run: func(ctx context.Context) validate.Findings { return lookUp(ctx, env, field, host, warn) }})
	}
}

// lookUp is the DNS probe; with warn, a name that does not resolve is a
// warning, since this machine's DNS may not be the nodes'.
func lookUp(ctx context.Context, env netprobe.Env, field, host string, warn bool) validate.Findings {
	found := netprobe.DNS(ctx, env, field, host)
	for i := range found {
		if warn && found[i].Severity == validate.Error {
			found[i].Severity = validate.Warning
			found[i].Fix = "The nodes, the balancer and the tentacles must resolve this name; this machine's DNS may not be theirs, so check it from a node, or add the record before install."
		}
	}
	return found
}

func (b *builder) database() {
	if b.opts.Database == nil || strings.TrimSpace(b.a.Database.Server) == "" {
		return
	}
	probe, a, pw, env, warn := b.opts.Database, b.a, b.opts.Secrets.SQLPassword, b.env, b.opts.NamesWarn
	b.add(Probe{ID: "db.reach", Field: steps.FieldDatabaseServer, What: "connect to SQL Server " + a.Database.Server,
		DependsOn: []string{steps.FieldDatabasePort, steps.FieldDatabaseName, steps.FieldDatabaseAuth, steps.FieldDatabaseUser,
			steps.FieldDatabaseEncrypt, steps.FieldDatabaseTrustServerCertificate, steps.FieldDatabaseMultiSubnetFailover, steps.FieldDatabaseCreate},
		Run: ifResolves(warn, env, sqlHost(a), func(ctx context.Context) validate.Findings { return probe(ctx, a, pw) })})
}

// sqlHost is the SQL Server's host name, "" when the answer does not
// parse (the database probe says what is wrong with it).
func sqlHost(a steps.Answers) string {
	if s, err := a.SQLServer(); err == nil {
		return s.Host
	}
	return ""
}

// ifResolves runs a probe of host only once host resolves, when names
// that do not are warnings (NamesWarn): the name's own probe (dns.host)
// says so once, as a warning, and the probe would say it again as an
// error.
func ifResolves(warn bool, env netprobe.Env, host string, run func(context.Context) validate.Findings) func(context.Context) validate.Findings {
	if !warn || host == "" || isIP(host) {
		return run
	}
	return func(ctx context.Context) validate.Findings {
		if !resolvesWithin(ctx, env, host) {
			return nil
		}
		return run(ctx)
	}
}

// resolvesWithin looks host up in half the time left: a lookup that does
// not answer is the name probe's to report (as a warning), so it must end
// before this probe's own deadline turns it into an error.
func resolvesWithin(ctx context.Context, env netprobe.Env, host string) bool {
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Until(deadline)/2)
		defer cancel()
	}
	return !netprobe.DNS(ctx, env, "", host).HasErrors()
}

// node adds node i's web and comms port probes and its health check.
func (b *builder) node(i int) {
	a, env := b.a, b.env
	n := a.Nodes[i]
	host := strings.TrimSpace(n.Host)
	if host == "" {
		return
	}
	field, who := nodeField(i), nodeName(n)
	web := netprobe.Port{ID: "tcp.web", Field: field, Host: host, Port: a.NodeWebPort(i),
		Role: who + "'s web port", BeforeInstall: true,
		Fix: "Check the OctopusDeploy service runs, and that the node's firewall lets the balancer and admins in on this port."}
	b.add(Probe{ID: web.ID, Field: field, What: "TCP connect to " + web.Address(), NeedsInstall: true,
		DependsOn: []string{steps.NodeField(i).WebPort, steps.FieldOctopusWebPort},
		Run:       b.ifResolves(host, func(ctx context.Context) validate.Findings { return netprobe.TCP(ctx, env, web) })})

	// Only polling tentacles connect to the comms port (docs/octopus-facts.md §6.1).
	if a.UsesPolling() {
		comms := netprobe.Port{ID: "tcp.comms", Field: field, Host: host, Port: a.NodeCommsPort(i),
			Role: who + "'s comms port", BeforeInstall: true,
			Fix: "Open this port inbound on the node's firewall: polling tentacles (or the balancer that forwards them) connect to it."}
		b.add(Probe{ID: comms.ID, Field: field, What: "TCP connect to " + comms.Address(), NeedsInstall: true,
			DependsOn: []string{steps.NodeField(i).CommsPort, steps.FieldOctopusCommsPort,
				steps.FieldTentaclesBasePort, steps.FieldTentaclesMode, steps.FieldTentaclesPolling},
			Run: b.ifResolves(host, func(ctx context.Context) validate.Findings { return netprobe.TCP(ctx, env, comms) })})
	}

	url := a.NodeURL(i) + a.HealthPath()
	b.add(Probe{ID: "http.ping", Field: field, What: "GET " + url, NeedsInstall: true,
		DependsOn: []string{steps.NodeField(i).WebPort, steps.FieldOctopusWebPort, steps.FieldLoadBalancerHealthCheck},
		Run:       b.ifResolves(host, func(ctx context.Context) validate.Findings { return netprobe.Health(ctx, env, field, who, url) })})
}

// versions adds the one probe that compares every node's version.
func (b *builder) versions() {
	a, env := b.a, b.env
	var nodes []netprobe.Node
	deps := []string{steps.FieldOctopusWebPort}
	for i, n := range a.Nodes {
		if strings.TrimSpace(n.Host) == "" {
			continue
		}
		nodes = append(nodes, netprobe.Node{Name: nodeName(n), BaseURL: a.NodeURL(i)})
		deps = append(deps, nodeField(i), steps.NodeField(i).WebPort)
	}
	if len(nodes) == 0 {
		return
	}
	want, warn := string(a.Octopus.Version), b.opts.NamesWarn
	b.add(Probe{ID: "http.version", Field: steps.FieldOctopusVersion, What: "GET /api on every node", DependsOn: deps, NeedsInstall: true,
		Run: func(ctx context.Context) validate.Findings {
			asked := nodes
			if warn {
				asked = resolvedNodes(ctx, env, nodes)
			}
			if len(asked) == 0 {
				return nil
			}
			return netprobe.Versions(ctx, env, steps.FieldOctopusVersion, want, asked)
		}})
}

// resolvedNodes are the nodes whose host resolves from here: each other
// node's name probe says it does not, once.
func resolvedNodes(ctx context.Context, env netprobe.Env, nodes []netprobe.Node) []netprobe.Node {
	var out []netprobe.Node
	for _, n := range nodes {
		u, err := url.Parse(n.BaseURL)
		if err != nil || isIP(u.Hostname()) || resolvesWithin(ctx, env, u.Hostname()) {
			out = append(out, n)
		}
	}
	return out
}

// ifResolves is ifResolves with the builder's options.
func (b *builder) ifResolves(host string, run func(context.Context) validate.Findings) func(context.Context) validate.Findings {
	return ifResolves(b.opts.NamesWarn, b.env, host, run)
}

// storagePaths are the storage answers given, in answers order.
func (b *builder) storagePaths() []steps.StorageAnswer {
	var out []steps.StorageAnswer
	for _, p := range b.a.StorageAnswers() {
		if strings.TrimSpace(p.Path) != "" {
			out = append(out, p)
		}
	}
	return out
}

// shares adds one SMB probe per file server, and a warning per folder on a
// drive letter.
func (b *builder) shares() {
	env := b.env
	index := map[string]int{}
	for _, s := range b.storagePaths() {
		kind, where := steps.ClassifyWindowsPath(s.Path), steps.UNCHost(s.Path)
		switch kind {
		case steps.PathDrive:
			where = steps.DriveOf(s.Path)
		case steps.PathUNC:
		default:
			continue
		}
		key := strings.ToLower(where)
		if i, seen := index[key]; seen && kind == steps.PathUNC {
			b.probes[i].DependsOn = append(b.probes[i].DependsOn, s.Field)
			continue
		}
		index[key] = len(b.probes)
		field, path := s.Field, s.Path
		what := fmt.Sprintf("TCP connect to %s", net.JoinHostPort(where, strconv.Itoa(steps.SMBPort)))
		run := func(ctx context.Context) validate.Findings { return netprobe.SMB(ctx, env, field, path) }
		if kind == steps.PathDrive {
			what = "look at drive " + where
		} else {
			run = ifResolves(b.opts.NamesWarn, env, where, run)
		}
		b.add(Probe{ID: "smb.reach", Field: field, What: what, Run: run})
	}
}

// balancer adds the health check through the public URL.
func (b *builder) balancer() {
	a, env := b.a, b.env
	if a.PublicHost() == "" {
		return
	}
	url := strings.TrimRight(a.LoadBalancer.PublicURL, "/") + a.HealthPath()
	b.add(Probe{ID: "lb.public", Field: steps.FieldLoadBalancerPublicURL, What: "GET " + url, NeedsInstall: true,
		DependsOn: []string{steps.FieldLoadBalancerHealthCheck, steps.FieldLoadBalancerKind},
		Run: b.ifResolves(a.PublicHost(), func(ctx context.Context) validate.Findings {
			return netprobe.Public(ctx, env, steps.FieldLoadBalancerPublicURL, url)
		})})
}

// comms adds the one probe that handshakes, at once, with every port
// polling tentacles connect to (each node's own comms port, and each port
// the balancer forwards on the polling address) and compares the
// certificates they present (docs/octopus-facts.md §6.2).
func (b *builder) comms() {
	a, env, running := b.a, b.env, b.opts.Running
	if !a.UsesPolling() {
		return
	}
	ports, deps := b.ownCommsPorts()
	if a.PollsOneAddress() {
		for i := range ports {
			ports[i].ReferenceOnly = true
		}
		ports = append(ports, b.forwardedPorts()...)
		deps = append(deps, steps.FieldTentaclesPollingAddress, steps.FieldTentaclesBasePort, steps.FieldLoadBalancerPublicURL)
	}
	if len(ports) == 0 {
		return
	}
	field := steps.FieldTentaclesPolling
	b.add(Probe{ID: "tls.polling", Field: field, What: "TLS handshakes with the comms and polling ports", NeedsInstall: true,
		DependsOn: append(deps, steps.FieldTentaclesMode, steps.FieldOctopusCommsPort),
		Run: func(ctx context.Context) validate.Findings {
			return netprobe.CommsCertificates(ctx, env, ports, running)
		}})
}

// ownCommsPorts are the nodes' own comms ports, and the fields they come from.
func (b *builder) ownCommsPorts() ([]netprobe.CommsPort, []string) {
	a := b.a
	var ports []netprobe.CommsPort
	var deps []string
	for i, n := range a.Nodes {
		host := strings.TrimSpace(n.Host)
		if host == "" {
			continue
		}
		ports = append(ports, netprobe.CommsPort{ID: "tls.comms", Field: nodeField(i), Own: true,
			Addr: net.JoinHostPort(host, strconv.Itoa(a.NodeCommsPort(i))), Role: nodeName(n) + "'s comms port"})
		deps = append(deps, nodeField(i), steps.NodeField(i).CommsPort)
	}
	return ports, deps
}

// forwardedPorts are the ports the balancer forwards on the polling
// address (steps.Answers.PollingForwards), each with the node it reaches.
func (b *builder) forwardedPorts() []netprobe.CommsPort {
	a := b.a
	host := strings.TrimSpace(a.PollingAddress())
	if host == "" {
		return nil
	}
	var out []netprobe.CommsPort
	for _, f := range a.PollingForwards() {
		reaches := "any node (" + strings.Join(b.nodeNames(), ", ") + ")"
		if f.Node >= 0 {
			n := a.Nodes[f.Node]
			reaches = fmt.Sprintf("%s (%s)", nodeName(n), net.JoinHostPort(n.Host, strconv.Itoa(a.NodeCommsPort(f.Node))))
		}
		out = append(out, netprobe.CommsPort{ID: "tls.polling", Field: steps.FieldTentaclesPollingAddress,
			Addr: net.JoinHostPort(host, strconv.Itoa(f.Port)), Role: fmt.Sprintf("the balancer's polling port %d", f.Port), Reaches: reaches})
	}
	return out
}

func (b *builder) nodeNames() []string {
	var names []string
	for _, n := range b.a.Nodes {
		names = append(names, nodeName(n))
	}
	return names
}

// redis adds the Redis probe, only for multi-node polling (docs/octopus-facts.md §6.5).
func (b *builder) redis() {
	a := b.a
	r := a.Tentacles.Redis
	if !a.UsesRedis() || strings.TrimSpace(r.Host) == "" {
		return
	}
	pw := b.opts.Secrets.RedisPassword
	ro := redisprobe.Options{TLSConfig: b.opts.RedisTLS, Dialer: b.env.DialContext}
	b.add(Probe{ID: "redis.reach", Field: steps.FieldTentaclesRedisHost,
		What:      "connect to Redis " + net.JoinHostPort(r.Host, strconv.Itoa(r.Port)),
		DependsOn: []string{steps.FieldTentaclesRedisPort, steps.FieldTentaclesRedisSSL},
		Run: ifResolves(b.opts.NamesWarn, b.env, r.Host, func(ctx context.Context) validate.Findings {
			return redisprobe.Probe(ctx, r, pw, ro)
		})})
}

func nodeField(i int) string { return steps.NodeField(i).Host }

// nodeName is how findings name a node: its name, else its host.
func nodeName(n steps.Node) string {
	if strings.TrimSpace(n.Name) != "" {
		return n.Name
	}
	return n.Host
}

func isIP(host string) bool {
	_, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil
}
