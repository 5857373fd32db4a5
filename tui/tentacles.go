package tui

import (
	"fmt"
	"strings"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

var tentaclesStep = step{
	name:   "Tentacles",
	title:  "Tentacles",
	intro:  "How deployment targets talk to the cluster, and what the registration script fills in.",
	owns:   []string{"tentacles."},
	fields: tentacleFields,
}

func tentacleFields(a *steps.Answers) [][]field {
	t := func(a *steps.Answers) *steps.Tentacles { return &a.Tentacles }
	fields := []field{
		form.Choice("tentacles.mode", "Mode", []string{steps.ModeListening, steps.ModePolling},
			func(a *steps.Answers) *string { return &t(a).Mode }).WithExplain(modeExplain),
	}
	if a.UsesPolling() {
		fields = append(fields,
			form.Choice("tentacles.polling", "Polling reaches nodes by",
				[]string{steps.PollingUniqueAddress, steps.PollingUniquePort, steps.PollingRedis},
				func(a *steps.Answers) *string { return &t(a).Polling }).WithExplain(pollingExplain))
		if a.Tentacles.Polling == steps.PollingUniquePort || a.Tentacles.Polling == steps.PollingRedis {
			fields = append(fields,
				form.Number("tentacles.basePort", "Polling port", func(a *steps.Answers) *int { return &t(a).BasePort }).
					WithExplain(func(a *steps.Answers) string {
						if a.Tentacles.Polling == steps.PollingUniquePort {
							return "Node 1's port; node N gets this + N-1: " + nodePorts(a) + "."
						}
						return "The port the TCP passthrough balancer listens on for polling tentacles."
					}),
				form.Text("tentacles.pollingAddress", "Polling address", func(a *steps.Answers) *string { return &t(a).PollingAddress }).
					WithDerived(func(a *steps.Answers) string { return a.PublicHost() }).
					WithExplain(func(*steps.Answers) string {
						return "The one name tentacles poll, forwarded as plain TCP (never TLS-terminated). Empty uses the public URL's host."
					}))
		}
		if a.Tentacles.Polling == steps.PollingRedis {
			r := func(a *steps.Answers) *steps.Redis { return &a.Tentacles.Redis }
			fields = append(fields,
				form.Text("tentacles.redis.host", "Redis host", func(a *steps.Answers) *string { return &r(a).Host }).
					WithExplain(func(*steps.Answers) string {
						return "One Redis every node reaches: no persistence, no replication, maxmemory-policy noeviction. Its password is asked for by the scripts."
					}),
				form.Number("tentacles.redis.port", "Redis port", func(a *steps.Answers) *int { return &r(a).Port }).
					WithExplain(func(*steps.Answers) string { return "The port every node reaches Redis on." }),
				form.Confirm("tentacles.redis.ssl", "Redis over TLS", func(a *steps.Answers) *bool { return &r(a).SSL }).
					WithExplain(func(*steps.Answers) string {
						return "Yes connects the nodes to Redis over TLS; the Redis server needs a certificate the nodes trust."
					}))
		}
	}
	fields = append(fields,
		form.Text("tentacles.instance", "Tentacle instance", func(a *steps.Answers) *string { return &t(a).Instance }).
			WithExplain(func(*steps.Answers) string {
				return "The Tentacle instance name on each target (Tentacle.exe --instance); Tentacle is the default."
			}),
		form.Text("tentacles.space", "Space", func(a *steps.Answers) *string { return &t(a).Space }).
			WithDerived(func(*steps.Answers) string { return "the default space" }).
			WithExplain(func(*steps.Answers) string {
				return "The Octopus space the targets register in, by name. Empty registers them in the default space."
			}),
		form.List("tentacles.environments", "Environments", func(a *steps.Answers) *[]string { return &t(a).Environments }).
			WithExplain(func(*steps.Answers) string {
				return "Comma-separated; the registration script offers them as defaults."
			}),
		form.List("tentacles.roles", "Roles", func(a *steps.Answers) *[]string { return &t(a).Roles }).
			WithExplain(func(*steps.Answers) string { return "Comma-separated target roles (tags)." }),
	)
	return rowsOf(fields...)
}

// modeExplain is docs/octopus-facts.md §6.1 and §6.2.
func modeExplain(a *steps.Answers) string {
	if a.UsesPolling() {
		return "Polling: each tentacle connects out to the cluster, for targets that cannot accept connections. Work for it waits in memory on the node running the task, so it must reach every node."
	}
	return fmt.Sprintf("Listening: each tentacle listens on %d and every node connects to it; nothing HA-specific. Choose polling when targets cannot accept inbound connections.", steps.TentacleListenPort)
}

// pollingExplain is docs/octopus-facts.md §6.2 (patterns A and B) and §6.5.
func pollingExplain(a *steps.Answers) string {
	switch a.Tentacles.Polling {
	case steps.PollingUniquePort:
		return "Unique port: tentacles poll one address and the balancer forwards a port to each node as plain TCP: " + nodePorts(a) + "."
	case steps.PollingRedis:
		return "Redis (Octopus " + steps.RedisPolling.Since.String() + " and later): tentacles poll one address through a TCP balancer and any node can hand over their work, shared through Redis. No poll-every-node."
	}
	return "Unique address: each tentacle polls every node directly at its own host on the comms port (" + nodeAddresses(a) + "), because only the node running a task can hand its work over."
}

// nodePorts lists the comms port each node will get, e.g. "OCTO1 10943,
// OCTO2 10944"; at most four, then "…".
func nodePorts(a *steps.Answers) string {
	return listNodes(a, func(i int) string { return fmt.Sprintf("%s %d", nodeLabel(a, i), a.NodeCommsPort(i)) })
}

func nodeAddresses(a *steps.Answers) string {
	return listNodes(a, func(i int) string {
		host := a.Nodes[i].Host
		if host == "" {
			host = nodeLabel(a, i)
		}
		return fmt.Sprintf("%s:%d", host, a.NodeCommsPort(i))
	})
}

func listNodes(a *steps.Answers, item func(i int) string) string {
	if len(a.Nodes) == 0 {
		return fmt.Sprintf("node 1 gets %d, node 2 %d, and so on", a.ExpectedCommsPort(0), a.ExpectedCommsPort(1))
	}
	var parts []string
	for i := range a.Nodes {
		if i == 4 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, item(i))
	}
	return strings.Join(parts, ", ")
}

func nodeLabel(a *steps.Answers, i int) string {
	if n := a.Nodes[i].Name; n != "" {
		return n
	}
	return fmt.Sprintf("node %d", i+1)
}
