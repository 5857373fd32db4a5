package render

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/markdown/mdtest"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/internal/winsim"
	"github.com/octoha/octoha/render/kube"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// psArgv is a PowerShell script that parses each command with PowerShell's
// own parser and reports what it would run: one command, no redirection,
// and each element's value (quotes decoded; anything that would expand,
// such as a variable or a subexpression, is a problem).
const psArgv = `param([string] $In, [string] $Out)
Set-StrictMode -Version Latest
$results = foreach ($text in @(Get-Content -LiteralPath $In -Raw -Encoding utf8 | ConvertFrom-Json)) {
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($text, [ref] $tokens, [ref] $errors)
    $r = [ordered]@{ Text = $text; Errors = @($errors | ForEach-Object { $_.Message }); Problem = ''; Argv = @() }
    $statements = @($ast.EndBlock.Statements)
    if ($statements.Count -ne 1 -or $statements[0] -isnot [System.Management.Automation.Language.PipelineAst] -or $statements[0].PipelineElements.Count -ne 1) {
        $r.Problem = 'not one command'
    }
    elseif ($statements[0].PipelineElements[0] -isnot [System.Management.Automation.Language.CommandAst]) {
        $r.Problem = 'an expression, not a command (a quoted program needs &)'
    }
    elseif ($statements[0].PipelineElements[0].Redirections.Count -gt 0) {
        $r.Problem = 'a redirection'
    }
    else {
        $r.Argv = @(foreach ($e in $statements[0].PipelineElements[0].CommandElements) {
                if ($e -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $e.Value }
                elseif ($e -is [System.Management.Automation.Language.CommandParameterAst] -and $null -eq $e.Argument) { $e.Extent.Text }
                elseif ($e -is [System.Management.Automation.Language.ConstantExpressionAst]) { $e.Extent.Text }
                else { $r.Problem = ('{0} is a {1}, which PowerShell expands' -f $e.Extent.Text, $e.GetType().Name) }
            })
    }
    [pscustomobject] $r
}
ConvertTo-Json -InputObject @($results) -Depth 4 | Set-Content -LiteralPath $Out -Encoding utf8
`

type parsedCommand struct {
	Text    string
	Errors  []string
	Problem string
	Argv    []string
}

