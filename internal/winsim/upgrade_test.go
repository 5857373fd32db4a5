package winsim_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/winsim"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// The upgrade runbook (octoha upgrade) run on an installed cluster, in the
// order of the upgrade guide's High Availability part: checks and
// maintenance mode on, every node drained and stopped, the first node
// installs and upgrades the database, the others install, maintenance mode
// off. Each script runs with -WhatIf first, then for real, then again.

const upgradeVersion = "2026.5.1000"

// msiPath is where each machine of an upgrade test keeps the MSI.
const msiPath = `C:\Install\Octopus.2026.5.1000-x64.msi`

type upgrade struct {
	*cluster
	dir  string
	jump *winsim.Box
}

// newUpgrade installs the case's cluster and writes its upgrade runbook
// to upgradeVersion, with the MSI on every node and on a jump box.
func newUpgrade(t *testing.T, c clusterCase) *upgrade {
	t.Helper()
	cl := newCluster(t, pool(t), c)
	cl.install(t)
	to, err := steps.ParseOctopusVersion(upgradeVersion)
	if err != nil {
		t.Fatal(err)
	}
	after, err := cl.a.UpgradeTo(to)
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.UpgradeFiles(cl.a, after)
	if err != nil {
		t.Fatal(err)
	}
	u := &upgrade{cluster: cl, dir: filepath.Join(cl.w.Dir, "upgrade"), jump: cl.w.Machine(t, "JUMP1")}
	writeFiles(t, u.dir, files)
	for _, b := range append(slices.Collect(mapsValues(cl.boxes)), u.jump) {
		b.WriteFile(t, msiPath, []byte("ProductVersion="+upgradeVersion))
	}
	return u
}

func mapsValues(m map[string]*winsim.Box) func(func(*winsim.Box) bool) {
	return func(yield func(*winsim.Box) bool) {
		for _, b := range m {
			if !yield(b) {
				return
			}
		}
	}
}

func (u *upgrade) preflight(confirm bool) script {
	s := script{path: filepath.Join(u.dir, ps.UpgradePreflightScript), opts: winsim.RunOptions{
		Params: map[string]string{"MsiPath": msiPath}, Secrets: map[string]string{"ApiKey": u.c.secrets.APIKey}}}
	if confirm {
		s.opts.Switches = []string{"ConfirmBackup"}
	}
	return s
}

func (u *upgrade) stop(i int) script {
	return script{path: filepath.Join(u.dir, ps.UpgradeStopScriptName(u.a.Nodes[i].Name)), opts: winsim.RunOptions{}}
}

func (u *upgrade) installScript(i int) script {
	return script{path: filepath.Join(u.dir, ps.UpgradeInstallScriptName(u.a.Nodes[i].Name)),
		opts: winsim.RunOptions{Params: map[string]string{"MsiPath": msiPath}}, onceOnly: []string{"database --upgrade"}}
}

func (u *upgrade) finish() script {
	return script{path: filepath.Join(u.dir, ps.UpgradeFinishScript), opts: winsim.RunOptions{Secrets: map[string]string{"ApiKey": u.c.secrets.APIKey}}}
}

// whatIfRunRerun runs s with -WhatIf, for real and again.
func (u *upgrade) whatIfRunRerun(t *testing.T, b *winsim.Box, s script) winsim.Run {
	t.Helper()
	w := u.whatIf(t, b, s)
	r := u.run(t, b, s, false)
	u.rerun(t, b, s, r, w)
	return r
}

// refused runs s, which must stop with an error holding every one of says
// and change nothing.
func (u *upgrade) refused(t *testing.T, b *winsim.Box, s script, says ...string) {
	t.Helper()
	before := u.w.Snapshot(t)
	r := b.Run(t, s.path, s.opts)
	u.record(r)
	if r.Error == "" {
		t.Errorf("%s on %s ran to its end:\n%s", r.Script, b.Name, r.Text())
	}
	for _, want := range says {
		if !strings.Contains(r.Error, want) {
			t.Errorf("%s on %s stopped without saying %q: %s", r.Script, b.Name, want, r.Error)
		}
	}
	if after := u.w.Snapshot(t); after != before {
		t.Errorf("the refused %s on %s changed:\n%s", r.Script, b.Name, diff(before, after))
	}
}

// countCalls counts the runs' calls that match.
func countCalls(runs []winsim.Run, match func(c winsim.Call) bool) int {
	n := 0
	for _, r := range runs {
		for _, c := range r.Calls {
			if match(c) {
				n++
			}
		}
	}
	return n
}

func isSchemaUpgrade(c winsim.Call) bool {
	return c.Tool == "Octopus.Server.exe" && c.Command() == "database" && slices.Contains(c.Args, "--upgrade")
}

func isInstall(c winsim.Call) bool { return c.Tool == "shim" && c.Command() == "msiexec" }

