package render

import (
	"embed"
	"maps"
	"strings"
	"sync"
	"text/template"

	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

//go:embed templates/*.md.tmpl
var markdownFS embed.FS

// markdownFuncs are what the checklists' templates call: the quoting
// functions of internal/markdown, through which every printed value goes
// (TestEveryMarkdownValueIsQuoted holds that), and helpers that compute a
// value to quote.
var markdownFuncs = func() template.FuncMap {
	funcs := template.FuncMap{
		"joinScript": JoinScript,
		"inc":        func(i int) int { return i + 1 },
	}
	maps.Copy(funcs, markdown.Funcs)
	return funcs
}()

// parseMarkdown parses the named templates with the sentences they share.
// Templates are parsed on first use, not at start-up.
func parseMarkdown(names ...string) *template.Template {
	t := template.New(names[0]).Funcs(markdownFuncs).Option("missingkey=error")
	for _, name := range append(names, "shared.md.tmpl") {
		template.Must(t.ParseFS(markdownFS, "templates/"+name))
	}
	return t
}

var checklistTemplate = sync.OnceValue(func() *template.Template {
	return parseMarkdown("CHECKLIST.md.tmpl")
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
	PublicHost         string
	PublicPort         int
	SQLPort            int
	PollingAddress     string
	PollingPorts       []int
	FirstNodeScript    string
	RebuildScript      string
	MarkerFile         string
	TentacleScript     string
	LBFile             string
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
		PublicHost:         a.PublicHost(),
		PublicPort:         a.PublicPort(),
		SQLPort:            a.SQLPort(),
		PollingAddress:     a.PollingAddress(),
		FirstNodeScript:    FirstNodeScript,
		RebuildScript:      RebuildScript(a.Nodes[0].Name),
		MarkerFile:         ps.MarkerFile,
		TentacleScript:     TentacleScript,
		LBFile:             lbFileFor(a.LoadBalancer.Kind),
		PollingMode:        a.PollingMode(),
		ListeningTentacles: !a.UsesPolling(),
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
	return markdown.Execute(checklistTemplate(), "CHECKLIST.md.tmpl", d)
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