// parseCommands runs psArgv on the commands in one PowerShell.
func parseCommands(t *testing.T, commands []string) map[string]parsedCommand {
	t.Helper()
	pwsh, err := winsim.FindPwsh()
	if err != nil {
		if os.Getenv(winsim.EnvPwsh) != "" {
			t.Fatal(err)
		}
		t.Skip("skipped: no PowerShell to parse the commands with (" + err.Error() + ")")
	}
	dir := t.TempDir()
	in, out, script := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json"), filepath.Join(dir, "argv.ps1")
	b, err := json.Marshal(commands)
	if err != nil {
		t.Fatal(err)
	}
	for file, content := range map[string][]byte{in: b, script: []byte(psArgv)} {
		if err := os.WriteFile(file, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if msg, err := exec.Command(pwsh, "-NoLogo", "-NoProfile", "-NonInteractive", "-File", script, in, out).CombinedOutput(); err != nil {
		t.Fatalf("PowerShell: %v\n%s", err, msg)
	}
	b, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var results []parsedCommand
	if err := json.Unmarshal(b, &results); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	parsed := map[string]parsedCommand{}
	for _, r := range results {
		parsed[r.Text] = r
	}
	if len(parsed) != len(slices.Compact(slices.Sorted(slices.Values(commands)))) {
		t.Fatalf("PowerShell parsed %d of %d commands", len(parsed), len(commands))
	}
	return parsed
}

// isCommand says a code span is a command an admin runs (a fragment such
// as -ApiKey $key is not), in PowerShell unless it is one of the fixed
// Linux commands the balancer steps print. sqlcmd and msiexec cannot run
// here, so PowerShell only parses them; what they are given is checked.
var isCommand = regexp.MustCompile(`^(& |\.\\|octoha |msiexec |sqlcmd )`)

// isPOSIXCommand says a code span is a command run in a POSIX shell where
// helm reaches a Kubernetes cluster (kubernetes/update-agents.sh).
var isPOSIXCommand = regexp.MustCompile(`^sh `)

// posixWords is what a POSIX shell expands to itself: a command made only
// of such words, separated by single spaces, runs as its fields.
var posixWords = regexp.MustCompile(`^[A-Za-z0-9_./-]+( [A-Za-z0-9_./-]+)*$`)

// posixArgv is the argv a POSIX shell runs command with, false when the
// command holds anything a shell would expand, quote or split otherwise.
func posixArgv(command string) ([]string, bool) {
	if !posixWords.MatchString(command) {
		return nil, false
	}
	return strings.Fields(command), true
}

// sqlcmdArgv is how the DBA's sqlcmd command must run: against SQL Server
// as the nodes reach it (the answers model's Data Source), with Windows
// authentication, on the script as the output folder holds it.
func sqlcmdArgv(a steps.Answers) []string {
	server := a.Database.Server
	if s, err := a.SQLServer(); err == nil {
		server = s.DataSource()
	}
	return []string{"sqlcmd", "-S", server, "-E", "-i", `sql\prepare-database.sql`}
}

// wantCommands is every command each Markdown file of markdownFiles must
// print, as the argv PowerShell must run it with.
func wantCommands(a steps.Answers, newNode steps.Node) map[string][][]string {
	exe := steps.JoinWindowsPath(a.Octopus.InstallDir, "Octopus.Server.exe")
	instance := a.Octopus.Instance
	want := map[string][][]string{
		"CHECKLIST.md": {
			sqlcmdArgv(a),
			{`.\install-first-node.ps1`, "-LicenseFile", `.\licence.xml`},
			{`.\register-tentacle.ps1`},
			{exe, "node", "--instance", instance, "--drain=true", "--wait=600"},
		},
		"add-node CHECKLIST.md": {
			{"msiexec", "/i", "Octopus." + string(a.Octopus.Version) + "-x64.msi", "/quiet", "RUNMANAGERONEXIT=no"},
			{exe, "show-master-key", "--instance", instance},
			{`.\` + JoinScript(newNode.Name)},
			{"octoha", "remove-node", "--answers", AnswersFile, "--name", newNode.Name, "--out", "remove-" + newNode.Name},
		},
	}
	for _, n := range a.Nodes[1:] {
		want["CHECKLIST.md"] = append(want["CHECKLIST.md"], []string{`.\` + JoinScript(n.Name)})
	}
	// How to rebuild a node: the first node's rebuild script.
	want["CHECKLIST.md"] = append(want["CHECKLIST.md"], []string{`.\` + RebuildScript(a.Nodes[0].Name)})
	proxies := "<balancer address as the nodes see it>"
	if len(a.LoadBalancer.TrustedProxies) > 0 {
		proxies = strings.Join(a.LoadBalancer.TrustedProxies, ",")
	}
	want["CONFIGURE.md"] = [][]string{{exe, "configure", "--instance", instance, "--trustedProxies", proxies}}
	if a.PollsEveryNode() {
		// The new node starts drained until the tentacles poll it; the
		// checklist then undrains it.
		want["add-node CHECKLIST.md"] = append(want["add-node CHECKLIST.md"], []string{`.\` + TentacleUpdateScript},
			[]string{exe, "node", "--instance", instance, "--drain=false"})
	}
	if a.DatabaseLoginKind() == steps.LoginComputer {
		// The new node's computer account needs a login first.
		want["add-node CHECKLIST.md"] = append(want["add-node CHECKLIST.md"], sqlcmdArgv(a))
	}
	// The Kubernetes agents already installed, where they poll every node.
	agents := []string{"sh", "kubernetes/update-agents.sh", "RELEASE", "NAMESPACE", "CHART_VERSION"}
	if a.AgentsPollEveryNode() {
		want["add-node CHECKLIST.md"] = append(want["add-node CHECKLIST.md"], agents)
	}
	for _, k := range []int{0, len(a.Nodes) - 1} {
		file := fmt.Sprintf("remove-node %d CHECKLIST.md", k)
		want[file] = [][]string{{`.\` + DrainScript(a.Nodes[k].Name), "-WaitSeconds", "600"}}
		if a.PollsEveryNode() {
			want[file] = append(want[file], []string{`.\` + TentacleUpdateScript},
				[]string{tentacleExe, "configure", "--instance", a.Tentacles.Instance, "--reset-trust"},
				[]string{`.\` + TentacleScript, "-Reregister"})
		}
		if a.AgentsPollEveryNode() {
			want[file] = append(want[file], agents)
		}
	}
	return want
}

// TestChecklistCommandsRunAsPrinted: every command in every Markdown file
// (CHECKLIST.md, the add-node and remove-node checklists, the external
// balancer notes) runs as printed. PowerShell's own parser reads each one,
// copied out of its code span or code block as a reader sees it, as one
// command whose every argument is a constant equal to the value it
// carries: an instance such as "Prod HA" is one argument, and a value
// holding quotes, $, backticks or ; expands into nothing. Each file prints
// exactly the commands it should, none in a form PowerShell reads as an
// expression or a redirection (a bare "<new folder>").
func TestChecklistCommandsRunAsPrinted(t *testing.T) {
	type rendered struct {
		where string
		files map[string][]byte
		want  map[string][][]string
	}
	var all []rendered
	var commands []string
	for _, name := range exampleNames(t) {
		for _, values := range []struct {
			kind        string
			value, path func(int) string
		}{
			{"tame", tameValue, tamePath},
			{"spaces", func(i int) string { return fmt.Sprintf("Prod H%02d", i) }, tamePath},
			{"hostile", shellValue, hostilePath},
			{"markdown", hostileMarkdown(0), hostilePath},
		} {
			a := loadExample(t, name)
			if values.kind != "tame" || name != "2-node-listening-nginx" {
				count := setValues(&a, values.value, values.path)
				a.Tentacles.Instance = values.value(count + 3)
			}
			node := steps.Node{Name: values.value(90), Host: values.value(91)}
			r := rendered{where: name + " " + values.kind, files: markdownFiles(t, a, node), want: wantCommands(a, node)}
			for _, content := range r.files {
				for _, c := range mdtest.Code(string(content)) {
					if isCommand.MatchString(c) {
						commands = append(commands, c)
					}
				}
			}
			all = append(all, r)
		}
	}
	parsed := parseCommands(t, commands)
	for _, r := range all {
		for file, content := range r.files {
			var got [][]string
			for _, c := range mdtest.Code(string(content)) {
				if isPOSIXCommand.MatchString(c) {
					argv, ok := posixArgv(c)
					if !ok {
						t.Errorf("%s, %s: %q does not run as printed in a POSIX shell: only plain words may be in it", r.where, file, c)
						continue
					}
					got = append(got, argv)
					continue
				}
				if !isCommand.MatchString(c) || c == "octoha add-node" {
					// A fragment, or a command named in prose.
					if regexp.MustCompile(`(?i)\.exe\b|--instance`).MatchString(c) {
						t.Errorf("%s, %s: %q names a program or an instance but is no command PowerShell can run", r.where, file, c)
					}
					continue
				}
				p := parsed[c]
				if len(p.Errors) > 0 || p.Problem != "" {
					t.Errorf("%s, %s: %q does not run as printed: %q %s", r.where, file, c, p.Errors, p.Problem)
					continue
				}
				got = append(got, p.Argv)
			}
			want := r.want[file]
			for _, w := range want {
				if !slices.ContainsFunc(got, func(g []string) bool { return slices.Equal(g, w) }) {
					t.Errorf("%s, %s: no command runs as %q; the commands run as %q", r.where, file, w, got)
				}
			}
			for _, g := range got {
				if !slices.ContainsFunc(want, func(w []string) bool { return slices.Equal(g, w) }) {
					t.Errorf("%s, %s: a command runs as %q, which is none of %q", r.where, file, g, want)
				}
			}
		}
	}
}

// shellValue is a value that breaks a command line wherever it is not
// quoted for PowerShell: spaces, both quotes and the Unicode ones, $, a
// backtick, ; & | and a trailing backslash.
func shellValue(i int) string {
	return fmt.Sprintf(`Prod H%02d 'a' "b" $c`+"`d`"+` ;e &f |g ‘h’ (i) @j \`, i)
}

// exampleNames are the examples' names; there are at least seven.
func exampleNames(t *testing.T) []string {
	t.Helper()
	names := testkit.ExampleNames(t)
	if len(names) < 7 {
		t.Fatalf("examples: %v", names)
	}
	return names
}

// asksAfter is the list a checklist prints right after the code span of
// command: "`command` (it asks for a, b)" gives [a b]; found is false when
// the command is not there.
func asksAfter(doc, command string) (asks []string, found bool) {
	span := "`" + command + "`"
	i := strings.Index(doc, span)
	if i < 0 {
		return nil, false
	}
	rest, ok := strings.CutPrefix(doc[i+len(span):], " (it asks for ")
	if !ok {
		return nil, true
	}
	list, _, _ := strings.Cut(rest, ")")
	return strings.Split(list, ", "), true
}

// TestChecklistsListEveryPrompt: each step that runs a script says
// everything the script will ask for, as the add-node checklist did for
// its join script: the first node's and every join script's passwords
// (SQL login, service account unless a gMSA or Local System, Redis), the
// master key, the tentacle script's API key (and, for listening
// tentacles, the server thumbprint). The lists are written out here by
// hand; the checklists read them from the scripts' param blocks.
func TestChecklistsListEveryPrompt(t *testing.T) {
	const (
		admin, sql, service, redis = "the administrator password", "the SQL password", "the service account's password", "the Redis password"
		masterKey, apiKey, thumb   = "the master key", "an API key", "the Octopus Server's certificate thumbprint"
	)
	cases := 0
	for _, name := range exampleNames(t) {
		for _, auth := range []string{steps.AuthWindows, steps.AuthSQL} {
			for _, account := range []string{"", `CORP\svc-octopus`, `CORP\gmsa-octopus$`} {
				a := loadExample(t, name)
				a.Database.Auth, a.Octopus.ServiceAccount = auth, account
				if auth == steps.AuthSQL && a.Database.User == "" {
					a.Database.User = "octopus"
				}
				where := fmt.Sprintf("%s, %s logins, service account %q", name, auth, account)
				var extras []string
				if auth == steps.AuthSQL {
					extras = append(extras, sql)
				}
				if account != "" && !strings.HasSuffix(account, "$") {
					extras = append(extras, service)
				}
				if a.PollingMode() == steps.PollingRedis {
					extras = append(extras, redis)
				}
				tentacle := []string{apiKey}
				if !a.UsesPolling() {
					tentacle = append(tentacle, thumb)
				}
				check := func(file string, doc []byte, command string, want []string) {
					t.Helper()
					got, found := asksAfter(string(doc), command)
					if !found {
						t.Errorf("%s, %s: no step runs `%s`", where, file, command)
						return
					}
					if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
						t.Errorf("%s, %s: `%s` is said to ask for %q; it asks for %q", where, file, command, got, want)
					}
				}
				doc, err := Checklist(a)
				if err != nil {
					t.Fatal(err)
				}
				check("CHECKLIST.md", doc, `.\install-first-node.ps1 -LicenseFile .\licence.xml`, append([]string{admin}, extras...))
				for _, n := range a.Nodes[1:] {
					check("CHECKLIST.md", doc, `.\`+JoinScript(n.Name), append([]string{masterKey}, extras...))
				}
				check("CHECKLIST.md", doc, `.\register-tentacle.ps1`, tentacle)

				grown, err := a.AddNode(steps.Node{Name: "OCTO9", Host: "octo9.corp.local"})
				if err != nil {
					t.Fatal(err)
				}
				if doc, err = addNodeChecklist(grown, len(grown.Nodes)-1); err != nil {
					t.Fatal(err)
				}
				check("add-node CHECKLIST.md", doc, `.\join-node-OCTO9.ps1`, append([]string{masterKey}, extras...))
				shrunk, at, err := a.RemoveNode(a.Nodes[1].Name)
				if err != nil {
					t.Fatal(err)
				}
				if doc, err = removeNodeChecklist(a, at, shrunk); err != nil {
					t.Fatal(err)
				}
				check("remove-node CHECKLIST.md", doc, `.\`+DrainScript(a.Nodes[1].Name)+" -WaitSeconds 600", nil)
				if a.PollsEveryNode() {
					if doc, err = addNodeChecklist(grown, len(grown.Nodes)-1); err != nil {
						t.Fatal(err)
					}
					check("add-node CHECKLIST.md", doc, `.\`+TentacleUpdateScript, []string{apiKey})
				}
				cases++
			}
		}
	}
	if cases < 40 {
		t.Fatalf("only %d cases: the test lost its grip", cases)
	}
}

// TestTentacleExeIsTheScriptsDefault: the remove-node checklist runs
// Tentacle.exe where register-tentacle.ps1 and update-polling-tentacles.ps1
// look for it unless told otherwise (-InstallDir).
func TestTentacleExeIsTheScriptsDefault(t *testing.T) {
	want := "[string] $InstallDir = " + ps.Quote(strings.TrimSuffix(tentacleExe, `\Tentacle.exe`))
	a := loadExample(t, "4-node-polling-unique-port-nginx")
	grown, err := a.AddNode(steps.Node{Name: "OCTO9", Host: "octo9.corp.local"})
	if err != nil {
		t.Fatal(err)
	}
	shrunk, at, err := a.RemoveNode("OCTO2")
	if err != nil {
		t.Fatal(err)
	}
	scripts := map[string]func() ([]byte, error){
		TentacleScript:         func() ([]byte, error) { return ps.RegisterTentacle(a) },
		"update (add-node)":    func() ([]byte, error) { return ps.AddNodeToTentacles(grown, len(grown.Nodes)-1) },
		"update (remove-node)": func() ([]byte, error) { return ps.RemoveNodeFromTentacles(shrunk, "OCTO2", ps.CommsAddress(a, at)) },
	}
	for name, render := range scripts {
		src, err := render()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), want) {
			t.Errorf("%s has no %q: tentacleExe is not where it looks for Tentacle.exe", name, want)
		}
	}
}

// TestAgentUpdateRunsAsPrinted runs the Kubernetes agents' command as the
// add-node checklist prints it, in a POSIX shell in the folder add-node
// writes, with a stand-in helm that records its arguments: the command
// must find kubernetes/update-agents.sh and hand helm the values file
// beside it, which holds the grown cluster's addresses.
func TestAgentUpdateRunsAsPrinted(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell here")
	}
	a := loadExample(t, "4-node-polling-unique-port-nginx")
	grown, err := a.AddNode(steps.Node{Name: "OCTO9", Host: "octo9.corp.local"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := AddNodeFiles(grown, len(grown.Nodes)-1)
	if err != nil {
		t.Fatal(err)
	}
	dir, bin := t.TempDir(), t.TempDir()
	var command string
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
		if f.Path == ChecklistFile {
			for _, c := range mdtest.Code(string(f.Content)) {
				if isPOSIXCommand.MatchString(c) {
					command = c
				}
			}
		}
	}
	if command == "" {
		t.Fatal("the add-node checklist prints no command for the Kubernetes agents")
	}
	record := filepath.Join(bin, "argv")
	helm := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + record + "\n"
	if err := os.WriteFile(filepath.Join(bin, "helm"), []byte(helm), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sh, "-c", command)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
	b, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	argv := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	want := []string{"upgrade", "--atomic", "--reset-then-reuse-values", "--namespace", "NAMESPACE", "RELEASE",
		"--values", "kubernetes/agent-values.yaml", "--version", "CHART_VERSION", "oci://registry-1.docker.io/octopusdeploy/kubernetes-agent"}
	if !slices.Equal(argv, want) {
		t.Fatalf("helm ran as %q, want %q", argv, want)
	}
	values, err := os.ReadFile(filepath.Join(dir, argv[7]))
	if err != nil {
		t.Fatalf("helm's values file: %v", err)
	}
	for _, address := range kube.CommsAddresses(grown) {
		if !strings.Contains(string(values), address) {
			t.Errorf("%s lacks %s", argv[7], address)
		}
	}
}
