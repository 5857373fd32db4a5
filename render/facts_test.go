package render

import (
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/markdown/mdtest"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// TestChangeChecklistPrintsTheMasterKeyCommand: the add-node checklist
// prints ps.ShowMasterKeyCommand as a code span an admin copies whole.
func TestChangeChecklistPrintsTheMasterKeyCommand(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx")
	a.Octopus.InstallDir = `D:\Octo pus's`
	want := `& 'D:\Octo pus''s\Octopus.Server.exe' show-master-key --instance 'OctopusServer'`
	if got := ps.ShowMasterKeyCommand(a); got != want {
		t.Fatalf("ShowMasterKeyCommand = %q, want %q", got, want)
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
