package winsim_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/winsim"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
)

// What register-tentacle.ps1 and update-polling-tentacles.ps1 do to a
// Tentacle that is already there: its registration as the portal keeps it,
// another machine's registration under the same name, a stopped service,
// the other Octopus servers it trusts, and the cluster certificate it
// trusts.

// installed is a cluster whose nodes and Tentacle each ran once.
func installed(t *testing.T, p *winsim.Pool, example string) *cluster {
	t.Helper()
	cl := newCluster(t, p, exampleCase(t, example, nil))
	cl.firstRuns(t, false)
	if t.Failed() {
		t.FailNow()
	}
	return cl
}

func (cl *cluster) target(t *testing.T) winsim.Target {
	t.Helper()
	target := cl.w.Cluster(t).Machines["TENT1"]
	if target == nil {
		t.Fatal("TENT1 is not registered")
	}
	return *target
}

func ranCommand(r winsim.Run, command string) bool {
	return slices.ContainsFunc(r.Calls, func(c winsim.Call) bool { return c.Command() == command })
}

// TestTentacleRerunKeepsRegistration: a second run finds this Tentacle's
// registration by its thumbprint and leaves it as the portal has it
// (register-with --force would reset its environments, roles, tenants and
// tenanted participation); -Reregister registers it again on purpose.
func TestTentacleRerunKeepsRegistration(t *testing.T) {
	p := pool(t)
	for _, example := range []string{"2-node-listening-nginx", "3-node-polling-unique-address-haproxy"} {
		t.Run(example, func(t *testing.T) {
			t.Parallel()
			cl := installed(t, p, example)
			cl.w.UpdateCluster(t, func(c *winsim.Cluster) {
				m := c.Machines["TENT1"]
				m.Environments, m.Roles = []string{"Staging"}, []string{"web-server", "db-server"}
				m.Tenants, m.TenantTags, m.TenantedDeploymentParticipation = []string{"Acme"}, []string{"Region/EU"}, "Tenanted"
			})
			portal := cl.target(t)
			r := cl.run(t, cl.tent, cl.tentacle(), false)
			if ranCommand(r, "register-with") {
				t.Errorf("the second run ran register-with again:\n%s", r.Text())
			}
			if got := cl.target(t); !equalTargets(got, portal) {
				t.Errorf("the second run changed the registration the portal made:\nportal: %+v\nnow:    %+v", portal, got)
			}
			if !strings.Contains(r.Text(), "already registered") || !strings.Contains(r.Text(), "-Reregister") {
				t.Errorf("the second run does not say that the registration was left alone, and how to renew it:\n%s", r.Text())
			}

			s := cl.tentacle()
			s.opts.Switches = []string{"Reregister"}
			r = cl.run(t, cl.tent, s, false)
			if !slices.ContainsFunc(r.Calls, func(c winsim.Call) bool {
				return c.Command() == "register-with" && slices.Contains(c.Args, "--force")
			}) {
				t.Errorf("-Reregister did not run register-with --force:\n%s", r.Text())
			}
			got := cl.target(t)
			if !slices.Equal(got.Environments, cl.a.Tentacles.Environments) || got.TenantedDeploymentParticipation != "Untenanted" {
				t.Errorf("after -Reregister the target is %+v, want the answers' environments, untenanted", got)
			}
		})
	}
}

func equalTargets(a, b winsim.Target) bool {
	return a.Thumbprint == b.Thumbprint && slices.Equal(a.Environments, b.Environments) && slices.Equal(a.Roles, b.Roles) &&
		slices.Equal(a.Tenants, b.Tenants) && slices.Equal(a.TenantTags, b.TenantTags) &&
		a.TenantedDeploymentParticipation == b.TenantedDeploymentParticipation
}

