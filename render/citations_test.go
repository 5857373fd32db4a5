package render

import (
	"regexp"
	"strings"
	"testing"
)

// openableDocs are the Octopus documentation pages the emitted files may
// cite, each checked to exist at octopus.com. A URL not in this table (a
// typo, a guessed path) fails TestEmittedFilesCiteOpenablePages.
var openableDocs = map[string]bool{
	"https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line":                                        true,
	"https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/admin":                                  true,
	"https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/configure":                              true,
	"https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/create-instance":                        true,
	"https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/database":                               true,
	"https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node":                                   true,
	"https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/path":                                   true,
	"https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/service":                                true,
	"https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line":                                              true,
	"https://octopus.com/docs/installation/automating-installation":                                                    true,
	"https://octopus.com/docs/installation/sql-server-database":                                                        true,
	"https://octopus.com/docs/installation/load-balancers":                                                             true,
	"https://octopus.com/docs/installation/load-balancers/use-iis-as-reverse-proxy":                                    true,
	"https://octopus.com/docs/installation/load-balancers/use-nginx-as-reverse-proxy":                                  true,
	"https://octopus.com/docs/administration/high-availability":                                                        true,
	"https://octopus.com/docs/administration/high-availability/how-high-availability-works":                            true,
	"https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha":                              true,
	"https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha/multi-node-polling-tentacles": true,
	"https://octopus.com/docs/infrastructure/deployment-targets/tentacle/tentacle-communication":                       true,
	"https://octopus.com/docs/infrastructure/deployment-targets/kubernetes/kubernetes-agent/ha-cluster-support":        true,
	"https://octopus.com/docs/infrastructure/deployment-targets/tentacle/windows/automating-tentacle-installation":     true,
}

var docsURL = regexp.MustCompile(`https://octopus\.com/docs/[^\s)>\]'"` + "`" + `,;]*`)

// TestEmittedFilesCiteOpenablePages holds that every file octoha writes, for
// every example and every add-node and remove-node change, cites what an
// admin can open: no section of octoha's own notes, and only Octopus docs
// pages from openableDocs.
func TestEmittedFilesCiteOpenablePages(t *testing.T) {
	type emitted struct {
		from string
		File
	}
	var all []emitted
	for _, name := range exampleNames(t) {
		files, err := All(loadExample(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range files {
			all = append(all, emitted{name, f})
		}
	}
	for _, c := range changeCases {
		files, _ := c.render(t)
		for _, f := range files {
			all = append(all, emitted{c.name, f})
		}
	}
	cited := map[string]bool{}
	for _, f := range all {
		text := string(f.Content)
		lower := strings.ToLower(text)
		for _, bad := range []string{"reference §", "docs/octopus-facts.md", "§", "octopus-ha.md", "octoha's reference"} {
			if strings.Contains(lower, bad) {
				t.Errorf("%s %s says %q: cite the Octopus docs page or source file instead", f.from, f.Path, bad)
			}
		}
		for _, u := range docsURL.FindAllString(text, -1) {
			u = strings.TrimRight(u, ".:")
			cited[u] = true
			if !openableDocs[u] {
				t.Errorf("%s %s cites %s, which is not in openableDocs", f.from, f.Path, u)
			}
		}
	}
	if len(cited) < 10 {
		t.Errorf("only %d Octopus docs pages cited across every emitted file", len(cited))
	}
}
