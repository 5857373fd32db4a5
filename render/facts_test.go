package render

import (
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/markdown/mdtest"
	"github.com/octoha/octoha/steps"
)

func TestConnectsToSQLAs(t *testing.T) {
	for _, c := range []struct {
		auth, account string
		want          sqlLogin
	}{
		{steps.AuthSQL, `CORP\svc`, sqlLoginUser},
		{steps.AuthSQL, "", sqlLoginUser},
		{steps.AuthWindows, `CORP\svc`, sqlLoginServiceAccount},
		{steps.AuthWindows, `CORP\gmsa$`, sqlLoginServiceAccount},
		{steps.AuthWindows, "", sqlLoginComputerAccount},
	} {
		a := steps.Defaults()
		a.Database.Auth, a.Octopus.ServiceAccount = c.auth, c.account
		if got := connectsToSQLAs(a); got != c.want {
			t.Errorf("auth %s, service account %q: connectsToSQLAs = %d, want %d", c.auth, c.account, got, c.want)
		}
	}
}

// TestChangeChecklistPrintsTheMasterKeyCommand: the add-node checklist
// prints showMasterKeyCommand as a code span an admin copies whole.
func TestChangeChecklistPrintsTheMasterKeyCommand(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx")
	a.Octopus.InstallDir = `D:\Octo pus's`
	want := `& 'D:\Octo pus''s\Octopus.Server.exe' show-master-key --instance 'OctopusServer'`
	if got := showMasterKeyCommand(a); got != want {
		t.Fatalf("showMasterKeyCommand = %q, want %q", got, want)
	}
	grown, err := a.AddNode(steps.Node{Name: "OCTO3", Host: "octo3.corp.local"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := addNodeChecklist(grown, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(mdtest.Code(string(doc)), want) {
		t.Errorf("the add-node checklist has no code span %q:\n%s", want, strings.Join(mdtest.Code(string(doc)), "\n"))
	}
}