// TestTentacleNameOfAnotherMachine: when the name is registered with
// another certificate, the script stops before it changes anything, with
// or without -Reregister, naming the target and both thumbprints.
func TestTentacleNameOfAnotherMachine(t *testing.T) {
	p := pool(t)
	for _, example := range []string{"2-node-listening-nginx", "4-node-polling-unique-port-nginx"} {
		t.Run(example, func(t *testing.T) {
			t.Parallel()
			cl := newCluster(t, p, exampleCase(t, example, nil))
			const other = "FEDCBA9876543210FEDCBA9876543210FEDCBA98"
			theirs := winsim.Target{Thumbprint: other, Style: "TentaclePassive", Address: "tent1.old.corp.local", Space: "Default",
				Environments: []string{"Production"}, Roles: []string{"legacy"}, TenantedDeploymentParticipation: "Tenanted"}
			cl.w.UpdateCluster(t, func(c *winsim.Cluster) { c.Machines["TENT1"] = &theirs })
			for _, switches := range [][]string{nil, {"Reregister"}} {
				before := cl.w.Snapshot(t)
				s := cl.tentacle()
				s.opts.Switches = switches
				r := cl.tent.Run(t, s.path, s.opts)
				cl.record(r)
				if r.Error == "" {
					t.Errorf("with %v the script ran to its end although TENT1 is another machine's target:\n%s", switches, r.Text())
				} else if !strings.Contains(r.Error, "TENT1") || !strings.Contains(r.Error, other) || !strings.Contains(r.Error, "Nothing was changed") {
					t.Errorf("with %v the script stopped without naming the target and its thumbprint: %s", switches, r.Error)
				}
				if after := cl.w.Snapshot(t); after != before {
					t.Errorf("with %v the script changed things before it stopped:\n%s", switches, diff(before, after))
				}
				if got := cl.target(t); !equalTargets(got, theirs) {
					t.Errorf("with %v the other machine's target became %+v", switches, got)
				}
			}
		})
	}
}

// TestTentacleServiceLeftRunning: service --restart of a stopped service
// does nothing and exits 0, so each script starts a stopped Tentacle and
// proves by the service's status that it runs before it says it is done.
func TestTentacleServiceLeftRunning(t *testing.T) {
	p := pool(t)
	cl := installed(t, p, "3-node-polling-unique-address-haproxy")
	service := "OctopusDeploy Tentacle"
	if cl.a.Tentacles.Instance != "Tentacle" {
		service += ": " + cl.a.Tentacles.Instance
	}
	stop := func() {
		cl.tent.Change(t, func(m *winsim.Machine) { m.Services[service].Status = "Stopped" })
	}
	running := func(what string, r winsim.Run) {
		t.Helper()
		svc := cl.tent.State(t).Services[service]
		if svc == nil || svc.Status != "Running" {
			t.Errorf("%s left the Tentacle service %+v:\n%s", what, svc, r.Text())
		}
		if !strings.Contains(r.Text(), "The Tentacle service "+service+" is running.") {
			t.Errorf("%s does not show the service's status:\n%s", what, r.Text())
		}
	}
	stop()
	running("register-tentacle.ps1 on a stopped Tentacle", cl.run(t, cl.tent, cl.tentacle(), false))

	grown, err := cl.a.AddNode(steps.Node{Name: "OCTO9", Host: "octo9.corp.local"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.AddNodeFiles(grown, len(grown.Nodes)-1)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cl.w.Dir, "add-node")
	writeFiles(t, dir, files)
	update := script{path: filepath.Join(dir, render.TentacleUpdateScript), opts: winsim.RunOptions{Secrets: map[string]string{"ApiKey": cl.c.secrets.APIKey}}}
	stop()
	running("update-polling-tentacles.ps1 that adds a node, on a stopped Tentacle", cl.run(t, cl.tent, update, false))
	stop()
	running("update-polling-tentacles.ps1 with nothing to change, on a stopped Tentacle", cl.run(t, cl.tent, update, false))
}

// TestClearTrustedServersKeepsOtherServers: a node that leaves is dropped
// from the Tentacle's trusted servers, and every other server it trusts
// (a second Octopus instance, a DR cluster) stays.
func TestClearTrustedServersKeepsOtherServers(t *testing.T) {
	p := pool(t)
	cl := installed(t, p, "3-node-polling-unique-address-haproxy")
	dr := winsim.TrustedServer{Thumbprint: "0123456789ABCDEF0123456789ABCDEF01234567", Address: "https://octo-dr.corp.local:10943"}
	instance := cl.a.Tentacles.Instance
	cl.tent.Change(t, func(m *winsim.Machine) { m.Tentacle[instance].Trusted = append(m.Tentacle[instance].Trusted, dr) })

	gone := cl.a.Nodes[1].Name
	shrunk, removed, err := cl.a.RemoveNode(gone)
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.RemoveNodeFiles(cl.a, removed, shrunk)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cl.w.Dir, "remove-node")
	writeFiles(t, dir, files)
	update := script{path: filepath.Join(dir, render.TentacleUpdateScript)}
	if _, err := os.Stat(update.path); err != nil {
		t.Fatal(err)
	}
	r := cl.run(t, cl.tent, update, false)
	trusted := cl.tent.State(t).Tentacle[instance].Trusted
	if !slices.Contains(trusted, dr) {
		t.Errorf("the update dropped the DR server the Tentacle trusted: %+v\n%s", trusted, r.Text())
	}
	for _, ts := range trusted {
		if strings.Contains(ts.Address, cl.a.Nodes[removed].Host) {
			t.Errorf("the Tentacle still polls %s: %+v", gone, ts)
		}
	}
	if len(trusted) != len(shrunk.Nodes)+1 {
		t.Errorf("the Tentacle trusts %d servers, want the %d remaining nodes and the DR server: %+v", len(trusted), len(shrunk.Nodes), trusted)
	}
}

