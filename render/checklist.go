package render

import (
	"embed"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"sync"
	"text/template"

	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

//go:embed templates/*.md.tmpl
var markdownFS embed.FS

// markdownFuncs are what the checklists' templates call: the quoting
// functions of internal/markdown, through which every printed value goes
// (TestEveryMarkdownValueIsQuoted holds that), helpers that compute a
// value to quote, and the functions that quote a value for the shell a
// printed command runs in (ps, psRun, word), whose result then goes into
// a Markdown code span.
var markdownFuncs = func() template.FuncMap {
	funcs := template.FuncMap{
		"joinScript": JoinScript,
		"inc":        func(i int) int { return i + 1 },
		"ps":         ps.Quote,
		"psRun":      psRun,
		"word":       word,
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

// plainWord is a value every shell an admin may use (PowerShell, cmd.exe,
// a POSIX shell) reads as one argument equal to itself. It starts with a
// letter, so PowerShell never reads it as a number (1kb, 0x10, 1e3) or a
// parameter.
var plainWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)

// word prints s as one argument of a command line: as it is when it is a
// plain word, which then runs the same in every shell, else as a
// PowerShell literal. Validated answers keep node names plain words, so
// a command printed with word runs wherever octoha itself runs.
func word(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return ps.Quote(s)
}

// psRun is the PowerShell command that runs the script file in the current
// folder: .\file when the name needs no quotes, else & '.\file'.
func psRun(file string) string {
	if plainWord.MatchString(file) {
		return `.\` + file
	}
	return "& " + ps.Quote(`.\`+file)
}

// serverExe is Octopus.Server.exe where the answers install it, as the
// node scripts run it.
func serverExe(a steps.Answers) string {
	return steps.JoinWindowsPath(a.Octopus.InstallDir, "Octopus.Server.exe")
}

// tentacleExe is Tentacle.exe in the folder register-tentacle.ps1 and
// update-polling-tentacles.ps1 take by default (-InstallDir).
const tentacleExe = `C:\Program Files\Octopus Deploy\Tentacle\Tentacle.exe`

// promptWords name, in the checklists' words, what each mandatory
// parameter of a script asks for. A mandatory parameter missing here
// stops the checklist from rendering, so a new prompt cannot go unlisted.
var promptWords = map[string]string{
	"AdminPassword":    "the administrator password",
	"SqlPassword":      "the SQL password",
	"ServicePassword":  "the service account's password",
	"RedisPassword":    "the Redis password",
	"MasterKey":        "the master key",
	"ApiKey":           "an API key",
	"ServerThumbprint": "the Octopus Server's certificate thumbprint",
	"LicenseFile":      "the licence file",
}

// paramLine is a parameter declaration in a script's param block, such
// as "    [SecureString] $MasterKey," or "    [string[]] $Roles = @()".
var paramLine = regexp.MustCompile(`^\s*\[[A-Za-z.\[\]]+\]\s*\$(\w+)`)

// mandatoryParameters lists the mandatory parameters of a rendered
// script's own param block, read from the script itself: the script is the
// one owner of what it asks for, and the checklists only name it (asks).
// It takes a renderer's two results, and passes on its error.
func mandatoryParameters(script []byte, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.ReplaceAll(string(script), "\r\n", "\n"), "\n")
	start := -1
	for i, l := range lines {
		if l == "param(" {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("the script has no param block to read its prompts from")
	}
	var out []string
	mandatory := false
	for _, l := range lines[start+1:] {
		if l == ")" {
			return out, nil
		}
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[Parameter(") {
			mandatory = strings.Contains(t, "Mandatory") && !strings.Contains(t, "$false")
			continue
		}
		m := paramLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if mandatory {
			out = append(out, m[1])
		}
		mandatory = false
	}
	return nil, fmt.Errorf("the script's param block does not end")
}

// asks says what a script with these mandatory parameters asks for when
// run as a checklist prints it, which passes the parameters named in
// passed.
func asks(params []string, err error, passed ...string) ([]string, error) {
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range params {
		if contains(passed, name) {
			continue
		}
		w, ok := promptWords[name]
		if !ok {
			return nil, fmt.Errorf("the script asks for -%s, which the checklist does not name: add it to promptWords", name)
		}
		out = append(out, w)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
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
	// Asks is what the node's join script asks for (joining nodes only).
	Asks []string
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
	ServerExe          string
	// FirstNodeAsks and TentacleAsks are what install-first-node.ps1 and
	// register-tentacle.ps1 ask for, run as the checklist prints them.
	FirstNodeAsks []string
	TentacleAsks  []string
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
		ServerExe:          serverExe(a),
	}
	params, err := mandatoryParameters(ps.FirstNode(a))
	if d.FirstNodeAsks, err = asks(params, err, "LicenseFile"); err != nil {
		return nil, fmt.Errorf("%s: %w", FirstNodeScript, err)
	}
	if d.TentacleAsks, err = asks(mandatoryParameters(ps.RegisterTentacle(a))); err != nil {
		return nil, fmt.Errorf("%s: %w", TentacleScript, err)
	}
	seen := map[string]bool{}
	for _, f := range d.Folders {
		if h := steps.UNCHost(f.Effective); h != "" && !seen[strings.ToLower(h)] {
			seen[strings.ToLower(h)] = true
			d.ShareHosts = append(d.ShareHosts, h)
		}
	}
	for i := range a.Nodes {
		d.Nodes = append(d.Nodes, nodeRow(a, i))
		if i > 0 {
			if d.Nodes[i].Asks, err = asks(mandatoryParameters(ps.JoinNode(a, i))); err != nil {
				return nil, fmt.Errorf("%s: %w", JoinScript(a.Nodes[i].Name), err)
			}
		}
		if a.UsesUniquePorts() {
			d.PollingPorts = append(d.PollingPorts, a.NodeCommsPort(i))
		}
	}
	if a.UsesRedis() {
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
