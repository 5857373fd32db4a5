package ps

import (
	"strings"
	"testing"
)

// TestFirstNodeProvesShareWrite: the first node writes its marker on the
// share as the admin running it, at the end; it proves that it may, by
// writing and deleting a probe file, before it changes anything. Join
// scripts only read the share.
func TestFirstNodeProvesShareWrite(t *testing.T) {
	for _, s := range nodeScripts(t) {
		lines := codeLines(s.Content)
		write := findLine(lines, 0, "Set-Content -LiteralPath $probe ")
		remove := findLine(lines, 0, "Remove-Item -LiteralPath $probe ")
		if !isFirstNode(s) {
			if write >= 0 || remove >= 0 {
				t.Errorf("%s: a join script writes on the share", s.Name)
			}
			continue
		}
		if write < 0 || remove < write || !strings.Contains(lines[write], "-WhatIf:$false") || !strings.Contains(lines[remove], "-WhatIf:$false") {
			t.Errorf("%s: no probe file written and deleted on the share, -WhatIf too", s.Name)
			continue
		}
		if innermost(branchChain(lines, write)) != "try {" || !strings.Contains(lines[findLine(lines, write, "catch {")+1], "throw ('You ({0}) cannot write to the shared folder {1}") {
			t.Errorf("%s: a failed probe does not stop the script naming the share", s.Name)
		}
		for _, step := range []string{"-Command 'list-instances'", "-Command 'create-instance'", "-Command 'database'"} {
			if at := findLine(lines, 0, step); at < remove {
				t.Errorf("%s: %s runs before the share's write access is proved", s.Name, step)
			}
		}
		if !paragraphSays(s.Content, "Shared folder rights", "write access", "probe", "read access") {
			t.Errorf("%s: the help does not say who needs which rights on the share", s.Name)
		}
	}
}

// TestClusterSettingsOnlyOnFirstRun: path and node --taskCap write
// cluster-wide settings that the web portal changes later; the first node
// sends them on its first run, and again only with -ReapplyClusterSettings.
func TestClusterSettingsOnlyOnFirstRun(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		a := examples[name]
		a.Octopus.TaskCap = 10
		src, err := FirstNode(a)
		if err != nil {
			t.Fatal(err)
		}
		lines := codeLines(src)
		for _, call := range []string{"Invoke-OctopusServer -Command 'path'", "Invoke-OctopusServer -Command 'node'"} {
			at := findLines(lines, call)
			if len(at) != 1 {
				t.Errorf("%s: %s %d times, want once", name, call, len(at))
				continue
			}
			chain := branchChain(lines, blockHeader(lines, at[0]))
			if strings.Join(chain, "|") != "if ($clusterReady -and -not $ReapplyClusterSettings) {|else {" {
				t.Errorf("%s: %s runs under %q, want only on the first run or with -ReapplyClusterSettings", name, call, chain)
			}
		}
		if findLine(lines, 0, "[switch] $ReapplyClusterSettings") < 0 || !strings.Contains(string(src), ".PARAMETER ReapplyClusterSettings") {
			t.Errorf("%s: no documented -ReapplyClusterSettings switch", name)
		}
	}
}

// TestRebuildScript: the first node's own join script rebuilds it, and
// the first node's help and its stop on a rebuilt machine name it.
func TestRebuildScript(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		a := examples[name]
		file := RebuildScriptName(a.Nodes[0].Name)
		src, err := RebuildNode(a)
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		for _, want := range []string{"Rebuilds node " + a.Nodes[0].Name + ", the first node", `.\` + file + " -MasterKey $key", "$NodeName = '" + a.Nodes[0].Name + "'", "any running node prints it"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: %s lacks %q", name, file, want)
			}
		}
		first, err := FirstNode(a)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(first), "$RebuildScriptFile = '"+file+"'") || !paragraphSays(first, "To rebuild this node", file) {
			t.Errorf("%s: install-first-node.ps1 does not name %s", name, file)
		}
		join, err := JoinNode(a, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !paragraphSays(join, "To rebuild this node on a fresh machine later, run this script there") {
			t.Errorf("%s: the join script does not say it rebuilds its node", name)
		}
	}
}

// TestSQLRightsInHelp: with Windows authentication the commands connect as
// the admin running the script; the help says what that admin needs
// (dbcreator to create the database, db_owner of one the DBA made), and who
// gets db_owner through --grant. With SQL authentication it names the
// login and what it needs.
func TestSQLRightsInHelp(t *testing.T) {
	for _, s := range nodeScripts(t) {
		sqlAuth := strings.Contains(string(s.Content), "$SqlUser = ")
		create := strings.Contains(s.Name, "create=true")
		localSystem := !strings.Contains(string(s.Content), "$ServiceAccount = ")
		var says []string
		switch {
		case sqlAuth && isFirstNode(s) && create:
			says = []string{"connect as the SQL login", "dbcreator"}
		case sqlAuth && isFirstNode(s):
			says = []string{"connect as the SQL login", "db_owner of database"}
		case sqlAuth:
			says = []string{"connect as the SQL login"}
		case isFirstNode(s) && create:
			says = []string{"connect as you, the admin running this script", "dbcreator", "db_owner of the database with database --grant"}
		case isFirstNode(s):
			says = []string{"connect as you, the admin running this script", "You need db_owner of database", "db_owner of the database with database --grant"}
		default:
			says = []string{"connect as you, the admin running this script", "you need db_owner of database", "database --grant"}
		}
		if !sqlAuth && localSystem {
			says = append(says, "computer account")
		}
		if !paragraphSays(s.Content, "SQL Server rights.", says...) {
			t.Errorf("%s: the help's SQL Server rights do not say %q", s.Name, says)
		}
	}
}
