package steps

import (
	"net"
	"strconv"
	"strings"
)

// How the machines of a cluster reach each other: the ports and hosts that
// follow from the answers without being answers themselves.

// TentacleListenPort is the port a listening Tentacle listens on and every
// node connects to (docs/octopus-facts.md §0 and §6.1).
const TentacleListenPort = 10933

// DefaultCommsPort is the port a node listens on for polling Tentacles
// unless told otherwise (configure --commsListenPort; docs/octopus-facts.md
// §0): octopus.commsPort's default, and node 1's port under unique-port
// polling.
const DefaultCommsPort = 10943

// SMBPort is the port Windows file sharing listens on, on which every node
// reaches the shared folders (docs/octopus-facts.md §5.6).
const SMBPort = 445

// HTTPPort and HTTPSPort are the ports an http:// or https:// URL without a
// port of its own names.
const (
	HTTPPort  = 80
	HTTPSPort = 443
)

// HealthCheckPath is the health check every Octopus node answers, 200
// when it takes work and 418 while it drains (docs/octopus-facts.md §5.1).
const HealthCheckPath = "/api/octopusservernodes/ping"

// HealthPath is loadBalancer.healthCheck with a leading slash, or
// HealthCheckPath when it is empty.
func (a *Answers) HealthPath() string {
	p := strings.TrimSpace(a.LoadBalancer.HealthCheck)
	if p == "" {
		p = HealthCheckPath
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// NodeURL is node i's own web address, http://host:port. The node scripts
// make every node serve plain HTTP behind the balancer (http:// listen
// prefixes, --webForceSSL False), on any port.
func (a *Answers) NodeURL(i int) string {
	return "http://" + net.JoinHostPort(strings.TrimSpace(a.Nodes[i].Host), strconv.Itoa(a.NodeWebPort(i)))
}

// RedirectPort is the plain-http port on which the balancer redirects users
// to https: 80 when users reach it over https on another port, else 0.
func (a *Answers) RedirectPort() int {
	if a.PublicTLS() && a.PublicPort() != HTTPPort {
		return HTTPPort
	}
	return 0
}

// BalancedPollingPort is the one TCP port the balancer passes through to
// any node for Redis (multi-node) polling, tentacles.basePort; 0 in every
// other mode, where tentacles poll each node on its own comms port
// (docs/octopus-facts.md §6.5).
func (a *Answers) BalancedPollingPort() int {
	if a.PollingMode() != PollingRedis {
		return 0
	}
	return a.Tentacles.BasePort
}

// ShareHosts lists the servers of the shared folders' UNC paths, each once
// (Windows names: case does not count), in the order SharedFolders gives.
// A folder on no UNC path names no host.
func (a *Answers) ShareHosts() []string {
	var hosts []string
	seen := map[string]bool{}
	for _, f := range a.SharedFolders() {
		h := UNCHost(f.Effective)
		if h != "" && !seen[strings.ToLower(h)] {
			seen[strings.ToLower(h)] = true
			hosts = append(hosts, h)
		}
	}
	return hosts
}
