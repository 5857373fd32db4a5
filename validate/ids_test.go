package validate

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// findingIDs are the ways the sources name a finding's ID: the first
// argument of the constructors, a Probe's or Port's ID, and the field a
// local-folder check reports under.
var findingIDs = []*regexp.Regexp{
	regexp.MustCompile(`(?:\.err|\.warn|errorf|warnf|okf)\(\s*"([^"]+)"`),
	regexp.MustCompile(`\.needs\([^,]+,\s*"([^"]+)"`),
	regexp.MustCompile(`\bID:\s*"([^"]+)"`),
	regexp.MustCompile(`localDir\(\s*"([^"]+)"`),
	regexp.MustCompile(`localDir\(\s*steps\.(Field\w+)`),
}

// fieldConst reads the field path constants of package steps, so that an ID
// written as steps.FieldX is known by its value.
var fieldConst = regexp.MustCompile(`(?m)^\s*(Field\w+)\s*=\s*"([^"]+)"`)

// Every ID the checks and probes report is in IDs, and IDs holds no other:
// a new check that forgets the table, or a table row whose check is gone,
// fails here.
func TestIDsListEveryFindingID(t *testing.T) {
	consts := map[string]string{}
	stepsFiles, _ := filepath.Glob(filepath.Join("..", "steps", "*.go"))
	for _, p := range stepsFiles {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fieldConst.FindAllStringSubmatch(string(src), -1) {
			consts[m[1]] = m[2]
		}
	}
	if len(consts) == 0 {
		t.Fatal("no field path constants found in ../steps")
	}
	used := map[string]bool{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		src, err := os.ReadFile(p)
		for _, re := range findingIDs {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if v, ok := consts[m[1]]; ok {
					used[v] = true
					continue
				}
				used[m[1]] = true
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(IDs) {
		t.Error("IDs is not sorted")
	}
	for id := range used {
		if !KnownID(id) {
			t.Errorf("%q is reported but not in IDs", id)
		}
	}
	for _, id := range IDs {
		if !used[id] {
			t.Errorf("%q is in IDs but no check reports it", id)
		}
	}
	if got := SimilarIDs("dns.hots"); !slices.Equal(got, []string{"dns.host"}) {
		t.Errorf("SimilarIDs(dns.hots) = %v", got)
	}
}
