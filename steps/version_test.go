package steps

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestOctopusVersionOrder(t *testing.T) {
	for _, c := range []struct {
		v, w string
		want int
	}{
		{"2026.4.6909", "2026.4.6909", 0},
		{"2026.4", "2026.4.6909", -1},
		{"2026.4.0", "2026.4", 0},
		{"2026.5", "2026.4.6909", 1},
		{"2025.10", "2025.4", 1},
		{"2021.3.8907", "2021.3.8908", -1},
		{"2027.1", "2026.4.6909", 1},
	} {
		v, err := ParseOctopusVersion(c.v)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := ParseOctopusVersion(c.w)
		if got := v.Compare(w); got != c.want {
			t.Errorf("%s.Compare(%s) = %d, want %d", c.v, c.w, got, c.want)
		}
		if got := v.AtLeast(w); got != (c.want >= 0) {
			t.Errorf("%s.AtLeast(%s) = %v", c.v, c.w, got)
		}
	}
	for _, bad := range []string{"", "2025", "v2025.4", "2025.x", "2025.4.-1", "1.2.3.4.5"} {
		if _, err := ParseOctopusVersion(bad); err == nil {
			t.Errorf("ParseOctopusVersion(%q) gave no error", bad)
		}
	}
}

func TestVersionNames(t *testing.T) {
	for _, c := range []struct {
		answer, installed string
		want              bool
	}{
		{"2025.4", "2025.4.1234", true},
		{"2025.4.1234", "2025.4.1234", true},
		{"2025.4.1234", "2025.4.1234.0", true},
		{" 2025.4 ", "2025.4.1234", true},
		{"2025.4", "2025.40.1", false},
		{"2025.4.1234", "2025.4", false},
		{"2025.4", "2025.5.1", false},
		{"", "2025.4.1", false},
	} {
		if got := VersionNames(c.answer, c.installed); got != c.want {
			t.Errorf("VersionNames(%q, %q) = %v, want %v", c.answer, c.installed, got, c.want)
		}
	}
}

func TestFeatures(t *testing.T) {
	a := Defaults()
	for _, f := range []Feature{ClusterShared, Imports, EventExports, NoAffinityNeeded, DrainWaitFix, AgentWizardNodeURLs, RedisPolling} {
		if !a.Has(f) {
			t.Errorf("the default version %s lacks %s (%s)", a.Octopus.Version, f.What, f.Since)
		}
	}
	a.Octopus.Version = "2021.3.8907"
	if a.Has(NoAffinityNeeded) || !a.Has(Imports) || a.Has(EventExports) {
		t.Errorf("2021.3.8907: no-affinity %v, imports %v, event exports %v", a.Has(NoAffinityNeeded), a.Has(Imports), a.Has(EventExports))
	}
	a.Octopus.Version = "not a version"
	if !a.Has(RedisPolling) {
		t.Error("a version that does not parse should count as current")
	}
	if DefaultOctopusVersion != VersionText(RedisPolling.Since.String()) {
		t.Errorf("the default %s is not the first build with Redis polling", DefaultOctopusVersion)
	}
}

// TestVersionLiteralsLiveHere: an Octopus version (a 20xx.y build) is
// written only in this package's feature table; everything else asks it.
// No Go file spells one as a literal, and the text octoha emits (the
// scripts and balancer configs, comments included, and the Markdown and
// values render/ writes from Go) names none either: those take the
// table's versions as values. Tests and docs may still name them. A Go
// file's strings are read through the Go parser, so a version inside a
// longer message ("Redis (Octopus 2026.4.6909 and later)") counts too,
// and a comment never does.
func TestVersionLiteralsLiveHere(t *testing.T) {
	root, files := gitFiles(t, "*.go", "render/ps/scripts/*.ps1", "render/lb/templates/*")
	goLiteral := regexp.MustCompile(`"20[0-9]{2}\.[0-9]+(\.[0-9]+)?"|\b20[0-9]{2}, [0-9]+(, [0-9]+)?\)`)
	anyVersion := regexp.MustCompile(`\b20[0-9]{2}\.[0-9]+\b`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "steps/version.go" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		isGo := strings.HasSuffix(f, ".go")
		pattern := goLiteral
		if !isGo || strings.HasPrefix(f, "render/") {
			pattern = anyVersion
		}
		for i, line := range strings.Split(string(b), "\n") {
			if isGo && strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if pattern.MatchString(line) {
				t.Errorf("%s:%d writes an Octopus version; add it to steps/version.go's feature table and take it from there: %s", f, i+1, strings.TrimSpace(line))
			}
		}
		if isGo {
			for _, at := range literalsMatching(t, f, b, anyVersion) {
				t.Errorf("%s writes an Octopus version in a string; take it from steps/version.go's feature table", at)
			}
		}
	}
}

