package sql

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

// envPwsh names the PowerShell that runs Microsoft's T-SQL parser (the
// variable internal/winsim reads); envTSQL, when set, the parser script,
// else tsql/tsql-parse.ps1 beside PowerShell's folder
// (../shared/tools/pwsh/pwsh and ../shared/tools/tsql/tsql-parse.ps1).
const (
	envPwsh = "OCTOHA_PWSH"
	envTSQL = "OCTOHA_TSQL_PARSE"
)

// tsqlParser is the PowerShell and the parser script; the test skips
// without OCTOHA_PWSH and fails when it is set but either is missing.
func tsqlParser(t *testing.T) (pwsh, script string) {
	t.Helper()
	pwsh = os.Getenv(envPwsh)
	if pwsh == "" {
		t.Skip("skipped: " + envPwsh + " is not set, so there is no PowerShell to run the T-SQL parser in")
	}
	pwsh, err := filepath.Abs(pwsh)
	if err != nil {
		t.Fatal(err)
	}
	script = os.Getenv(envTSQL)
	if script == "" {
		script = filepath.Join(filepath.Dir(filepath.Dir(pwsh)), "tsql", "tsql-parse.ps1")
	}
	for _, p := range []string{pwsh, script} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is set but %v (set %s to the parser script)", envPwsh, err, envTSQL)
		}
	}
	return pwsh, script
}

// parsed is one file's result from tsql-parse.ps1 -Json.
type parsed struct {
	File    string     `json:"file"`
	Errors  []string   `json:"errors"`
	Batches [][]string `json:"batches"`
}

// parseAll runs the parser once over files. The sqlcmd lines (:setvar,
// :on error exit) and $(NAME) are not T-SQL: the parser script reads them
// as sqlcmd does first, substituting each variable, those the files do
// not set from variables (NAME=value).
func parseAll(t *testing.T, files []string, variables ...string) map[string]parsed {
	t.Helper()
	pwsh, script := tsqlParser(t)
	// -Command, not -File: -File would pass the variables as one string.
	command := "& " + psList([]string{script}) + " -Json -Path " + psList(files)
	if len(variables) > 0 {
		command += " -Variables " + psList(variables)
	}
	command += "; exit $LASTEXITCODE"
	cmd := exec.Command(pwsh, "-NoProfile", "-NonInteractive", "-Command", command)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatalf("running the T-SQL parser: %v %s", err, stderr.String())
	}
	results := map[string]parsed{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var p parsed
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("parser output %q: %v", sc.Text(), err)
		}
		results[p.File] = p
	}
	if len(results) != len(files) {
		t.Fatalf("the parser answered for %d of %d files: %s %s", len(results), len(files), out, stderr.String())
	}
	return results
}

// psList is values as a PowerShell list of single-quoted strings.
func psList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return strings.Join(quoted, ",")
}

// dynamicValues are what the script's variables hold at run time, for
// evaluating the statements it builds; login is the hostile one when the
// case is hostile.
func dynamicValues(login string) map[string]string {
	return map[string]string{
		"@login": login, "@admin": login, "@sqlLogin": login, "@collation": "Latin1_General_CI_AS", "@group": "AG1",
		"@password": "pa'ss", "@sid": "0x0102", "@sql": "",
	}
}

var setSQL = regexp.MustCompile(`(?m)^\s*SET @sql = (.*)$`)

// dynamicStatements evaluates every SET @sql = ... of script, in order,
// as SQL Server would, with the values given.
func dynamicStatements(t *testing.T, script []byte, vars map[string]string) []string {
	t.Helper()
	var out []string
	for _, m := range setSQL.FindAllStringSubmatch(string(script), -1) {
		v, rest, err := evalExpr(m[1], vars)
		if err != nil || rest != ";" {
			t.Fatalf("SET @sql = %s: %v (rest %q)", m[1], err, rest)
		}
		vars["@sql"] = v
		out = append(out, v)
	}
	return out
}

