package lb

import (
	"regexp"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
)

func TestSpliceRegionsAndLines(t *testing.T) {
	f := newFilling()
	f.region("on", true)
	f.region("off", false)
	f.num("Port", 443)
	f.setLines("Servers", []string{"server a;", "server b;"})
	f.setLines("None", nil)
	file := "a\n#region on\n  listen @Port@;\n#region off\nx\n#endregion off\n#endregion on\n#region !off\n    @Servers@\n    @None@\n#endregion !off\nz\n"
	got, err := splice(file, f)
	want := "a\n  listen 443;\n    server a;\n    server b;\nz\n"
	if err != nil || string(got) != want {
		t.Errorf("splice = %q, %v; want %q", got, err, want)
	}
	for file, msg := range map[string]string{
		"@Missing@\n":                           "@Missing@ is not set",
		"#region unknown\n#endregion unknown\n": `region "unknown" is not set`,
		"#region on\n":                          "region on is not closed",
		"#endregion on\n":                       "closes no open region",
		"#region on\n#endregion off\n":          "closes no open region",
	} {
		if _, err := splice(file, f); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("splice(%q) = %v, want an error with %q", file, err, msg)
		}
	}
}

var regionLine = regexp.MustCompile(`(?m)^\s*#region !?(\S+)$`)

// TestConfigFilesAndFillingsAgree holds each configuration file and the Go
// that fills it to the same names: every placeholder and region the file
// reads is set for some answers file, every name Go sets is read by the
// file, and every region is both kept and dropped by some answers file.
func TestConfigFilesAndFillingsAgree(t *testing.T) {
	for _, c := range []struct {
		name, file string
		fill       func(view) *filling
	}{{"nginx.conf", nginxFile, nginxFilling}, {"haproxy.cfg", haproxyFile, haproxyFilling}} {
		read := map[string]bool{}
		for _, m := range placeholder.FindAllStringSubmatch(c.file, -1) {
			read[m[1]] = true
		}
		regions := map[string]bool{}
		for _, m := range regionLine.FindAllStringSubmatch(c.file, -1) {
			regions[m[1]] = true
		}
		set := map[string]bool{}
		seen := map[string]map[bool]bool{}
		for _, path := range answerFiles(t) {
			v, err := newView(testkit.Load(t, path))
			if err != nil {
				t.Fatal(err)
			}
			f := c.fill(v)
			for k := range f.values {
				set[k] = true
			}
			for k := range f.lines {
				set[k] = true
			}
			for k, on := range f.regions {
				if seen[k] == nil {
					seen[k] = map[bool]bool{}
				}
				seen[k][on] = true
			}
		}
		for k := range read {
			if !set[k] {
				t.Errorf("%s reads @%s@, which no answers file sets", c.name, k)
			}
		}
		for k := range set {
			if !read[k] {
				t.Errorf("%s: Go sets %s, which the file never reads", c.name, k)
			}
		}
		for k := range regions {
			if !seen[k][true] || !seen[k][false] {
				t.Errorf("%s: region %s is kept %t and dropped %t over the answers files; add an answers file for the other", c.name, k, seen[k][true], seen[k][false])
			}
		}
		for k := range seen {
			if !regions[k] {
				t.Errorf("%s: Go switches region %s, which the file does not have", c.name, k)
			}
		}
		if len(read) < 20 || len(regions) < 10 {
			t.Errorf("%s: only %d placeholders and %d regions found; the scan is broken", c.name, len(read), len(regions))
		}
	}
}
