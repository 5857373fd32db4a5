package winsim_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/winsim"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
)

// The first node's database, rights, share and re-runs, and rebuilding a
// node, each on one example changed as the scenario needs.

// database is the world's one database.
func (cl *cluster) database(t *testing.T) *winsim.Database {
	t.Helper()
	c := cl.w.Cluster(t)
	if len(c.Databases) != 1 {
		t.Fatalf("%d databases, want 1", len(c.Databases))
	}
	for _, db := range c.Databases {
		return db
	}
	return nil
}

// commandCalls are the calls of one Octopus.Server.exe command.
func commandCalls(r winsim.Run, command string) []winsim.Call {
	var out []winsim.Call
	for _, c := range r.Calls {
		if c.Tool == "Octopus.Server.exe" && c.Command() == command {
			out = append(out, c)
		}
	}
	return out
}

// TestDatabaseMadeByDBA: with database.create: false the DBA made the
// database, empty. database --create would "say it already exists and
// won't do anything" (docs), so the first node sends --upgrade with a
// master key it made, and the whole cluster then installs on it.
func TestDatabaseMadeByDBA(t *testing.T) {
	p := pool(t)
	c := exampleCase(t, "2-node-listening-nginx", func(a *steps.Answers) { a.Database.Create = false })
	cl := newCluster(t, p, c)
	calls := cl.install(t)
	first := cl.boxes[cl.a.Nodes[0].Name]
	var database []winsim.Call
	for _, call := range calls[first.Name+"/"+render.FirstNodeScript] {
		if call.Tool == "Octopus.Server.exe" && call.Command() == "database" {
			database = append(database, call)
		}
	}
	if len(database) != 1 {
		t.Fatalf("the first run made %d database calls, want 1", len(database))
	}
	args := database[0].Args
	if slices.Contains(args, "--create") || !slices.Contains(args, "--upgrade") || !slices.Contains(args, "--masterKey") {
		t.Errorf("the first node sends database %q for a database the DBA made, want --upgrade with --masterKey and no --create", args)
	}
	db := cl.database(t)
	if key := cl.masterKey(t); db.MasterKey != key || len(key) != 24 || !strings.HasSuffix(key, "==") {
		t.Errorf("the database's master key %q is not the first node's %q, base64 of 16 bytes", db.MasterKey, key)
	}
	cl.noSecrets(t)
}

// TestDatabaseOutcomeChecked: the script does not take the database
// command's exit code for its outcome. When database exits 0 but makes no
// schema, or when --create meets a database that already exists (and, as
// the docs say, does nothing), the first node stops before the
// administrator, saying what to do; the next run finishes.
func TestDatabaseOutcomeChecked(t *testing.T) {
	p := pool(t)
	for _, create := range []bool{true, false} {
		c := exampleCase(t, "2-node-listening-nginx", func(a *steps.Answers) { a.Database.Create = create })
		cl := newCluster(t, p, c)
		first := cl.boxes[cl.a.Nodes[0].Name]
		first.Inert(t, "Octopus.Server.exe database")
		r := first.Run(t, cl.firstNode().path, cl.firstNode().opts)
		cl.record(r)
		if r.Error == "" || !strings.Contains(r.Error, "schema") {
			t.Errorf("create %v: a database step that made nothing did not stop the first node on the schema check: %q\n%s", create, r.Error, r.Text())
		}
		if len(commandCalls(r, "admin")) > 0 || len(commandCalls(r, "license")) > 0 {
			t.Errorf("create %v: the first node went on to admin or license without a schema", create)
		}
		first.Inert(t)
		cl.run(t, first, cl.firstNode(), false)
		if db := cl.database(t); !db.Schema {
			t.Errorf("create %v: after the re-run the database has no schema", create)
		}
		cl.noSecrets(t)
	}

	// database.create: false, and the run stops after the database step
	// (here show-master-key fails): the next run keeps the key the first
	// one set, since data may be encrypted with it.
	c := exampleCase(t, "2-node-listening-nginx", func(a *steps.Answers) { a.Database.Create = false })
	cl := newCluster(t, p, c)
	first := cl.boxes[cl.a.Nodes[0].Name]
	first.Fail(t, "Octopus.Server.exe show-master-key")
	r := first.Run(t, cl.firstNode().path, cl.firstNode().opts)
	cl.record(r)
	if r.Error == "" || !strings.Contains(r.Error, "no master key") {
		t.Errorf("a failed master key check did not stop the first node: %q", r.Error)
	}
	key := cl.database(t).MasterKey
	first.Fail(t)
	r = cl.run(t, first, cl.firstNode(), false)
	for _, call := range commandCalls(r, "database") {
		if slices.Contains(call.Args, "--masterKey") {
			t.Errorf("the re-run made a new master key over the one the first attempt set")
		}
	}
	if got := cl.database(t).MasterKey; key == "" || got != key || cl.masterKey(t) != key {
		t.Errorf("the master key moved from %q to %q (instance %q)", key, got, cl.masterKey(t))
	}
	cl.noSecrets(t)

	// database.create: true, but the database is there already and empty:
	// --create does nothing, and the check says to set create: false.
	c = exampleCase(t, "2-node-listening-nginx", nil)
	cl = newCluster(t, p, c)
	cl.w.EmptyDatabase(t, cl.a.Database.Server, cl.a.Database.Port, cl.a.Database.Name)
	first = cl.boxes[cl.a.Nodes[0].Name]
	r = first.Run(t, cl.firstNode().path, cl.firstNode().opts)
	cl.record(r)
	if r.Error == "" || !strings.Contains(r.Error, "database.create: false") {
		t.Errorf("--create on an existing empty database did not stop the first node with advice: %q\n%s", r.Error, r.Text())
	}
	if len(commandCalls(r, "admin")) > 0 {
		t.Errorf("the first node went on to admin without a schema")
	}
}