// literalsMatching finds a version inside a longer string, in a raw
// string and in a number, and none in a comment.
func TestLiteralsMatching(t *testing.T) {
	src := "package p\n\n// fixed in 2021.3.8908\nvar a = \"Redis (Octopus 2026.4.6909 and later)\"\nvar b = 2021.3 // 2021.3\nvar c = `e.g. 2025.4`\n"
	got := literalsMatching(t, "p.go", []byte(src), regexp.MustCompile(`\b20[0-9]{2}\.[0-9]+\b`))
	if len(got) != 3 || !strings.HasPrefix(got[0], "p.go:4:") || !strings.HasPrefix(got[1], "p.go:5:") || !strings.HasPrefix(got[2], "p.go:6:") {
		t.Errorf("literalsMatching = %q, want the literals on lines 4, 5 and 6", got)
	}
}

// gitFiles lists the checkout's files that match the git pathspecs, and
// the checkout's root; it skips the test outside a git checkout.
func gitFiles(t *testing.T, pathspecs ...string) (root string, files []string) {
	t.Helper()
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	root = strings.TrimSpace(string(top))
	out, err := exec.Command("git", append([]string{"-C", root, "ls-files", "--"}, pathspecs...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	return root, strings.Fields(string(out))
}

// TestUpgradeTo: only a newer version is an upgrade; the answers keep
// everything else.
func TestUpgradeTo(t *testing.T) {
	a := Answers{Octopus: Octopus{Version: "2025.4"}}
	for _, to := range []string{"2025.4", "2025.4.0", "2025.3.9999", "2024.1"} {
		v, err := ParseOctopusVersion(to)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.UpgradeTo(v)
		var refused *UpgradeRefused
		if !errors.As(err, &refused) {
			t.Errorf("UpgradeTo(%s) from 2025.4: %v, want UpgradeRefused", to, err)
		}
	}
	v, _ := ParseOctopusVersion("2026.4.6909")
	up, err := a.UpgradeTo(v)
	if err != nil || up.Octopus.Version != "2026.4.6909" || a.Octopus.Version != "2025.4" {
		t.Errorf("UpgradeTo(2026.4.6909) = %q, %v; the original says %q", up.Octopus.Version, err, a.Octopus.Version)
	}
	if _, err := (Answers{Octopus: Octopus{Version: "x"}}).UpgradeTo(v); err == nil {
		t.Error("an unparsable current version was upgraded")
	}
}

// TestFeaturesGained lists what an upgrade brings, and Features lists
// every gated feature.
func TestFeaturesGained(t *testing.T) {
	from, _ := ParseOctopusVersion("2025.4")
	to, _ := ParseOctopusVersion("2026.4.6909")
	got := FeaturesGained(from, to)
	if len(got) != 1 || got[0].What != RedisPolling.What {
		t.Errorf("FeaturesGained(2025.4, 2026.4.6909) = %v, want Redis polling only", got)
	}
	if n := len(FeaturesGained(OctopusVersion{2020}, to)); n != len(Features) {
		t.Errorf("from 2020 every one of the %d features is gained, got %d", len(Features), n)
	}
}
