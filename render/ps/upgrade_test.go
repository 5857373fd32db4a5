package ps

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
	"github.com/octoha/octoha/internal/testkit"
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
			files := map[string][]byte{}
			for _, s := range upgradeScripts(t, examples[name]) {
				files[s.Name] = s.Content
			}
			testkit.GoldenDir(t, filepath.Join("testdata", "upgrade", name), files)
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

// TestUpgradeScriptsHostile renders the upgrade scripts with a hostile
// value in every string field but the version: each value must sit whole
// in one verbatim literal or in a comment, and the scripts must run the
// commands they run with tame values.
func TestUpgradeScriptsHostile(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		hostile, tame := examples[name], examples[name]
		hostile.Nodes = slices.Clone(hostile.Nodes)
		tame.Nodes = slices.Clone(tame.Nodes)
		count := setStrings(&hostile, hostileValue)
		setStrings(&tame, func(i int) string { return fmt.Sprintf("v%02d", i) })
		hostile.Octopus.Version, tame.Octopus.Version = examples[name].Octopus.Version, examples[name].Octopus.Version
		bad, good := upgradeScripts(t, hostile), upgradeScripts(t, tame)
		seen := map[int]bool{}
		for k, s := range bad {
			where := name + "/" + s.Name
			if errs := psparse.Errors(s.Content); len(errs) > 0 {
				t.Errorf("%s does not parse with hostile answers:\n%s", where, strings.Join(errs, "\n"))
				continue
			}
			if got, want := psparse.Commands(s.Content), psparse.Commands(good[k].Content); !slices.Equal(got, want) {
				t.Errorf("%s runs other commands with hostile answers:\n got %q\nwant %q", where, got, want)
			}
			lits, comments, src := psparse.StringLiterals(s.Content), psparse.Comments(s.Content), string(s.Content)
			for i := 2; i <= count; i++ {
				marker := fmt.Sprintf("H%02dx", i)
				for off := 0; ; {
					j := strings.Index(src[off:], marker)
					if j < 0 {
						break
					}
					at := off + j
					off = at + 1
					if inComment(comments, at) {
						continue
					}
					if lit, ok := literalAt(lits, at); !ok || lit.Kind != psparse.Verbatim || !strings.Contains(lit.Value, hostileValue(i)) {
						t.Errorf("%s: value %d is not one verbatim literal holding it whole: %q", where, i, around(src, at))
						continue
					}
					seen[i] = true
				}
			}
		}
		// The instance, install and home folders, the SQL Server, the
		// database, and each node's name and host reach the upgrade scripts.
		if want := 5 + 2*len(hostile.Nodes); len(seen) < want {
			t.Errorf("%s: only %d hostile values reached an upgrade script literal, want %d; the test lost its grip", name, len(seen), want)
		}
	}
}
