package render

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

func loadExample(t testing.TB, name string) steps.Answers {
	t.Helper()
	return testkit.Example(t, name)
}

func paths(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

func TestAllWritesOneFolderPerCluster(t *testing.T) {
	cases := map[string][]string{
		"2-node-listening-nginx": {"install-first-node.ps1", "join-node-OCTO2.ps1", "register-tentacle.ps1", "nginx/octopus.conf", "CHECKLIST.md",
			"rebuild-node-OCTO1.ps1", "sql/prepare-database.sql", "kubernetes/agent-values.yaml"},
		"3-node-polling-redis-haproxy": {"install-first-node.ps1", "join-node-OCTO2.ps1", "join-node-OCTO3.ps1",
			"register-tentacle.ps1", "haproxy/haproxy.cfg", "CHECKLIST.md", "rebuild-node-OCTO1.ps1",
			"sql/prepare-database.sql", "kubernetes/agent-values.yaml"},
		"3-node-listening-iis-arr": {"install-first-node.ps1", "join-node-OCTO2.ps1", "join-node-OCTO3.ps1",
			"register-tentacle.ps1", "iis-arr/configure-arr.ps1", "CHECKLIST.md", "rebuild-node-OCTO1.ps1",
			"sql/prepare-database.sql", "kubernetes/agent-values.yaml"},
		"2-node-polling-unique-address-external": {"install-first-node.ps1", "join-node-OCTO2.ps1", "register-tentacle.ps1",
			"load-balancer/CONFIGURE.md", "CHECKLIST.md", "rebuild-node-OCTO1.ps1",
			"sql/prepare-database.sql", "kubernetes/agent-values.yaml"},
	}
	for name, want := range cases {
		files, err := All(loadExample(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := paths(files); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: files %v, want %v", name, got, want)
		}
		for _, f := range files {
			if len(f.Content) == 0 {
				t.Errorf("%s: %s is empty", name, f.Path)
			}
		}
	}
}

func TestChecklistGolden(t *testing.T) {
	for _, name := range exampleNames(t) {
		got, err := Checklist(loadExample(t, name))
		if err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, filepath.Join("testdata", "checklist", name+".md"), got)
	}
}

func TestChecklistPerNodeFirewall(t *testing.T) {
	got, err := Checklist(loadExample(t, "4-node-polling-unique-port-nginx"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(got)
	for i := range 4 {
		row := fmt.Sprintf("| OCTO%d (`octo%d.corp.local`) | TCP %d from the load balancer | polling tentacles |", i+1, i+1, 10943+i)
		if !strings.Contains(text, row) {
			t.Errorf("checklist lacks %q", row)
		}
		lb := fmt.Sprintf("| Load balancer | TCP %d from polling tentacles |", 10943+i)
		if !strings.Contains(text, lb) {
			t.Errorf("checklist lacks %q", lb)
		}
	}
	for _, s := range []string{"join-node-OCTO4.ps1", "`octopus-poll.corp.local` resolves", "full control", "db_owner"} {
		if !strings.Contains(text, s) {
			t.Errorf("checklist lacks %q", s)
		}
	}
}

// sixteenNodes is the plan the benchmarks render.
func sixteenNodes(t testing.TB) steps.Answers {
	a := loadExample(t, "4-node-polling-unique-port-nginx")
	a.Nodes = nil
	for i := range 16 {
		a.Nodes = append(a.Nodes, steps.Node{Name: fmt.Sprintf("OCTO%d", i+1), Host: fmt.Sprintf("octo%d.corp.local", i+1)})
	}
	return a
}

func BenchmarkAll16Nodes(b *testing.B) {
	a := sixteenNodes(b)
	for b.Loop() {
		if _, err := All(a); err != nil {
			b.Fatal(err)
		}
	}
}
