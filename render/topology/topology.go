// Package topology describes an Octopus Server HA cluster as answered, and
// draws that one description twice: with box-drawing characters for a
// terminal (Draw) and as a Mermaid flowchart for CHECKLIST.md (Mermaid).
// Both drawings read only the Cluster value, so they cannot disagree
// about a node, a host or a port. The package is pure: answers in, text
// out.
package topology

import (
	"github.com/octoha/octoha/steps"
)

// Cluster is the topology as answered: who reaches what, on which port.
type Cluster struct {
	// PublicURL is the address users open (loadBalancer.publicUrl).
	PublicURL string
	Balancer  Balancer
	Nodes     []Node
	Database  Database
	Storage   Storage
	// Redis is the store the nodes share for multi-node polling; nil in
	// every other mode.
	Redis     *Redis
	Tentacles Tentacles
}

// Balancer is what users (and, for some polling modes, tentacles) connect
// to.
type Balancer struct {
	// Kind is one of the steps.LB* kinds.
	Kind string
	// Host is the public name users (and unique-port tentacles) reach it by.
	Host string
	// Ports are what it listens on, web first.
	Ports []Port
}

// Port is one port a machine listens on and what comes in on it.
type Port struct {
	Number int
	// Carries says what arrives there, in the admin's words.
	Carries string
	// Node names the node a passthrough port forwards to ("" for none, or
	// for any node).
	Node string
}

// Node is one Octopus Server node.
type Node struct {
	Name, Host         string
	WebPort, CommsPort int
}

// SQL Server endpoint kinds, as the answers say them.
const (
	// SQLListener: database.multiSubnetFailover is set, which the answers
	// use for an AlwaysOn availability group listener (tui/database.go;
	// docs/octopus-facts.md §4.4). A multi-subnet failover cluster
	// instance is connected to the same way.
	SQLListener = "listener"
	// SQLServerName: one server name, a failover cluster instance's or a
	// single server's; the answers do not say which.
	SQLServerName = "server"
)

// Database is the SQL Server every node shares.
type Database struct {
	Server string
	// Port is the TCP port; 0 for a named instance found through the SQL
	// Browser (steps.Answers.SQLPort).
	Port int
	Name string
	// Kind is SQLListener or SQLServerName.
	Kind string
}

// Storage is the shared storage every node reads and writes.
type Storage struct {
	// Root is `path --clusterShared`.
	Root string
	// Folders are the folders Octopus keeps there; Own says the answers
	// put one elsewhere than under Root.
	Folders []Folder
	// Hosts are the file servers the UNC paths name, each once.
	Hosts []string
}

// Folder is one cluster-shared folder.
type Folder struct {
	Label, Path string
	Own         bool
}

// Redis is the Redis server behind multi-node polling.
type Redis struct {
	Host string
	Port int
	TLS  bool
}

// Tentacles is how deployment targets and nodes reach each other.
type Tentacles struct {
	// Mode is steps.ModeListening, or the polling mode
	// (steps.PollingUniqueAddress, PollingUniquePort, PollingRedis).
	Mode   string
	Routes []Route
}

// Route is one path between a tentacle and a node.
type Route struct {
	// NodeDials says the node opens the connection, to each tentacle
	// (listening); otherwise the tentacle does.
	NodeDials bool
	// Address and Port are where the connection is made: each tentacle
	// ("" address) for listening, else a node or the balancer.
	Address string
	Port    int
	// ViaBalancer says the balancer passes the connection through to
	// Node's CommsPort.
	ViaBalancer bool
	// Node is the node reached, "" for every node (listening) or any
	// node (Redis polling).
	Node string
}

// Describe resolves the answers into the cluster's topology. It asks the
// answers model for every derived port and host; it adds no fact of its own.
func Describe(a steps.Answers) Cluster {
	c := Cluster{
		PublicURL: a.LoadBalancer.PublicURL,
		Balancer:  describeBalancer(a),
		Database:  describeDatabase(a),
		Storage:   describeStorage(a),
		Tentacles: describeTentacles(a),
	}
	for i, n := range a.Nodes {
		c.Nodes = append(c.Nodes, Node{Name: n.Name, Host: n.Host, WebPort: a.NodeWebPort(i), CommsPort: a.NodeCommsPort(i)})
	}
	if a.PollingMode() == steps.PollingRedis {
		r := a.Tentacles.Redis
		c.Redis = &Redis{Host: r.Host, Port: r.Port, TLS: r.SSL}
	}
	return c
}

func describeBalancer(a steps.Answers) Balancer {
	b := Balancer{Kind: a.LoadBalancer.Kind, Host: a.PublicHost()}
	web := "http for users"
	if a.PublicTLS() {
		web = "https for users"
	}
	b.Ports = append(b.Ports, Port{Number: a.PublicPort(), Carries: web})
	if p := a.RedirectPort(); p != 0 {
		b.Ports = append(b.Ports, Port{Number: p, Carries: "http, redirected to https"})
	}
	switch a.PollingMode() {
	case steps.PollingUniquePort:
		// The balancer listens on each node's own comms port and passes
		// it through (render/lb/view.go; docs/octopus-facts.md §6.2).
		for i, n := range a.Nodes {
			b.Ports = append(b.Ports, Port{Number: a.NodeCommsPort(i), Carries: "polling, passed through", Node: n.Name})
		}
	case steps.PollingRedis:
		b.Ports = append(b.Ports, Port{Number: a.BalancedPollingPort(), Carries: "polling, passed through to any node"})
	}
	return b
}

func describeDatabase(a steps.Answers) Database {
	d := Database{Server: a.Database.Server, Port: a.SQLPort(), Name: a.Database.Name, Kind: SQLServerName}
	if a.Database.MultiSubnetFailover {
		d.Kind = SQLListener
	}
	return d
}

func describeStorage(a steps.Answers) Storage {
	s := Storage{Root: a.Storage.Root, Hosts: a.ShareHosts()}
	for _, f := range a.SharedFolders() {
		s.Folders = append(s.Folders, Folder{Label: f.Label, Path: f.Effective, Own: f.Path != ""})
	}
	return s
}

func describeTentacles(a steps.Answers) Tentacles {
	mode := a.PollingMode()
	if mode == "" {
		return Tentacles{Mode: steps.ModeListening, Routes: []Route{{NodeDials: true, Port: steps.TentacleListenPort}}}
	}
	t := Tentacles{Mode: mode}
	switch mode {
	case steps.PollingRedis:
		t.Routes = []Route{{Address: a.PollingAddress(), Port: a.BalancedPollingPort(), ViaBalancer: true}}
	case steps.PollingUniquePort:
		for i, n := range a.Nodes {
			t.Routes = append(t.Routes, Route{Address: a.PollingAddress(), Port: a.NodeCommsPort(i), ViaBalancer: true, Node: n.Name})
		}
	default:
		for i, n := range a.Nodes {
			t.Routes = append(t.Routes, Route{Address: n.Host, Port: a.NodeCommsPort(i), Node: n.Name})
		}
	}
	return t
}