// TestUpgradeRunbook runs the whole upgrade of a 3-node cluster on
// 2025.4 (drain waits cut short there) and of a 2-node one, with each
// refusal and a failure at each install step on the way.
func TestUpgradeRunbook(t *testing.T) {
	for _, name := range []string{"3-node-polling-unique-address-haproxy", "2-node-listening-nginx"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newUpgrade(t, exampleCase(t, name, nil))
			first, second := u.boxes[u.a.Nodes[0].Name], u.boxes[u.a.Nodes[1].Name]

			// 1. Preflight: without -ConfirmBackup, or with the MSI of
			// another version, it stops before any change.
			u.refused(t, u.jump, u.preflight(false), "-ConfirmBackup", "show-master-key")
			wrong := u.preflight(true)
			wrong.opts.Params = map[string]string{"MsiPath": `C:\Install\Octopus.other-x64.msi`}
			u.jump.WriteFile(t, wrong.opts.Params["MsiPath"], []byte("ProductVersion=2026.4.1"))
			u.refused(t, u.jump, wrong, "is version 2026.4.1, not "+upgradeVersion)
			u.whatIfRunRerun(t, u.jump, u.preflight(true))
			if !u.w.Cluster(t).MaintenanceMode {
				t.Fatal("maintenance mode is not on after the preflight")
			}

			// On the wrong node each per-node script stops before any change.
			u.wrongMachine(t, second, u.stop(0), u.a.Nodes[0].Name)
			u.wrongMachine(t, second, u.installScript(0), u.a.Nodes[0].Name)

			// Nothing installs while a node on the old version runs: the
			// first node, stopped, refuses while the others run.
			u.refused(t, first, u.installScript(0), "still runs")
			u.run(t, first, u.stop(0), false)
			u.refused(t, first, u.installScript(0), u.a.Nodes[1].Name, "upgrade-stop-NODE.ps1")
			if v := first.State(t).Versions["Octopus.Server.exe"]; v != string(u.a.Octopus.Version) {
				t.Errorf("a refused install left Octopus.Server.exe at %s", v)
			}

			// 2. Stop every node; on the last, service --stop fails once
			// and the re-run finishes.
			last := len(u.a.Nodes) - 1
			for i := range u.a.Nodes[:last] {
				u.whatIfRunRerun(t, u.boxes[u.a.Nodes[i].Name], u.stop(i))
			}
			lastBox := u.boxes[u.a.Nodes[last].Name]
			lastWhatIf := u.whatIf(t, lastBox, u.stop(last))
			lastBox.Fail(t, "Octopus.Server.exe service")
			u.refusedAfterFailure(t, lastBox, u.stop(last), "Octopus.Server.exe service failed")
			lastBox.Fail(t)
			stopped := u.run(t, lastBox, u.stop(last), false)
			u.rerun(t, lastBox, u.stop(last), stopped, lastWhatIf)
			for _, b := range u.boxes {
				for _, svc := range b.State(t).Services {
					if svc.Tool == "Octopus.Server.exe" && svc.Status == "Running" {
						t.Errorf("%s still runs after its stop script", b.Name)
					}
				}
			}
			// A later node refuses before the first node is upgraded.
			u.refused(t, second, u.installScript(1), "Run upgrade-install-"+u.a.Nodes[0].Name+".ps1")

			// 3. The first node: the database upgrade fails once, then the
			// re-run installs nothing again and finishes.
			firstWhatIf := u.whatIf(t, first, u.installScript(0))
			first.Fail(t, "Octopus.Server.exe database")
			failed := first.Run(t, u.installScript(0).path, u.installScript(0).opts)
			u.record(failed)
			if failed.Error == "" || countCalls([]winsim.Run{failed}, isInstall) != 1 {
				t.Fatalf("the first node's install with a failing database upgrade: %q, %d installs", failed.Error, countCalls([]winsim.Run{failed}, isInstall))
			}
			first.Fail(t)
			done := u.run(t, first, u.installScript(0), false)
			if countCalls([]winsim.Run{done}, isInstall) != 0 || countCalls([]winsim.Run{done}, isSchemaUpgrade) != 1 {
				t.Errorf("the re-run after the failed database upgrade installed %d times and upgraded the schema %d times", countCalls([]winsim.Run{done}, isInstall), countCalls([]winsim.Run{done}, isSchemaUpgrade))
			}
			u.rerun(t, first, u.installScript(0), done, firstWhatIf)

			// 4. Every other node: msiexec fails once (1603), then the re-run
			// installs; none upgrades the schema.
			var others []winsim.Run
			for i := 1; i < len(u.a.Nodes); i++ {
				b := u.boxes[u.a.Nodes[i].Name]
				w := u.whatIf(t, b, u.installScript(i))
				b.Fail(t, "shim msiexec")
				u.refusedAfterFailure(t, b, u.installScript(i), "1603")
				b.Fail(t)
				r := u.run(t, b, u.installScript(i), false)
				u.rerun(t, b, u.installScript(i), r, w)
				others = append(others, r)
			}
			if n := countCalls(others, isSchemaUpgrade); n != 0 {
				t.Errorf("the other nodes upgraded the schema %d times", n)
			}
			for _, db := range u.w.Cluster(t).Databases {
				if db.SchemaVersion != upgradeVersion {
					t.Errorf("the database's schema is %q, want %s", db.SchemaVersion, upgradeVersion)
				}
				for name, row := range db.Nodes {
					if row.Drain {
						t.Errorf("node %s is still drained after its install script", name)
					}
				}
			}
			for _, b := range u.boxes {
				if v := b.State(t).Versions["Octopus.Server.exe"]; v != upgradeVersion {
					t.Errorf("%s runs %s after the upgrade", b.Name, v)
				}
			}

			// 5. Maintenance mode off.
			u.whatIfRunRerun(t, u.jump, u.finish())
			if u.w.Cluster(t).MaintenanceMode {
				t.Error("maintenance mode is still on after upgrade-finish.ps1")
			}
			u.noSecrets(t)
		})
	}
}

// refusedAfterFailure runs s, which must stop naming want; unlike refused
// it may have changed the machine up to the failing step.
func (u *upgrade) refusedAfterFailure(t *testing.T, b *winsim.Box, s script, want string) {
	t.Helper()
	r := b.Run(t, s.path, s.opts)
	u.record(r)
	if r.Error == "" || !strings.Contains(r.Error, want) {
		t.Errorf("%s on %s with a failing step: %q, want it to name %s", r.Script, b.Name, r.Error, want)
	}
}
