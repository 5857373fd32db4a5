package topology

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/octoha/octoha/steps"
)

// The words both drawings use. Each function returns plain text; the
// terminal drawing and the Mermaid flowchart quote it their own way.

// section is one machine (or group of machines) as both drawings show it:
// a title and rows of cells.
type section struct {
	title string
	rows  [][]string
}

var balancerNames = map[string]string{
	steps.LBNginx:    "NGINX",
	steps.LBHAProxy:  "HAProxy",
	steps.LBApache:   "Apache httpd",
	steps.LBIISARR:   "IIS ARR",
	steps.LBExternal: "external (configured by hand)",
}

// balancerName is the kind as an admin calls it; an unknown kind is shown
// as answered.
func balancerName(kind string) string {
	if n, ok := balancerNames[kind]; ok {
		return n
	}
	return kind
}

var modeNames = map[string]string{
	steps.ModeListening:        "listening",
	steps.PollingUniqueAddress: "polling, each node at its own address",
	steps.PollingUniquePort:    "polling, each node at its own balancer port",
	steps.PollingRedis:         "polling, one address, Redis behind the nodes",
}

func modeName(mode string) string {
	if n, ok := modeNames[mode]; ok {
		return n
	}
	return mode
}

func num(n int) string { return strconv.Itoa(n) }

// hostPort joins a host and port, bracketing an IPv6 address.
func hostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + num(port)
}

func (c Cluster) usersSection() section {
	return section{title: "Users", rows: [][]string{{c.PublicURL}}}
}

func (b Balancer) section() section {
	s := section{title: "Load balancer: " + balancerName(b.Kind), rows: [][]string{{b.Host}}}
	for _, p := range b.Ports {
		row := []string{"port " + num(p.Number), p.Carries}
		if p.Node != "" {
			row = append(row, "to "+p.Node)
		}
		s.rows = append(s.rows, row)
	}
	return s
}

func (n Node) row() []string {
	return []string{n.Name, n.Host, "web " + num(n.WebPort), "comms " + num(n.CommsPort)}
}

func nodesSection(nodes []Node) section {
	s := section{title: fmt.Sprintf("Octopus Server nodes (%d)", len(nodes))}
	for _, n := range nodes {
		s.rows = append(s.rows, n.row())
	}
	return s
}

func (d Database) section() section {
	where := []string{d.Server, "port " + num(d.Port)}
	if d.Port == 0 {
		where[1] = "named instance: its port from the SQL Browser, UDP 1434"
	}
	kind := "one server name: a failover cluster instance or a single server"
	if d.Kind == SQLListener {
		kind = "AlwaysOn listener, multi-subnet failover"
	}
	return section{title: "SQL Server", rows: [][]string{where, {"database " + d.Name}, {kind}}}
}

func (s Storage) section() section {
	out := section{title: "Shared storage", rows: [][]string{{"cluster shared", s.Root}}}
	var under []string
	for _, f := range s.Folders {
		if f.Own {
			out.rows = append(out.rows, []string{f.Label, f.Path})
		} else {
			under = append(under, f.Label)
		}
	}
	if len(under) > 0 {
		out.rows = append(out.rows, []string{"under it", strings.Join(under, ", ")})
	}
	if len(s.Hosts) > 0 {
		out.rows = append(out.rows, []string{"file servers", strings.Join(s.Hosts, ", ")})
	}
	return out
}

func (r Redis) section() section {
	row := []string{hostPort(r.Host, r.Port)}
	if r.TLS {
		row = append(row, "TLS")
	}
	return section{title: "Redis", rows: [][]string{row, {"every node shares it for polling"}}}
}

// routeRow is one route as a row: who connects, where, and what it reaches.
func (r Route) row(nodes []Node) []string {
	switch {
	case r.NodeDials:
		return []string{"every node", "→ each tentacle", "TCP " + num(r.Port)}
	case r.ViaBalancer && r.Node == "":
		return []string{"tentacle", "→ " + hostPort(r.Address, r.Port), "→ balancer", "→ any node, comms " + commsPorts(nodes)}
	case r.ViaBalancer:
		return []string{"tentacle", "→ " + hostPort(r.Address, r.Port), "→ balancer", "→ " + r.Node + ", comms " + num(nodeComms(nodes, r.Node))}
	}
	return []string{"tentacle", "→ " + hostPort(r.Address, r.Port), "(" + r.Node + ")"}
}

func (t Tentacles) section(nodes []Node) section {
	s := section{title: "Tentacles: " + modeName(t.Mode)}
	for _, r := range t.Routes {
		s.rows = append(s.rows, r.row(nodes))
	}
	return s
}

// nodeComms is the comms port of the node called name.
func nodeComms(nodes []Node, name string) int {
	for _, n := range nodes {
		if n.Name == name {
			return n.CommsPort
		}
	}
	return 0
}

// commsPorts lists the nodes' comms ports, each once.
func commsPorts(nodes []Node) string {
	var ports []string
	for _, n := range nodes {
		if p := num(n.CommsPort); !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	return strings.Join(ports, ", ")
}

// webPorts lists the nodes' web ports, each once.
func webPorts(nodes []Node) string {
	var ports []string
	for _, n := range nodes {
		if p := num(n.WebPort); !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	return strings.Join(ports, ", ")
}

// visible shows a value as it is, with every rune a screen would not show
// (control characters, line and paragraph separators) written as a Go
// escape, so that a value can neither move the cursor nor hide. The
// answers file refuses control characters, but the wizard's Review draws
// answers before they are checked.
func visible(s string) string {
	if !strings.ContainsFunc(s, notShown) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if notShown(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func notShown(r rune) bool {
	return r != ' ' && !unicode.IsPrint(r)
}
