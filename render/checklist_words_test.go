package render

import (
	"strings"
	"testing"
)

// The DNS section names each name once: a polling address left empty is
// the public name, listed already.
func TestChecklistDNSNamesThePublicNameOnce(t *testing.T) {
	a := loadExample(t, "4-node-polling-unique-port-nginx")
	a.Tentacles.PollingAddress = ""
	md, err := Checklist(a)
	if err != nil {
		t.Fatal(err)
	}
	dns := section(string(md), "## 2. DNS")
	if n := strings.Count(dns, "`"+a.PublicHost()+"`"); n != 1 {
		t.Errorf("the DNS section names %s %d times:\n%s", a.PublicHost(), n, dns)
	}
}

// Removing a node whose service runs as a domain account leaves the
// share's permissions alone: the other nodes use that account.
func TestRemoveNodeChecklistSpeaksOfTheServiceAccount(t *testing.T) {
	before := loadExample(t, "4-node-polling-unique-port-nginx")
	shrunk := before
	shrunk.Nodes = append(before.Nodes[:3:3], before.Nodes[4:]...)
	files, err := RemoveNodeFiles(before, 3, shrunk)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".md") {
			continue
		}
		if s := string(f.Content); strings.Contains(s, "computer account from the share") || !strings.Contains(s, "no change; the nodes reach the share as") {
			t.Errorf("%s speaks of the node's computer account though the service runs as %s", f.Path, before.Octopus.ServiceAccount)
		}
	}
}

// section is the text from heading to the next "## ".
func section(md, heading string) string {
	i := strings.Index(md, heading)
	if i < 0 {
		return ""
	}
	rest := md[i+len(heading):]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
