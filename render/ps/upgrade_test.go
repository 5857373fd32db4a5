package ps

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
	"github.com/octoha/octoha/steps"
)

// upgradeTarget is the version the upgrade tests move every example to:
// newer than any example names.
const upgradeTarget = "2026.5.1000"

// upgraded is a moved to upgradeTarget.
func upgraded(t testing.TB, a steps.Answers) steps.Answers {
	t.Helper()
	to, err := steps.ParseOctopusVersion(upgradeTarget)
	if err != nil {
		t.Fatal(err)
	}
	after, err := a.UpgradeTo(to)
	if err != nil {
		t.Fatal(err)
	}
	return after
}

// upgradeScripts renders every upgrade script for a.
func upgradeScripts(t testing.TB, a steps.Answers) []script {
	t.Helper()
	after := upgraded(t, a)
	var out []script
	add := func(name string, content []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, script{name, content})
	}
	content, err := UpgradePreflight(a, after)
	add(UpgradePreflightScript, content, err)
	for i, n := range a.Nodes {
		content, err := UpgradeStop(a, after, i)
		add(UpgradeStopScriptName(n.Name), content, err)
		content, err = UpgradeInstall(a, after, i)
		add(UpgradeInstallScriptName(n.Name), content, err)
	}
	content, err = UpgradeFinish(a, after)
	add(UpgradeFinishScript, content, err)
	return out
}

// TestUpgradeGolden compares the upgrade scripts of every example with
// testdata/upgrade/<example>/; -update rewrites them.
func TestUpgradeGolden(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "upgrade", name)
			if *update {
				os.RemoveAll(dir)
				os.MkdirAll(dir, 0o755)
			}
			for _, s := range upgradeScripts(t, examples[name]) {
				path := filepath.Join(dir, s.Name)
				if *update {
					if err := os.WriteFile(path, s.Content, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./render/ps -update to create it)", err)
				}
				if !bytes.Equal(s.Content, want) {
					t.Errorf("%s differs from its golden file; run go test ./render/ps -update and read the diff", path)
				}
			}
		})
	}
}

// TestUpgradeScriptsParseAndFollowConventions holds the upgrade scripts to
// the grammar and to the conventions of every other script.
func TestUpgradeScriptsParseAndFollowConventions(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		for _, s := range upgradeScripts(t, examples[name]) {
			where := name + "/" + s.Name
			if errs := psparse.Errors(s.Content); len(errs) > 0 {
				t.Errorf("%s does not parse:\n%s", where, strings.Join(errs, "\n"))
			}
			checkConventions(t, where, s.Content)
		}
	}
}

// TestUpgradeOrderInScripts: only the first node's install script
// upgrades the database, every install script refuses while a node on the
// old version runs before it installs, and a later node's script waits for
// the first node's new version.
func TestUpgradeOrderInScripts(t *testing.T) {
	_, examples := exampleAnswers(t)
	a := examples["4-node-polling-unique-port-nginx"]
	after := upgraded(t, a)
	for i := range a.Nodes {
		b, err := UpgradeInstall(a, after, i)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		install := strings.Index(text, "Start-Process -FilePath $msiexec")
		guard := strings.Index(text, "Assert-OthersStopped -Before 'installing here'")
		if install < 0 || guard < 0 || guard > install {
			t.Errorf("node %d: the install does not come after the check that the other nodes are stopped", i)
		}
		upgrades := strings.Contains(text, "'--upgrade'")
		if upgrades != (i == 0) {
			t.Errorf("node %d: database --upgrade in its script is %v, want %v", i, upgrades, i == 0)
		}
		waitsForFirst := strings.Contains(text, "Get-NodeVersion -Url $FirstNodeUrl")
		if waitsForFirst == (i == 0) {
			t.Errorf("node %d: checks the first node's version: %v", i, waitsForFirst)
		}
	}
}
