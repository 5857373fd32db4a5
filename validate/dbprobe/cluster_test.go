package dbprobe_test

import (
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/tdsfake"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/dbprobe"
)

// runningCluster is a fake whose nodes table holds rows, probed as check
// probes a running cluster: the answers' nodes are the cluster's own.
func runningCluster(t *testing.T, limit int, rows ...tdsfake.Node) validate.Findings {
	t.Helper()
	cfg := tdsfake.Typical()
	cfg.Databases[0].Nodes = &tdsfake.NodeTable{Rows: rows}
	fake := tdsfake.Start(t, cfg)
	a := answersFor(fake)
	a.LoadBalancer.PublicURL = "https://octopus.corp.local"
	return run(t, fake, a, dbprobe.Options{InstalledNodes: []string{"OCTO1", "OCTO2"}, NodeLimit: limit})
}

func row(name string, age time.Duration) tdsfake.Node {
	return tdsfake.Node{ID: "OctopusServerNodes-" + name, Name: name, LastSeen: time.Now().Add(-age), MaxConcurrentTasks: 5}
}

// A database listing exactly the cluster's live nodes gives no error and
// no stale or unknown row.
func TestRunningClusterExactNodes(t *testing.T) {
	fs := runningCluster(t, 2, row("OCTO1", 30*time.Second), row("octo2", 50*time.Second))
	if fs.HasErrors() {
		t.Fatalf("a cluster whose table lists exactly its nodes gave errors:\n%s", dump(fs))
	}
	for _, field := range []string{"nodes[0].name", "nodes[1].name"} {
		f := fs.For(field)
		if len(f) != 1 || f[0].Severity != validate.OK || !strings.Contains(f[0].Message, "running in this cluster") {
			t.Errorf("%s: want the node's own running row, got %+v", field, f)
		}
	}
	none(t, fs, "db.node-stale")
	none(t, fs, "db.node-unknown")
	if f := want(t, fs, "db.node-limit", validate.Warning); !strings.Contains(f.Message, "exactly the licence's node limit of 2") {
		t.Errorf("two nodes on a two-node licence: %s", f)
	}
}

// A row no answer names, unseen for longer than the threshold, is stale:
// the finding names it and says how to delete it, by page and by API.
func TestRunningClusterStaleRow(t *testing.T) {
	fs := runningCluster(t, 0, row("OCTO1", 30*time.Second), row("OCTO2", 20*time.Second), row("OLD-OCTO", 72*time.Hour))
	f := want(t, fs, "db.node-stale", validate.Warning)
	for _, s := range []string{"OLD-OCTO", "3 days", "Configuration ➜ Nodes", "DELETE https://octopus.corp.local/api/octopusservernodes/OctopusServerNodes-OLD-OCTO", "X-Octopus-ApiKey"} {
		if !strings.Contains(f.Message+" "+f.Fix, s) {
			t.Errorf("the stale finding lacks %q: %s", s, f)
		}
	}
	none(t, fs, "db.node-unknown")
	if f := want(t, fs, "db.node-limit", validate.OK); !strings.Contains(f.Message, "--node-limit") || !strings.Contains(f.Message, "<NodeLimit>") {
		t.Errorf("without a limit the count says where the limit comes from: %s", f)
	}

	// Under a longer threshold the same row is offline, not stale.
	cfg := tdsfake.Typical()
	cfg.Databases[0].Nodes = &tdsfake.NodeTable{Rows: []tdsfake.Node{row("OCTO1", 0), row("OCTO2", 0), row("OLD-OCTO", 72*time.Hour)}}
	fake := tdsfake.Start(t, cfg)
	fs = run(t, fake, answersFor(fake), dbprobe.Options{InstalledNodes: []string{"OCTO1", "OCTO2"}, StaleAfter: 100 * time.Hour})
	none(t, fs, "db.node-stale")
	want(t, fs, "db.node-unknown", validate.Warning)
}

// A running node no answer names is reported; so is an answers node that
// stopped checking in long ago.
func TestRunningClusterUnknownRow(t *testing.T) {
	fs := runningCluster(t, 0, row("OCTO1", 30*time.Second), row("OCTO2", 48*time.Hour), row("OCTO7", 10*time.Second))
	u := want(t, fs, "db.node-unknown", validate.Warning)
	if !strings.Contains(u.Message, "OCTO7") || !strings.Contains(u.Message, "no answer names it") {
		t.Errorf("the unknown row: %s", u)
	}
	s := want(t, fs, "db.node-stale", validate.Warning)
	if s.Field != "nodes[1].name" || !strings.Contains(s.Message, "OCTO2 is in the answers") {
		t.Errorf("OCTO2 has not checked in for two days: %+v", s)
	}
}

// More rows than the licence allows is an error before Octopus blocks
// releases; stale rows count.
func TestRunningClusterOverTheLicence(t *testing.T) {
	fs := runningCluster(t, 2, row("OCTO1", 30*time.Second), row("OCTO2", 20*time.Second), row("OLD-OCTO", 72*time.Hour))
	f := want(t, fs, "db.node-limit", validate.Error)
	if !strings.Contains(f.Message, "3 node row(s)") || !strings.Contains(f.Message, "node limit of 2") {
		t.Errorf("three rows on a two-node licence: %s", f)
	}
	// An answers node without a row yet counts too.
	fs = runningCluster(t, 2, row("OCTO1", 30*time.Second), row("OLD-OCTO", 72*time.Hour))
	want(t, fs, "db.node-limit", validate.Error)
}

// A row's name and Id come from the database: what a finding repeats of
// them cannot move the cursor.
func TestNodeRowTextIsShownSafely(t *testing.T) {
	hostile := tdsfake.Node{ID: "x\x1b[2J", Name: "EVIL\x1b[31m", LastSeen: time.Now().Add(-72 * time.Hour)}
	fs := runningCluster(t, 0, row("OCTO1", 0), row("OCTO2", 0), hostile)
	for _, f := range fs {
		if strings.ContainsRune(f.Message+f.Fix, 0x1b) {
			t.Errorf("a finding repeats a control character: %q", f.Message+f.Fix)
		}
	}
}