// parsedHostileNames are the hostile names the parser test renders, one of
// each kind (the parser takes about a quarter of a second per script; the
// fuzz tests take every name through the quoting functions).
var parsedHostileNames = []string{
	"O'Brien",
	"x]; DROP DATABASE master; --",
	"a\nGO\nDROP DATABASE master",
	"a\r\n:!! calc.exe\r\n",
	"smart ‘quotes’ and “double” ʼ",
	"$(PATH)",
	"a$(b)c$$(d)",
	"emoji 😀 and é",
	"/* not a comment */ -- nor this",
}

// scriptDomGap is the one statement the script builds that ScriptDom
// 180.140.0 refuses with every grammar (140 to 170), though it is
// documented T-SQL for SQL Server 2016 and later (FACTS.md): the test
// checks its text instead, the group's name whole in its brackets.
var scriptDomGap = regexp.MustCompile(`^ALTER AVAILABILITY GROUP \[((?:[^\]]|\]\])*)\] GRANT CREATE ANY DATABASE;$`)

// parseCase is one answers file for the parser test, with the login name
// the dynamic statements are evaluated for.
type parseCase struct {
	name  string
	a     steps.Answers
	login string
}

func loadExample(t *testing.T, name string) steps.Answers {
	t.Helper()
	return testkit.Example(t, name)
}

// hostile puts name everywhere the answers name something the script
// prints: the database, the service account or SQL login, and the nodes.
func hostile(a steps.Answers, name string) steps.Answers {
	a.Database.Name = name
	if a.Database.Auth == steps.AuthSQL {
		a.Database.User = name
	} else if a.Octopus.ServiceAccount != "" {
		a.Octopus.ServiceAccount = name
	}
	a.Nodes = append([]steps.Node(nil), a.Nodes...)
	for i := range a.Nodes {
		a.Nodes[i].Name = name
		a.Nodes[i].Host = name + ".corp.local"
	}
	return a
}

