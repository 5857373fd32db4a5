// Package kube writes what Octopus Kubernetes agents of an HA cluster
// need: the Helm values that point a new agent at every node (or, with
// Redis polling, at the one polling address), and after add-node or
// remove-node the helm upgrade that points the agents already installed
// at the nodes there are now.
package kube

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// Emitted file names, relative to the output folder.
const (
	ValuesFile    = "kubernetes/agent-values.yaml"
	UpgradeScript = "kubernetes/update-agents.sh"
)

// chart is the Kubernetes agent's Helm chart, as Octopus's wizard and the
// chart's own upgrade notes install it (OctopusDeploy/helm-charts,
// charts/kubernetes-agent/migrations.md).
const chart = "oci://registry-1.docker.io/octopusdeploy/kubernetes-agent"

// CommsAddresses are the addresses an agent polls, in the form the Octopus
// page writes them (https://host:port/): each node's comms address, or
// with Redis the one polling address at the balancer's polling port.
func CommsAddresses(a steps.Answers) []string {
	if !a.AgentsPollEveryNode() {
		return []string{fmt.Sprintf("https://%s:%d/", a.PollingAddress(), a.Tentacles.BasePort)}
	}
	addresses := make([]string, len(a.Nodes))
	for i := range a.Nodes {
		addresses[i] = ps.CommsAddress(a, i) + "/"
	}
	return addresses
}

// agentValues is the part of the chart's values octoha sets: the chart's
// agent.serverCommsAddress (one address) and agent.serverCommsAddresses
// (a list, for HA), as charts/kubernetes-agent/values.yaml names them.
type agentValues struct {
	ServerCommsAddress   string   `yaml:"serverCommsAddress,omitempty"`
	ServerCommsAddresses []string `yaml:"serverCommsAddresses"`
}

// AgentValues renders kubernetes/agent-values.yaml.
func AgentValues(a steps.Answers) ([]byte, error) {
	v := agentValues{ServerCommsAddresses: []string{}}
	if a.AgentsPollEveryNode() {
		v.ServerCommsAddresses = CommsAddresses(a)
	} else {
		v.ServerCommsAddress = CommsAddresses(a)[0]
	}
	body, err := yaml.Marshal(map[string]agentValues{"agent": v})
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("# Helm values for an Octopus Kubernetes agent of this HA cluster, written by octoha.\n")
	if a.AgentsPollEveryNode() {
		b.WriteString("# The agent polls every node, as a polling Tentacle does, each at its own address\n")
		if !a.UsesPolling() {
			b.WriteString("# (Tentacles listen, but the agent always polls: each node's comms port must be open to the\n")
			b.WriteString("# Kubernetes cluster's nodes).\n")
		}
	} else {
		b.WriteString("# With Redis polling the agent polls the one polling address, which the balancer spreads over\n")
		b.WriteString("# the nodes. [INFER] The agent takes part in multi-node polling as a polling Tentacle does.\n")
	}
	b.WriteString("# (" + docs.KubeAgentHA + ").\n")
	b.WriteString("# Install an agent with the helm command Octopus's Add Kubernetes agent wizard shows, with its\n")
	b.WriteString("# --set agent.serverCommsAddress=\"...\" replaced by --values agent-values.yaml.\n")
	if a.AgentsPollEveryNode() {
		b.WriteString("# Octopus " + steps.AgentWizardNodeURLs.Since.String() + " and later ask for each node's URL in the wizard: give these.\n")
	}
	b.Write(body)
	return []byte(b.String()), nil
}

// UpdateAgents renders kubernetes/update-agents.sh, the helm upgrade an
// agent installed before a change needs; it reads agent-values.yaml
// beside it. No answer reaches it: the addresses are in the values file.
func UpdateAgents() ([]byte, error) { return []byte(updateAgents), nil }

const updateAgents = `#!/bin/sh
# update-agents.sh: points an Octopus Kubernetes agent installed before this change at the nodes the
# cluster has now, with the addresses in agent-values.yaml beside it
# (` + docs.KubeAgentHA + `).
# Run it once per agent, where kubectl and helm reach the agent's Kubernetes cluster:
#   sh update-agents.sh RELEASE NAMESPACE CHART_VERSION
# RELEASE and NAMESPACE are on the agent's Connectivity page in Octopus; CHART_VERSION is the
# chart version the agent runs now (helm list --namespace NAMESPACE shows kubernetes-agent-VERSION),
# so that only the addresses change. The command is the chart's own upgrade form
# (OctopusDeploy/helm-charts, charts/kubernetes-agent/migrations.md; --reset-then-reuse-values
# needs Helm 3.14 or later). [INFER] The agent reads the addresses when its pod starts, which the
# upgrade makes it do.
set -eu
if [ "$#" -ne 3 ]; then
    echo "usage: sh update-agents.sh RELEASE NAMESPACE CHART_VERSION" >&2
    exit 2
fi
values="$(dirname -- "$0")/agent-values.yaml"
helm upgrade --atomic --reset-then-reuse-values --namespace "$2" "$1" --values "$values" --version "$3" "` + chart + `"
`
