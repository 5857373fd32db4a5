package steps

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// OctopusVersion is a dotted Octopus Server version such as 2026.4.6909.
// Missing parts count as 0, so "2026.4" is older than "2026.4.6909": a
// feature gated on a build needs that build named.
type OctopusVersion []int

// ParseOctopusVersion reads "2025.4" or "2026.4.6909" (two to four parts).
func ParseOctopusVersion(s string) (OctopusVersion, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	bad := fmt.Errorf("%q is not an Octopus version such as 2025.4 or 2026.4.6909", s)
	if len(parts) < 2 || len(parts) > 4 {
		return nil, bad
	}
	v := make(OctopusVersion, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, bad
		}
		v[i] = n
	}
	return v, nil
}

// OctopusVersion reads octopus.version; ok is false when it does not parse.
func (a *Answers) OctopusVersion() (v OctopusVersion, ok bool) {
	v, err := ParseOctopusVersion(string(a.Octopus.Version))
	return v, err == nil
}

// Compare is -1, 0 or +1 as v is older than, the same as, or newer than w.
func (v OctopusVersion) Compare(w OctopusVersion) int {
	for i := range max(len(v), len(w)) {
		if c := cmp.Compare(part(v, i), part(w, i)); c != 0 {
			return c
		}
	}
	return 0
}

// AtLeast reports whether v is min or newer.
func (v OctopusVersion) AtLeast(min OctopusVersion) bool { return v.Compare(min) >= 0 }

func part(v OctopusVersion, i int) int {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// String prints the version as it was parsed: 2021.3.8908.
func (v OctopusVersion) String() string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// VersionNames reports whether an installed Octopus build is the version
// the answers name: the same dotted parts as far as the answer goes, so
// "2025.4" names 2025.4.1234 and "2025.4.1234" names 2025.4.1234.0. The
// node scripts check the installed Octopus.Server.exe by the same rule
// (common.ps1.tmpl: ($installed + '.').StartsWith($OctopusVersion + '.')),
// and the live check compares each node's /api version by it.
func VersionNames(answer, installed string) bool {
	answer, installed = strings.TrimSpace(answer), strings.TrimSpace(installed)
	return answer != "" && strings.HasPrefix(installed+".", answer+".")
}

// Feature is something octoha writes only for Octopus builds that have it
// (or, for a fix, that need a workaround without it).
type Feature struct {
	// What names it in a finding: "path --imports".
	What string
	// Since is the first build that has it.
	Since OctopusVersion
}

// In reports whether Octopus v has the feature.
func (f Feature) In(v OctopusVersion) bool { return v.AtLeast(f.Since) }

// The Octopus versions octoha gates on (docs/octopus-facts.md),
// the one place each version is written.
var (
	// ClusterShared: path --clusterShared (docs/octopus-facts.md §3.2).
	ClusterShared = feature("path --clusterShared", 2020, 2, 15)
	// Imports: path --imports (docs/octopus-facts.md §3.2).
	Imports = feature("path --imports", 2021, 1)
	// EventExports: path --eventExports (docs/octopus-facts.md §3.2).
	EventExports = feature("path --eventExports", 2023, 3)
	// NoAffinityNeeded: nodes share user and permission changes at once, so
	// session persistence is no longer needed (docs/octopus-facts.md §5.2,
	// OctopusDeploy/Issues#7212).
	NoAffinityNeeded = feature("sharing permission changes between nodes at once", 2021, 3, 8908)
	// DrainWaitFix: `node --drain --wait` honours waits over five minutes
	// (docs/octopus-facts.md §2.4, OctopusDeploy/Issues#9561).
	DrainWaitFix = feature("drain waits over five minutes", 2025, 3, 10568)
	// AgentWizardNodeURLs: the Add Kubernetes agent wizard asks for each
	// node's URL (FACTS.md, Kubernetes agents in HA).
	AgentWizardNodeURLs = feature("each node's URL in the Kubernetes agent wizard", 2024, 3)
	// RedisPolling: multi-node polling through Redis (docs/octopus-facts.md §6.5).
	RedisPolling = feature("multi-node polling through Redis", 2026, 4, 6909)
	// UpgradeGuard: database --upgrade aborts while other nodes still run
	// (the HA part of https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases).
	UpgradeGuard = feature("database --upgrade aborting while other nodes run", 2023, 2, 9755)
)

// Features is every feature above, oldest first.
var Features = []Feature{ClusterShared, Imports, EventExports, NoAffinityNeeded, DrainWaitFix, UpgradeGuard, RedisPolling}

// FeaturesGained are the features Octopus to has and from lacks, oldest
// first: what an upgrade from from to to brings.
func FeaturesGained(from, to OctopusVersion) []Feature {
	var gained []Feature
	for _, f := range Features {
		if f.In(to) && !f.In(from) {
			gained = append(gained, f)
		}
	}
	return gained
}

// UpgradeRefused is an upgrade to a version that is not newer than the one
// the answers name.
type UpgradeRefused struct {
	From, To OctopusVersion
}

func (e *UpgradeRefused) Error() string {
	if e.To.Compare(e.From) == 0 {
		return fmt.Sprintf("the cluster already runs Octopus %s (octopus.version); an upgrade needs a newer version", e.From)
	}
	return fmt.Sprintf("Octopus %s is older than %s, which the cluster runs (octopus.version): Octopus cannot be downgraded in place; restore the database backup taken before the upgrade instead", e.To, e.From)
}

// UpgradeTo is the answers with octopus.version set to to, which must be
// newer than the version they name. The version gates of the result are
// validate's to check, as for any answers.
func (a Answers) UpgradeTo(to OctopusVersion) (Answers, error) {
	from, ok := a.OctopusVersion()
	if !ok {
		return Answers{}, fmt.Errorf("octopus.version %q is not a version, so there is nothing to upgrade from; fix it in the answers first", a.Octopus.Version)
	}
	if to.Compare(from) <= 0 {
		return Answers{}, &UpgradeRefused{From: from, To: to}
	}
	up := a
	up.Octopus.Version = VersionText(to.String())
	return up, nil
}

func feature(what string, since ...int) Feature { return Feature{What: what, Since: since} }

// Has reports whether the answers' Octopus version has the feature. A
// version that does not parse counts as having it: the default is a
// current build, and validation reports a bad version on its own.
func (a *Answers) Has(f Feature) bool {
	v, ok := a.OctopusVersion()
	return !ok || f.In(v)
}
