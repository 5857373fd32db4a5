package validate

import (
	"fmt"
	"strconv"
	"strings"
)

// OctopusVersion is a dotted Octopus Server version such as 2026.4.6909.
// Missing parts count as 0, so "2026.4" is older than "2026.4.6909": a
// feature gated on a build needs that build named.
type OctopusVersion []int

// ParseOctopusVersion reads "2025.4" or "2026.4.6909".
func ParseOctopusVersion(s string) (OctopusVersion, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 4 {
		return nil, fmt.Errorf("%q is not an Octopus version such as 2025.4 or 2026.4.6909", s)
	}
	v := make(OctopusVersion, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not an Octopus version such as 2025.4 or 2026.4.6909", s)
		}
		v[i] = n
	}
	return v, nil
}

func mustVersion(s string) OctopusVersion {
	v, err := ParseOctopusVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// AtLeast reports whether v is min or newer.
func (v OctopusVersion) AtLeast(min OctopusVersion) bool {
	for i := 0; i < max(len(v), len(min)); i++ {
		a, b := part(v, i), part(min, i)
		if a != b {
			return a > b
		}
	}
	return true
}

func part(v OctopusVersion, i int) int {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// Octopus versions that features need (../shared/reference/octopus-ha.md).
var (
	// §3.2: path --clusterShared.
	versionClusterShared = mustVersion("2020.2.15")
	// §3.2: path --imports.
	versionImports = mustVersion("2021.1")
	// §3.2: path --eventExports.
	versionEventExports = mustVersion("2023.3")
	// §5.2: the per-node permission cache was fixed; persistence is no
	// longer needed.
	versionNoAffinityNeeded = mustVersion("2021.3.8908")
	// §6.5: multi-node polling through Redis.
	versionRedisPolling = mustVersion("2026.4.6909")
)