// TestListeningTentacleTrustsTheCluster: register-with trusts the
// certificate the cluster's API reports, so the Tentacle ends with exactly
// that one trust; a -ServerThumbprint that is not it (mistyped) stops the
// script before anything changes, naming both.
func TestListeningTentacleTrustsTheCluster(t *testing.T) {
	p := pool(t)
	for _, given := range []string{"", "lower", "mistyped"} {
		t.Run("thumbprint-"+given, func(t *testing.T) {
			t.Parallel()
			cl := newCluster(t, p, exampleCase(t, "2-node-listening-nginx", nil))
			s := cl.tentacle()
			want := cl.w.ServerThumbprint()
			switch given {
			case "lower":
				s.opts.Params["ServerThumbprint"] = strings.ToLower(want)
			case "mistyped":
				s.opts.Params["ServerThumbprint"] = want[:39] + map[bool]string{true: "0", false: "1"}[want[39] != '0']
			}
			before := cl.w.Snapshot(t)
			r := cl.tent.Run(t, s.path, s.opts)
			cl.record(r)
			if given == "mistyped" {
				if r.Error == "" || !strings.Contains(r.Error, s.opts.Params["ServerThumbprint"]) || !strings.Contains(r.Error, want) || !strings.Contains(r.Error, "Nothing was changed") {
					t.Errorf("a mistyped -ServerThumbprint did not stop the script naming both thumbprints: %q\n%s", r.Error, r.Text())
				}
				if after := cl.w.Snapshot(t); after != before {
					t.Errorf("a mistyped -ServerThumbprint changed things:\n%s", diff(before, after))
				}
				return
			}
			if r.Error != "" {
				t.Fatalf("the script stopped: %s\n%s", r.Error, r.Text())
			}
			trusted := cl.tent.State(t).Tentacle[cl.a.Tentacles.Instance].Trusted
			if len(trusted) != 1 || trusted[0].Thumbprint != want || trusted[0].Address != "" {
				t.Errorf("the Tentacle trusts %+v, want exactly the cluster certificate %s", trusted, want)
			}
		})
	}
}