// TestLocalSystemGrantsComputerAccounts: with Windows authentication and
// the service running as Local System, each node reaches SQL Server as its
// computer account, DOMAIN\NODE$: each node's own script makes that
// account db_owner with database --grant (checkInstalled holds it).
func TestLocalSystemGrantsComputerAccounts(t *testing.T) {
	p := pool(t)
	for _, create := range []bool{true, false} {
		c := exampleCase(t, "3-node-polling-unique-address-haproxy", func(a *steps.Answers) {
			a.Octopus.ServiceAccount = ""
			a.Database.Create = create
		})
		cl := newCluster(t, p, c)
		cl.install(t)
		if got := cl.database(t).Grants; len(got) != len(cl.a.Nodes) {
			t.Errorf("create %v: database --grant made %q db_owner, want every node's computer account", create, got)
		}
		cl.noSecrets(t)
	}
}

// TestFirstNodeRerunKeepsPortalChanges: the shared paths and the task cap
// are the cluster's, changed later in the web portal; a re-run of the
// first node leaves them alone, and sends them again only when the admin
// asks with -ReapplyClusterSettings.
func TestFirstNodeRerunKeepsPortalChanges(t *testing.T) {
	p := pool(t)
	c := exampleCase(t, "2-node-listening-nginx", func(a *steps.Answers) { a.Octopus.TaskCap = 10 })
	cl := newCluster(t, p, c)
	cl.install(t)
	first := cl.boxes[cl.a.Nodes[0].Name]
	state := cl.w.Cluster(t)
	for _, db := range state.Databases {
		db.Paths["clusterShared"] = `\\portal\changed`
		db.Nodes[cl.a.Nodes[0].Name].TaskCap = "3"
	}
	cl.w.SetCluster(t, state)

	r := cl.run(t, first, cl.firstNode(), false)
	if len(commandCalls(r, "path")) > 0 || len(commandCalls(r, "node")) > 0 {
		t.Errorf("a re-run of the first node sent path or node again: %q", cl.normalise(r.Calls))
	}
	db := cl.database(t)
	if db.Paths["clusterShared"] != `\\portal\changed` || db.Nodes[cl.a.Nodes[0].Name].TaskCap != "3" {
		t.Errorf("a re-run of the first node undid the portal's changes: paths %v, task cap %q", db.Paths, db.Nodes[cl.a.Nodes[0].Name].TaskCap)
	}

	s := cl.firstNode()
	s.opts.Switches = []string{"ReapplyClusterSettings"}
	r = cl.run(t, first, s, false)
	if len(commandCalls(r, "path")) != 1 || len(commandCalls(r, "node")) != 1 {
		t.Errorf("-ReapplyClusterSettings did not send path and node once each: %q", cl.normalise(r.Calls))
	}
	db = cl.database(t)
	if db.Paths["clusterShared"] != cl.a.Storage.Root || db.Nodes[cl.a.Nodes[0].Name].TaskCap != "10" {
		t.Errorf("-ReapplyClusterSettings left paths %v and task cap %q", db.Paths, db.Nodes[cl.a.Nodes[0].Name].TaskCap)
	}
	if len(commandCalls(r, "admin")) > 0 || len(commandCalls(r, "license")) > 0 {
		t.Errorf("-ReapplyClusterSettings sent admin or license again")
	}
}

