package render

import (
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// TestChecklistSaysWhoNeedsWhichRights: with Windows authentication the
// scripts' commands connect as the admin who runs them, so the checklist
// says what that admin needs on SQL Server (dbcreator to create the
// database, db_owner of one the DBA made or to join), who gets db_owner
// through database --grant, and with SQL authentication what the login
// needs; and who needs which access to the share's root: write for the
// first node's admin (the marker), read for the joining admins.
func TestChecklistSaysWhoNeedsWhichRights(t *testing.T) {
	for _, c := range []struct {
		auth    string
		account string
		create  bool
		want    []string
	}{
		{steps.AuthWindows, `CORP\svc`, true, []string{"connect as the admin who runs them", "Whoever runs `install-first-node.ps1` needs the right to create databases", "dbcreator", "whoever runs a join script needs **db_owner**", "The service account `CORP\\svc` gets **db_owner** through `database --grant` on the first node's run"}},
		{steps.AuthWindows, `CORP\svc`, false, []string{"connect as the admin who runs them", "Whoever runs `install-first-node.ps1` or a join script needs **db_owner** of the database", "`database --upgrade`", "The service account `CORP\\svc` gets **db_owner** through `database --grant`"}},
		{steps.AuthWindows, "", true, []string{"dbcreator", "Each node's computer account (`DOMAIN\\NODE$`", "through `database --grant` in that node's own script"}},
		{steps.AuthSQL, "", true, []string{"connect as the SQL login `octopus`", "dbcreator", "owns the database it creates"}},
		{steps.AuthSQL, "", false, []string{"connect as the SQL login `octopus`", "make it **db_owner** of the database"}},
	} {
		a := loadExample(t, "2-node-listening-nginx")
		a.Database.Auth, a.Database.User, a.Octopus.ServiceAccount, a.Database.Create = c.auth, "octopus", c.account, c.create
		got, err := Checklist(a)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(got)), " ")
		want := append(c.want,
			"Whoever runs `install-first-node.ps1` needs **write** access to `"+a.Storage.Root+"`",
			"Whoever runs a join script needs **read** access to it",
			"`.\\rebuild-node-OCTO1.ps1` for the first node, OCTO1; `.\\join-node-OCTO2.ps1` for OCTO2.",
			"with `-ReapplyClusterSettings` it sends the answers' values again")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("auth %s, account %q, create %v: the checklist does not say %q", c.auth, c.account, c.create, w)
			}
		}
		if c.auth == steps.AuthSQL && strings.Contains(text, "--grant") {
			t.Errorf("SQL authentication: the checklist speaks of --grant, which no script sends then")
		}
	}
}

// TestAddNodeChecklistSaysJoinRights: the joining admin needs db_owner
// (Windows authentication) and read access to the share; with Local System
// the join script grants the node's computer account.
func TestAddNodeChecklistSaysJoinRights(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx")
	a.Octopus.ServiceAccount = ""
	grown, err := a.AddNode(steps.Node{Name: "OCTO9", Host: "octo9.corp.local"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := AddNodeFiles(grown, len(grown.Nodes)-1)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path != ChecklistFile {
			continue
		}
		text := strings.Join(strings.Fields(string(f.Content)), " ")
		for _, w := range []string{"which the join script makes **db_owner** of `Octopus` through `database --grant`", "you need **db_owner** of `Octopus`", "**read** access to `" + a.Storage.Root + "`"} {
			if !strings.Contains(text, w) {
				t.Errorf("the add-node checklist does not say %q", w)
			}
		}
		return
	}
	t.Fatal("add-node wrote no checklist")
}
