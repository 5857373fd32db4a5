package render

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// upgradeTarget is the version the upgrade tests move every example to.
const upgradeTarget = "2026.5.1000"

func upgradeOf(t *testing.T, name string) (before, after steps.Answers) {
	t.Helper()
	before = loadExample(t, name)
	to, err := steps.ParseOctopusVersion(upgradeTarget)
	if err != nil {
		t.Fatal(err)
	}
	after, err = before.UpgradeTo(to)
	if err != nil {
		t.Fatal(err)
	}
	return before, after
}

// TestUpgradeGolden renders the upgrade runbook of every example and
// compares UPGRADE.md with testdata/upgrade/<example>/ (the scripts'
// goldens are render/ps's); -update rewrites them.
func TestUpgradeGolden(t *testing.T) {
	for _, name := range exampleNames(t) {
		t.Run(name, func(t *testing.T) {
			before, after := upgradeOf(t, name)
			if fs := validate.Check(after); fs.HasErrors() {
				t.Fatalf("the upgraded answers do not validate: %v", fs)
			}
			files, err := UpgradeFiles(before, after)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{ps.UpgradePreflightScript}
			for _, n := range before.Nodes {
				want = append(want, ps.UpgradeStopScriptName(n.Name))
			}
			for _, n := range before.Nodes {
				want = append(want, ps.UpgradeInstallScriptName(n.Name))
			}
			want = append(want, ps.UpgradeFinishScript, UpgradeFile)
			if got := paths(files); !reflect.DeepEqual(got, want) {
				t.Errorf("files %v, want %v", got, want)
			}
			runbook := files[len(files)-1].Content
			golden := filepath.Join("testdata", "upgrade", name, UpgradeFile)
			testkit.Golden(t, golden, runbook)
		})
	}
}

// TestUpgradeRunbookOrder: UPGRADE.md names every script once, in the
// order the upgrade guide runs them, and cites the guide.
func TestUpgradeRunbookOrder(t *testing.T) {
	before, after := upgradeOf(t, "4-node-polling-unique-port-nginx")
	b, err := upgradeRunbook(before, after)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	order := []string{ps.UpgradePreflightScript}
	for _, n := range before.Nodes {
		order = append(order, ps.UpgradeStopScriptName(n.Name))
	}
	for _, n := range before.Nodes {
		order = append(order, ps.UpgradeInstallScriptName(n.Name))
	}
	order = append(order, "Test the cluster", ps.UpgradeFinishScript+" -ApiKey")
	at := 0
	for _, s := range order {
		i := strings.Index(text[at:], s)
		if i < 0 {
			t.Fatalf("UPGRADE.md lacks %q after byte %d", s, at)
		}
		at += i + len(s)
	}
	for _, s := range []string{docs.UpgradeHA, docs.Automate, "-ConfirmBackup", "[INFER"} {
		if !strings.Contains(text, s) {
			t.Errorf("UPGRADE.md lacks %q", s)
		}
	}
}

// TestUpgradeRunbookGates: the runbook says what the new version adds
// among the gated features, and warns when it lacks the database
// upgrade's own guard against running nodes.
func TestUpgradeRunbookGates(t *testing.T) {
	before := loadExample(t, "3-node-polling-unique-address-haproxy")
	for _, c := range []struct {
		from, to string
		says     []string
		not      []string
	}{
		{"2025.4", "2026.4.6909", []string{"multi-node polling through Redis (2026.4.6909)"}, []string{"**No guard"}},
		{"2021.1", "2023.1", []string{"**No guard in Octopus itself", "sharing permission changes between nodes at once (2021.3.8908)"}, nil},
		{"2025.4", "2025.4.9999", nil, []string{"**What ", "**No guard"}},
	} {
		b4 := before
		b4.Octopus.Version = steps.VersionText(c.from)
		to, _ := steps.ParseOctopusVersion(c.to)
		after, err := b4.UpgradeTo(to)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := upgradeRunbook(b4, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range c.says {
			if !bytes.Contains(doc, []byte(s)) {
				t.Errorf("%s to %s: UPGRADE.md lacks %q", c.from, c.to, s)
			}
		}
		for _, s := range c.not {
			if bytes.Contains(doc, []byte(s)) {
				t.Errorf("%s to %s: UPGRADE.md says %q", c.from, c.to, s)
			}
		}
	}
}