// immutable makes dir refuse new entries, even from root (chattr +i), as
// a share the admin can read but not write does; it skips the test where
// the file system cannot.
func immutable(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("skipped: chattr +i %s: %v %s", dir, err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
}

func mutable(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("chattr", "-i", dir).CombinedOutput(); err != nil {
		t.Fatalf("chattr -i %s: %v %s", dir, err, out)
	}
}

// TestShareWriteProvedFirst: the first node writes its marker on the share
// as the admin running it, at the end. Where that admin may only read the
// share, the first node stops before it changes anything, naming the
// share; a joining node, which only reads the marker, runs on a share it
// cannot write.
func TestShareWriteProvedFirst(t *testing.T) {
	p := pool(t)
	c := exampleCase(t, "2-node-listening-nginx", nil)
	cl := newCluster(t, p, c)
	root, err := winsim.UNCFolder(cl.a.Storage.Root)
	if err != nil {
		t.Fatal(err)
	}
	first := cl.boxes[cl.a.Nodes[0].Name]
	immutable(t, root)
	before := cl.w.Snapshot(t)
	r := first.Run(t, cl.firstNode().path, cl.firstNode().opts)
	cl.record(r)
	if r.Error == "" || !strings.Contains(r.Error, cl.a.Storage.Root) || !strings.Contains(r.Error, "write") {
		t.Errorf("the first node did not stop on a share it cannot write, naming it: %q\n%s", r.Error, r.Text())
	}
	for _, call := range r.Calls {
		if !readOnly[call.Tool+" "+call.Command()] {
			t.Errorf("before stopping on the share the first node ran %s %s", call.Tool, call.Command())
		}
	}
	if after := cl.w.Snapshot(t); after != before {
		t.Errorf("the first node changed the machine before stopping on the share:\n%s", diff(before, after))
	}
	mutable(t, root)
	cl.run(t, first, cl.firstNode(), false)
	entries, _ := os.ReadDir(root)
	var files []string
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, e.Name())
		}
	}
	if !slices.Equal(files, []string{"octoha-cluster.txt"}) {
		t.Errorf("the share holds the files %q after the first node, want only the marker (the probe file deleted)", files)
	}

	immutable(t, root)
	cl.run(t, cl.boxes[cl.a.Nodes[1].Name], cl.join(t, cl.out, 1), false)
}

// TestRebuildFirstNode: the first node's machine is lost and rebuilt,
// fresh, under the same name. install-first-node.ps1 refuses it (the
// cluster runs without it) and names the script that rebuilds it, which
// every export writes; that script, with the master key, brings the node
// back into the running cluster.
func TestRebuildFirstNode(t *testing.T) {
	p := pool(t)
	for _, name := range []string{"2-node-listening-nginx", "3-node-polling-redis-haproxy", "2-node-listening-nginx-sql-auth"} {
		c := exampleCase(t, name, nil)
		cl := newCluster(t, p, c)
		cl.install(t)
		key := cl.masterKey(t)
		node := cl.a.Nodes[0].Name
		rebuilt := cl.boxes[node].Wipe(t)
		rebuilt.Install(t, "Octopus.Server.exe", cl.a.Octopus.InstallDir, string(cl.a.Octopus.Version))
		rebuilt.WriteFile(t, `C:\Install\octopus-licence.xml`, []byte("<License>winsim</License>"))
		cl.boxes[node] = rebuilt

		r := rebuilt.Run(t, cl.firstNode().path, cl.firstNode().opts)
		cl.record(r)
		file := render.RebuildScript(node)
		if r.Error == "" || !strings.Contains(r.Error, file) {
			t.Errorf("%s: install-first-node.ps1 on the rebuilt %s did not stop naming %s: %q", name, node, file, r.Error)
		}
		path := filepath.Join(cl.out, file)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s: the export has no %s: %v", name, file, err)
		}
		secrets := cl.serverSecrets()
		secrets["MasterKey"] = key
		s := script{path: path, opts: winsim.RunOptions{Secrets: secrets}, onceOnly: []string{"create-instance", "database --create"}}
		w := cl.whatIf(t, rebuilt, s)
		first := cl.run(t, rebuilt, s, false)
		cl.rerun(t, rebuilt, s, first, w)
		for _, call := range first.Calls {
			if call.Tool == "Octopus.Server.exe" && slices.Contains([]string{"admin", "license", "path"}, call.Command()) {
				t.Errorf("%s: the rebuild ran %s, which would reset the cluster", name, call.Command())
			}
		}
		cl.checkInstalled(t)
		cl.noSecrets(t)
	}
}
