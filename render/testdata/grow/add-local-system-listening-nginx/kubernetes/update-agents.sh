#!/bin/sh
# update-agents.sh: points an Octopus Kubernetes agent installed before this change at the nodes the
# cluster has now, with the addresses in agent-values.yaml beside it
# (https://octopus.com/docs/infrastructure/deployment-targets/kubernetes/kubernetes-agent/ha-cluster-support).
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
helm upgrade --atomic --reset-then-reuse-values --namespace "$2" "$1" --values "$values" --version "$3" "oci://registry-1.docker.io/octopusdeploy/kubernetes-agent"
