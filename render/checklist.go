package render

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

//go:embed templates/CHECKLIST.md.tmpl
var checklistFS embed.FS

// checklistTemplate is parsed on first use, not at start-up.
var checklistTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("CHECKLIST.md.tmpl").Funcs(template.FuncMap{
		"joinScript": JoinScript,
		"lbFile":     lbFileFor,
		"inc":        func(i int) int { return i + 1 },
	}).ParseFS(checklistFS, "templates/CHECKLIST.md.tmpl"))
})

// checklistNode is one node's row: where it is and what must reach it.
type checklistNode struct {
	steps.Node
	WebPort, CommsPort int
	// CommsFrom says who opens the comms port, "" when nobody needs to.
	CommsFrom string
}

type checklistData struct {
	A                  *steps.Answers
	Nodes              []checklistNode
	Folders            []steps.SharedFolder
	ShareHosts         []string
	ServiceAccount     string
	PublicHost         string
	PublicPort         int
	SQLPort            int
	PollingAddress     string
	PollingPorts       []int
	FirstNodeScript    string
	TentacleScript     string
	LBFile             string
	ConnectsAs         string
	PollingMode        string
	ListeningTentacles bool
}

// nodeRow is node i of a as a checklist row.
func nodeRow(a steps.Answers, i int) checklistNode {
	return checklistNode{Node: a.Nodes[i], WebPort: a.NodeWebPort(i), CommsPort: a.NodeCommsPort(i), CommsFrom: commsFrom(a)}
}

// Checklist renders CHECKLIST.md: what to prepare, which ports to open on
// which machine, and the order to run everything in.
func Checklist(a steps.Answers) ([]byte, error) {
	d := checklistData{
		A:                  &a,
		Folders:            a.SharedFolders(),
		ServiceAccount:     a.Octopus.ServiceAccount,
		PublicHost:         a.PublicHost(),
		PublicPort:         a.PublicPort(),
		SQLPort:            a.SQLPort(),
		PollingAddress:     a.PollingAddress(),
		FirstNodeScript:    FirstNodeScript,
		TentacleScript:     TentacleScript,
		LBFile:             lbFileFor(a.LoadBalancer.Kind),
		PollingMode:        a.PollingMode(),
		ListeningTentacles: !a.UsesPolling(),
	}
	if d.ServiceAccount == "" {
		d.ServiceAccount = "each node's computer account (DOMAIN\\NODE$, the service runs as Local System)"
	}
	switch {
	case a.Database.Auth == steps.AuthSQL:
		d.ConnectsAs = fmt.Sprintf("the SQL login `%s`", a.Database.User)
	case a.Octopus.ServiceAccount != "":
		d.ConnectsAs = fmt.Sprintf("the service account `%s`", a.Octopus.ServiceAccount)
	default:
		d.ConnectsAs = "each node's computer account (`DOMAIN\\NODE$`)"
	}
	seen := map[string]bool{}
	for _, f := range d.Folders {
		if h := validate.UNCHost(f.Effective); h != "" && !seen[strings.ToLower(h)] {
			seen[strings.ToLower(h)] = true
			d.ShareHosts = append(d.ShareHosts, h)
		}
	}
	for i := range a.Nodes {
		d.Nodes = append(d.Nodes, nodeRow(a, i))
		if a.PollingMode() == steps.PollingUniquePort {
			d.PollingPorts = append(d.PollingPorts, a.NodeCommsPort(i))
		}
	}
	if a.PollingMode() == steps.PollingRedis {
		d.PollingPorts = []int{a.Tentacles.BasePort}
	}
	var b bytes.Buffer
	if err := checklistTemplate().Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func lbFileFor(kind string) string {
	switch kind {
	case steps.LBNginx:
		return NginxConfig
	case steps.LBHAProxy:
		return HAProxyConfig
	case steps.LBIISARR:
		return ARRScript
	}
	return ExternalLBNotes
}
