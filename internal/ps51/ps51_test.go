package ps51_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/octoha/octoha/internal/ps51"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/internal/winsim"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// pwsh is the PowerShell whose parser gives the syntax trees; without
// one the tests skip, as internal/winsim's do, unless OCTOHA_PWSH names
// one that is missing.
func pwsh(t *testing.T) string {
	t.Helper()
	p, err := winsim.FindPwsh()
	if err != nil {
		if os.Getenv(winsim.EnvPwsh) != "" {
			t.Fatal(err)
		}
		t.Skip("skipped: no PowerShell (" + err.Error() + ")")
	}
	return p
}

var tables = sync.OnceValues(func() (*ps51.Tables, error) { return ps51.LoadTables("testdata") })

func loadTables(t *testing.T) *ps51.Tables {
	t.Helper()
	tb, err := tables()
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// emittedScripts are every PowerShell script octoha writes for every
// example: render.All's, add-node's (a node OCTO9), remove-node's for the
// second and the first node, upgrade's (to a newer version), and
// configure-arr.ps1 whatever the balancer.
// A script two cases render alike is checked once, under its first name.
func emittedScripts(t *testing.T) []ps51.Script {
	t.Helper()
	names, examples := testkit.Examples(t)
	var out []ps51.Script
	seen := map[string]bool{}
	add := func(name string, files []render.File, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range files {
			if path.Ext(f.Path) != ".ps1" || seen[string(f.Content)] {
				continue
			}
			seen[string(f.Content)] = true
			out = append(out, ps51.Script{Name: name + "/" + f.Path, Content: f.Content})
		}
	}
	for _, name := range names {
		a := examples[name]
		files, err := render.All(a)
		add(name, files, err)
		arr, err := ps.ConfigureARR(a)
		add(name, []render.File{{Path: "iis-arr/configure-arr.ps1", Content: arr}}, err)
		grown, err := a.AddNode(steps.Node{Name: "OCTO9", Host: "octo9.corp.local"})
		if err != nil {
			t.Fatal(err)
		}
		files, err = render.AddNodeFiles(grown, len(grown.Nodes)-1)
		add(name+"/add-node", files, err)
		for _, gone := range []int{1, 0} {
			shrunk, removed, err := a.RemoveNode(a.Nodes[gone].Name)
			if err != nil {
				t.Fatal(err)
			}
			files, err := render.RemoveNodeFiles(a, removed, shrunk)
			add(name+"/remove-node-"+a.Nodes[gone].Name, files, err)
		}
		to, err := steps.ParseOctopusVersion("2026.5.1000")
		if err != nil {
			t.Fatal(err)
		}
		after, err := a.UpgradeTo(to)
		if err != nil {
			t.Fatal(err)
		}
		files, err = render.UpgradeFiles(a, after)
		add(name+"/upgrade", files, err)
	}
	return out
}

var (
	parseOnce   sync.Once
	parsedFiles []*ps51.File
	parseErr    error
)

// parsed is testdata/broken.ps1 and then every emitted script, parsed in
// one run of pwsh (it takes some seconds to start).
func parsed(t *testing.T) []*ps51.File {
	t.Helper()
	p := pwsh(t)
	parseOnce.Do(func() {
		broken, err := os.ReadFile(filepath.Join("testdata", "broken.ps1"))
		if err != nil {
			parseErr = err
			return
		}
		scripts := append([]ps51.Script{{Name: "broken.ps1", Content: broken}}, emittedScripts(t)...)
		parsedFiles, parseErr = ps51.Parse(p, scripts)
	})
	if parseErr != nil {
		t.Fatal(parseErr)
	}
	return parsedFiles
}

// TestEmittedScriptsRunOnWindowsPowerShell51 holds every emitted script
// to what Windows PowerShell 5.1 runs: its commands, parameters and enum
// values, .NET Framework 4.5's types and members, variables assigned
// before they are read under Set-StrictMode, the script's own functions
// called as declared, and no PowerShell 7 syntax.
func TestEmittedScriptsRunOnWindowsPowerShell51(t *testing.T) {
	files := parsed(t)[1:]
	if len(files) < 30 {
		t.Fatalf("only %d scripts rendered", len(files))
	}
	for _, f := range ps51.Check(files, loadTables(t)) {
		t.Error(f)
	}
	t.Logf("checked %d scripts", len(files))
}

var want = regexp.MustCompile(`#\s*want:\s*([a-z0-9, ]+)\s*$`)

// TestEveryRuleFires: testdata/broken.ps1 breaks each rule on the lines
// marked "# want: rule", and the check must report exactly those.
func TestEveryRuleFires(t *testing.T) {
	content, err := os.ReadFile(filepath.Join("testdata", "broken.ps1"))
	if err != nil {
		t.Fatal(err)
	}
	wanted := map[string]bool{}
	rules := map[string]bool{}
	s := bufio.NewScanner(bytes.NewReader(content))
	for line := 1; s.Scan(); line++ {
		if m := want.FindStringSubmatch(s.Text()); m != nil {
			for _, r := range strings.Split(m[1], ",") {
				r = strings.TrimSpace(r)
				wanted[fmt.Sprintf("%d %s", line, r)] = true
				rules[r] = true
			}
		}
	}
	for _, r := range []string{ps51.RuleCmdlet, ps51.RuleDotNet, ps51.RuleStrict, ps51.RuleFunction, ps51.RulePS7} {
		if !rules[r] {
			t.Errorf("broken.ps1 breaks no %s rule", r)
		}
	}
	got := map[string]bool{}
	for _, f := range ps51.Check(parsed(t)[:1], loadTables(t)) {
		key := fmt.Sprintf("%d %s", f.Line, f.Rule)
		got[key] = true
		if !wanted[key] {
			t.Errorf("unexpected: %s", f)
		} else {
			t.Logf("fires: %s", f)
		}
	}
	for key := range wanted {
		if !got[key] {
			t.Errorf("broken.ps1 line %s: the check did not fire", key)
		}
	}
}

// TestCommandTable: the 5.1 table reads, and holds what 5.1 has and
// lacks (about the cmdlets the scripts use).
func TestCommandTable(t *testing.T) {
	tb := loadTables(t)
	has := func(cmd, param string) bool {
		c := tb.Commands[strings.ToLower(cmd)]
		if c == nil {
			return false
		}
		for _, s := range c.Sets {
			if s.Find(param) != nil {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		cmd, param string
		want       bool
	}{
		{"Get-Content", "Encoding", true},
		{"Get-Content", "AsByteStream", false}, // PowerShell 6
		{"ConvertFrom-Json", "InputObject", true},
		{"ConvertFrom-Json", "AsHashtable", false}, // PowerShell 6
		{"ConvertFrom-Json", "Depth", false},       // PowerShell 6.2
		{"ForEach-Object", "Process", true},
		{"ForEach-Object", "Parallel", false}, // PowerShell 7
		{"Invoke-WebRequest", "UseBasicParsing", true},
		{"Invoke-WebRequest", "SkipCertificateCheck", false}, // PowerShell 6
		{"New-NetFirewallRule", "LocalPort", true},
	} {
		if got := has(c.cmd, c.param); got != c.want {
			t.Errorf("%s -%s in the 5.1 table: %v, want %v", c.cmd, c.param, got, c.want)
		}
	}
	for _, absent := range []string{"Join-String", "Get-Error", "Test-Json", "ConvertTo-CliXml"} {
		if tb.Commands[strings.ToLower(absent)] != nil {
			t.Errorf("%s is in the 5.1 table; it is PowerShell 6 or 7", absent)
		}
	}
	set := tb.Commands["test-path"].Sets[1]
	if p := set.Find("LiteralPath"); p == nil || !p.Mandatory || p.Positional || p.Type != "string[]" {
		t.Errorf("Test-Path's second set reads -LiteralPath as %+v", p)
	}
	if p := set.Find("PathType"); p == nil || p.Mandatory || p.Type != "TestPathType" {
		t.Errorf("Test-Path's second set reads -PathType as %+v", p)
	}
	if p := tb.Commands["get-variable"].Sets[0].Find("Name"); p == nil || p.Mandatory || !p.Positional {
		t.Errorf("Get-Variable reads -Name as %+v", p)
	}
}