// TestEveryScriptParses parses the script of every example, and of two
// answers that take every part of the script with each hostile name, with Microsoft's own T-SQL parser, and every
// statement the script builds at run time too. A hostile name must change
// no statement: each case's statement kinds must be those of the same
// answers with a plain name.
func TestEveryScriptParses(t *testing.T) {
	names := testkit.ExampleNames(t)
	if len(names) != 8 {
		t.Fatalf("examples: %v", names)
	}
	var cases []parseCase
	for _, name := range names {
		cases = append(cases, parseCase{name, loadExample(t, name), "CORP\\someone"})
	}
	// Two answers that between them take every part of the script a
	// name reaches: SQL login and Local System, AlwaysOn, the database
	// made here (the examples take the service account and the database
	// made by the first node).
	ls := loadExample(t, "2-node-listening-nginx")
	ls.Octopus.ServiceAccount = ""
	ls.Database.Create = false
	ls.Database.MultiSubnetFailover = true
	sqlLogin := loadExample(t, "2-node-listening-nginx-sql-auth")
	sqlLogin.Database.Create = false
	sqlLogin.Database.MultiSubnetFailover = true
	bases := map[string]steps.Answers{
		"sql-login-alwayson":   sqlLogin,
		"localsystem-alwayson": ls,
	}
	for base, a := range bases {
		cases = append(cases, parseCase{base + "-plain", hostile(a, "Plain"), "Plain"})
		for i, name := range parsedHostileNames {
			cases = append(cases, parseCase{fmt.Sprintf("%s-hostile-%02d", base, i), hostile(a, name), name})
		}
	}

	dir := t.TempDir()
	var scripts, built []string
	var dynamicVars []string
	seen := map[string]bool{}
	for _, c := range cases {
		script, err := PrepareDatabase(c.a)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		checkSqlcmdLines(t, c.name, script)
		file := filepath.Join(dir, c.name+".sql")
		os.WriteFile(file, script, 0o644)
		scripts = append(scripts, file)
		// The statements the script builds run as T-SQL only, never
		// through sqlcmd: one batch each, and every $(NAME) in them
		// given to the parser as itself, so that it stays as it is.
		var stmts []string
		for _, stmt := range dynamicStatements(t, script, dynamicValues(c.login)) {
			if m := scriptDomGap.FindStringSubmatch(stmt); m != nil {
				if group, err := unident("[" + m[1] + "]"); err != nil || group != dynamicValues("")["@group"] {
					t.Errorf("%s: %q does not name the group", c.name, stmt)
				}
				continue
			}
			stmts = append(stmts, stmt)
		}
		for _, m := range regexp.MustCompile(`\$\((\w+)\)`).FindAllStringSubmatch(strings.Join(stmts, "\n"), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				dynamicVars = append(dynamicVars, m[1]+"=$("+m[1]+")")
			}
		}
		f := filepath.Join(dir, c.name+".built.sql")
		os.WriteFile(f, []byte(strings.Join(stmts, "\nGO\n")+"\n"), 0o644)
		built = append(built, f)
	}
	// One run for both: the scripts set their own variables with
	// :setvar, which wins over these, and hold no other $( (checked
	// above); SqlLoginPassword, which they leave to the DBA, is given.
	results := parseAll(t, append(scripts, built...), append(dynamicVars, "SqlLoginPassword=x")...)
	kinds := func(file string) [][]string { return results[file].Batches }
	for _, f := range append(scripts, built...) {
		if r := results[f]; len(r.Errors) > 0 {
			t.Errorf("%s: %s\n%s", filepath.Base(f), strings.Join(r.Errors, "\n"), head(f))
		}
	}
	for _, c := range cases {
		base, _, ok := strings.Cut(c.name, "-hostile-")
		if !ok {
			continue
		}
		plain := base + "-plain"
		for _, suffix := range []string{".sql", ".built.sql"} {
			if got, want := kinds(filepath.Join(dir, c.name+suffix)), kinds(filepath.Join(dir, plain+suffix)); !reflect.DeepEqual(got, want) {
				t.Errorf("%s%s (%q): statements %v, want those of %s: %v", c.name, suffix, c.login, got, plain, want)
			}
		}
	}
}

// head is the start of a file, for a failure message.
func head(file string) string {
	b, _ := os.ReadFile(file)
	if len(b) > 400 {
		b = b[:400]
	}
	return string(b)
}

// sqlcmdVariables are the variables the script may use; any other $( is
// a value that reached sqlcmd.
var sqlcmdVariables = regexp.MustCompile(`\$\((InstallingAdmin|Domain|Collation|AvailabilityGroup|BackupFolder|SqlLoginPassword|SqlLoginSid)\)`)

// checkSqlcmdLines holds what sqlcmd reads before SQL Server does: only
// octoha's own :setvar and :on error lines, one GO at the end, no $( but
// the script's variables, and nothing but printable ASCII.
func checkSqlcmdLines(t *testing.T, name string, script []byte) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(script), "\n"), "\n")
	for i, l := range lines {
		trimmed := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(trimmed, ":") && !regexp.MustCompile(`^:setvar [A-Za-z]+ "[^"$]*"$|^:on error exit$`).MatchString(trimmed):
			t.Errorf("%s line %d is a sqlcmd command octoha did not mean: %q", name, i+1, l)
		case strings.EqualFold(trimmed, "GO") && i != len(lines)-1:
			t.Errorf("%s line %d is a GO before the end", name, i+1)
		case strings.Contains(sqlcmdVariables.ReplaceAllString(l, ""), "$("):
			t.Errorf("%s line %d holds a $( sqlcmd would replace: %q", name, i+1, l)
		}
		for _, r := range l {
			if r < 0x20 && r != '\t' || r >= 0x7f {
				t.Errorf("%s line %d holds %U", name, i+1, r)
				break
			}
		}
	}
	if lines[len(lines)-1] != "GO" {
		t.Errorf("%s does not end with GO", name)
	}
}
