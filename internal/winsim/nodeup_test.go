package winsim_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/winsim"
	"github.com/octoha/octoha/steps"
)

// How a node comes up: its ping while it drains, its firewall rules and,
// with multi-node polling, its view of Redis.

// nodeScript is the script that installs node i: the first node's, or
// its join script.
func (cl *cluster) nodeScript(t *testing.T, i int) script {
	t.Helper()
	if i == 0 {
		return cl.firstNode()
	}
	return cl.join(t, cl.out, i)
}

// TestRerunOnDrainedNode: a drained node stays drained across a restart,
// and its ping answers 418 (docs/octopus-facts.md §2.4, §5.1). Each node script's
// help says to drain the node before running it again, so a re-run on a
// drained node must take 418 for up and draining, say so, finish, and
// leave the node drained.
func TestRerunOnDrainedNode(t *testing.T) {
	p := pool(t)
	cl := newCluster(t, p, exampleCase(t, "3-node-polling-unique-address-haproxy", nil))
	cl.install(t)
	for i, n := range cl.a.Nodes {
		cl.w.SetDrain(t, n.Name, true)
		b := cl.boxes[n.Name]
		r := cl.run(t, b, cl.nodeScript(t, i), false)
		if r.Error != "" {
			continue
		}
		if text := r.Text(); !strings.Contains(text, "answers 418") || !strings.Contains(text, "up and draining") {
			t.Errorf("%s on drained %s never said the node is up and draining:\n%s", r.Script, n.Name, text)
		}
		for _, db := range cl.w.Cluster(t).Databases {
			if row := db.Nodes[n.Name]; row == nil || !row.Drain {
				t.Errorf("after the re-run %s is no longer drained: %+v", n.Name, row)
			}
		}
	}
	cl.noSecrets(t)
}

// wantFirewall is the Windows Firewall rules node i's script makes: inbound
// TCP to its web port from the balancer, and to its comms port when
// tentacles poll (CHECKLIST.md's rows for the node).
func (cl *cluster) wantFirewall(i int) []string {
	want := []string{fmt.Sprintf("Inbound TCP %d Allow", cl.a.NodeWebPort(i))}
	if cl.a.UsesPolling() {
		want = append(want, fmt.Sprintf("Inbound TCP %d Allow", cl.a.NodeCommsPort(i)))
	}
	return want
}

// firewall is a machine's firewall rules, as "Direction Protocol Ports Action".
func firewall(m *winsim.Machine) []string {
	var out []string
	for _, r := range m.Firewall {
		out = append(out, fmt.Sprintf("%s %s %s %s", r.Direction, r.Protocol, strings.Join(r.LocalPort, ","), r.Action))
	}
	return out
}

// TestNodeFirewall: each node script opens exactly the ports its
// checklist rows list, in named rules made once; -SkipFirewall leaves the
// firewall alone and says which ports to open.
func TestNodeFirewall(t *testing.T) {
	p := pool(t)
	for _, name := range []string{"2-node-listening-nginx", "4-node-polling-unique-port-nginx"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cl := newCluster(t, p, exampleCase(t, name, nil))
			for i, n := range cl.a.Nodes[:2] {
				b := cl.boxes[n.Name]
				s := cl.nodeScript(t, i)
				skip := s
				skip.opts.Switches = []string{"SkipFirewall"}
				r := cl.run(t, b, skip, false)
				if rules := firewall(b.State(t)); len(rules) > 0 {
					t.Errorf("%s -SkipFirewall on %s made firewall rules %q", r.Script, n.Name, rules)
				}
				if !strings.Contains(r.Text(), "-SkipFirewall") || !strings.Contains(r.Text(), fmt.Sprint(cl.a.NodeWebPort(i))) {
					t.Errorf("%s -SkipFirewall on %s does not say which ports to open:\n%s", r.Script, n.Name, r.Text())
				}
				cl.run(t, b, s, false)
				if got, want := firewall(b.State(t)), cl.wantFirewall(i); !slices.Equal(got, want) {
					t.Errorf("%s on %s made firewall rules %q, want %q", r.Script, n.Name, got, want)
				}
				again := cl.run(t, b, s, false)
				for _, c := range again.Calls {
					if c.Tool == "shim" && c.Command() == "new-firewall-rule" {
						t.Errorf("the third run of %s on %s made a firewall rule again: %q", r.Script, n.Name, c.Args)
					}
				}
				for _, rule := range b.State(t).Firewall {
					if !strings.HasPrefix(rule.Name, "octoha-octopus-") || rule.DisplayName == "" {
						t.Errorf("%s on %s made a rule without octoha's name or a display name: %+v", r.Script, n.Name, rule)
					}
				}
			}
		})
	}
}

// TestRedisStatusChecked: with multi-node polling a node is done only
// when GET /api/serverstatus/redis reports IsEnabled, IsConfigured and
// IsReachable (docs/octopus-facts.md §6.5, the docs' own check). A node whose Redis
// does not take its password stops, naming IsReachable, and writes no
// marker; once Redis takes it, the re-run finishes.
func TestRedisStatusChecked(t *testing.T) {
	p := pool(t)
	c := exampleCase(t, "3-node-polling-redis-haproxy", nil)
	cl := newCluster(t, p, c)
	r := cl.a.Tentacles.Redis
	cl.w.Redis(t, r.Host, r.Port, "another password", r.SSL)
	first := cl.boxes[cl.a.Nodes[0].Name]
	s := cl.firstNode()
	run := first.Run(t, s.path, s.opts)
	cl.record(run)
	if run.Error == "" || !strings.Contains(run.Error, "IsReachable") {
		t.Errorf("%s on %s, whose Redis refuses its password, did not stop naming IsReachable: %q\n%s", run.Script, first.Name, run.Error, run.Text())
	}
	if _, err := os.Stat(cl.markerPath(t)); err == nil {
		t.Errorf("the first node wrote the cluster marker although it cannot reach Redis")
	}
	cl.w.Redis(t, r.Host, r.Port, c.secrets.Redis, r.SSL)
	again := cl.run(t, first, s, false)
	if !strings.Contains(again.Text(), "IsReachable") {
		t.Errorf("%s on %s did not report the Redis check:\n%s", again.Script, first.Name, again.Text())
	}
	if cl.a.PollingMode() != steps.PollingRedis {
		t.Fatalf("%s is not a Redis example", c.name)
	}
	cl.noSecrets(t)
}
