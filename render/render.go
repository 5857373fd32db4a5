// Package render turns answers into the files an admin runs: PowerShell
// scripts for the nodes and tentacles (package ps), the load balancer's
// configuration (package lb, or ps for IIS ARR), and a checklist. Every
// function here is a pure function of the answers that returns []File and
// writes nothing; package export writes them.
package render

import (
	"fmt"

	"github.com/octoha/octoha/render/kube"
	"github.com/octoha/octoha/render/lb"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/render/sql"
	"github.com/octoha/octoha/steps"
)

// File is one emitted file. Path is relative to the output folder and uses
// forward slashes.
type File struct {
	Path    string
	Content []byte
}

// Emitted file names, relative to the output folder.
const (
	FirstNodeScript = "install-first-node.ps1"
	TentacleScript  = "register-tentacle.ps1"
	NginxConfig     = "nginx/octopus.conf"
	HAProxyConfig   = "haproxy/haproxy.cfg"
	// ApacheConfig is a site for Debian and Ubuntu's sites-available.
	ApacheConfig    = "apache/octopus.conf"
	ARRScript       = "iis-arr/configure-arr.ps1"
	ExternalLBNotes = "load-balancer/CONFIGURE.md"
	ChecklistFile   = "CHECKLIST.md"
	// DatabaseScript is the DBA's script: logins, database and rights.
	DatabaseScript = sql.File
	// AgentValuesFile is the Helm values for Kubernetes agents, and
	// AgentUpdateScript the helm upgrade a change needs for the agents
	// already installed.
	AgentValuesFile   = kube.ValuesFile
	AgentUpdateScript = kube.UpgradeScript
)

// JoinScript is the join script's file name for a node.
func JoinScript(node string) string { return ps.JoinScriptName(node) }

// RebuildScript is the file name of the script that rebuilds the first
// node, a join script for it.
func RebuildScript(node string) string { return ps.RebuildScriptName(node) }

// All renders every file for a cluster, in the order the admin uses them.
// The answers must have passed validation; All does not re-check them.
func All(a steps.Answers) ([]File, error) {
	if len(a.Nodes) == 0 {
		return nil, fmt.Errorf("the answers have no nodes")
	}
	var l fileList
	l.add(FirstNodeScript)(ps.FirstNode(a))
	for i := 1; i < len(a.Nodes); i++ {
		l.add(JoinScript(a.Nodes[i].Name))(ps.JoinNode(a, i))
	}
	l.add(TentacleScript)(ps.RegisterTentacle(a))
	path, content, err := LoadBalancer(a)
	l.add(path)(content, err)
	l.add(ChecklistFile)(Checklist(a))
	// The first node's own join script, for the day its machine is rebuilt.
	l.add(RebuildScript(a.Nodes[0].Name))(ps.RebuildNode(a))
	l.add(DatabaseScript)(sql.PrepareDatabase(a))
	l.add(AgentValuesFile)(kube.AgentValues(a))
	return l.result()
}

// fileList collects rendered files; the first error stops it, so a run of
// renders reads as a list instead of a ladder of error checks.
type fileList struct {
	files []File
	err   error
}

// add returns the function that takes a renderer's (content, error) for
// path: l.add(path)(render(a)).
func (l *fileList) add(path string) func([]byte, error) {
	return func(content []byte, err error) {
		switch {
		case l.err != nil:
		case err != nil:
			l.err = fmt.Errorf("rendering %s: %w", path, err)
		default:
			l.files = append(l.files, File{Path: path, Content: content})
		}
	}
}

func (l *fileList) result() ([]File, error) {
	if l.err != nil {
		return nil, l.err
	}
	return l.files, nil
}

// LoadBalancer renders the balancer file for the kind the answers chose.
func LoadBalancer(a steps.Answers) (path string, content []byte, err error) {
	switch a.LoadBalancer.Kind {
	case steps.LBNginx:
		content, err = lb.Nginx(a)
		return NginxConfig, content, err
	case steps.LBHAProxy:
		content, err = lb.HAProxy(a)
		return HAProxyConfig, content, err
	case steps.LBApache:
		content, err = lb.Apache(a)
		return ApacheConfig, content, err
	case steps.LBIISARR:
		content, err = ps.ConfigureARR(a)
		return ARRScript, content, err
	case steps.LBExternal:
		content, err = lb.External(a)
		return ExternalLBNotes, content, err
	}
	return "", nil, fmt.Errorf("unknown load balancer kind %q", a.LoadBalancer.Kind)
}
