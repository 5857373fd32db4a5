package winsim_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/winsim"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// TestEmittedScriptsRun installs every example's cluster and the hostile
// ones, grows and shrinks it, in a real PowerShell; the same first runs
// with legacy argument passing must give every .exe the same arguments,
// and a run that fails half way must leave no marker and be finished by
// the next run.
func TestEmittedScriptsRun(t *testing.T) {
	p := pool(t)
	start := time.Now()
	t.Cleanup(func() { t.Logf("%d script runs in %v", totalRuns.Load(), time.Since(start).Round(time.Millisecond)) })
	examples := exampleCases(t)
	for _, c := range append(examples, hostileCases(t, examples)...) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			standard := newCluster(t, p, c)
			calls := standard.install(t)
			standard.wrongNode(t)

			legacy := newCluster(t, p, c)
			for key, got := range legacy.firstRuns(t, true) {
				if want := calls[key]; !slices.Equal(standard.normalise(want), legacy.normalise(got)) {
					t.Errorf("%s: legacy argument passing gave the .exe files other arguments:\nstandard: %q\nlegacy:   %q", key, standard.normalise(want), legacy.normalise(got))
				}
			}
			legacy.noSecrets(t)

			standard.grow(t)
			standard.noSecrets(t)

			newCluster(t, p, c).failAndRerun(t)
		})
	}
}

// firstRuns runs each install script once, as install does, and returns
// the calls of each.
func (cl *cluster) firstRuns(t *testing.T, legacy bool) map[string][]winsim.Call {
	t.Helper()
	calls := map[string][]winsim.Call{}
	first := cl.boxes[cl.a.Nodes[0].Name]
	r := cl.run(t, first, cl.firstNode(), legacy)
	calls[first.Name+"/"+r.Script] = r.Calls
	for i := 1; i < len(cl.a.Nodes); i++ {
		b := cl.boxes[cl.a.Nodes[i].Name]
		r := cl.run(t, b, cl.join(t, cl.out, i), legacy)
		calls[b.Name+"/"+r.Script] = r.Calls
	}
	r = cl.run(t, cl.tent, cl.tentacle(), legacy)
	calls[cl.tent.Name+"/"+r.Script] = r.Calls
	return calls
}

// wrongNode runs a join script on a node already in the cluster, which
// must stop before it changes anything.
func (cl *cluster) wrongNode(t *testing.T) {
	t.Helper()
	on := cl.boxes[cl.a.Nodes[0].Name]
	if len(cl.a.Nodes) > 2 {
		on = cl.boxes[cl.a.Nodes[2].Name]
	}
	cl.wrongMachine(t, on, cl.join(t, cl.out, 1), cl.a.Nodes[1].Name)
}

// grow adds a node with what octoha add-node writes, then takes the
// second node out with what octoha remove-node writes.
func (cl *cluster) grow(t *testing.T) {
	t.Helper()
	grown, err := cl.a.AddNode(steps.Node{Name: "OCTO9", Host: "octo9.corp.local"})
	if err != nil {
		t.Fatal(err)
	}
	added := len(grown.Nodes) - 1
	files, err := render.AddNodeFiles(grown, added)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cl.w.Dir, "add-node")
	writeFiles(t, dir, files)
	cl.a = grown
	b := cl.node(t, added)
	s := cl.join(t, dir, added)
	cl.wrongMachine(t, cl.boxes[grown.Nodes[0].Name], s, "OCTO9")
	w := cl.whatIf(t, b, s)
	r := cl.run(t, b, s, false)
	cl.checkStartedDrained(t, b, r, pollsEveryNode(grown))
	if pollsEveryNode(grown) {
		s.onceOnly = append(s.onceOnly, "node --drain=true")
	}
	cl.rerun(t, b, s, r, w)
	update := filepath.Join(dir, render.TentacleUpdateScript)
	if _, err := os.Stat(update); err == nil {
		s := script{path: update, opts: winsim.RunOptions{Secrets: map[string]string{"ApiKey": cl.c.secrets.APIKey}}, onceOnly: []string{"poll-server"}}
		w := cl.whatIf(t, cl.tent, s)
		r := cl.run(t, cl.tent, s, false)
		cl.rerun(t, cl.tent, s, r, w)
	}
	if pollsEveryNode(grown) {
		// Every tentacle polls OCTO9 now: undrain it with the command its
		// join script printed, then run the join script again, which must
		// leave it undrained.
		cl.undrain(t, b, r)
		again := cl.run(t, b, s, false)
		if row := cl.nodeRow(t, "OCTO9"); row == nil || row.Drain {
			t.Errorf("a run of %s after OCTO9 was undrained drained it again: %+v\n%s", again.Script, row, again.Text())
		}
	}
	cl.checkInstalled(t)

	gone := grown.Nodes[1].Name
	shrunk, removed, err := grown.RemoveNode(gone)
	if err != nil {
		t.Fatal(err)
	}
	files, err = render.RemoveNodeFiles(grown, removed, shrunk)
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(cl.w.Dir, "remove-node")
	writeFiles(t, dir, files)
	drain := script{path: filepath.Join(dir, render.DrainScript(gone)),
		opts: winsim.RunOptions{Secrets: map[string]string{"ApiKey": cl.c.secrets.APIKey}, Switches: []string{"Force"}}}
	cl.wrongMachine(t, cl.boxes[grown.Nodes[0].Name], drain, gone)
	b = cl.boxes[gone]
	w = cl.whatIf(t, b, drain)
	r = cl.run(t, b, drain, false)
	cl.rerun(t, b, drain, r, w)
	m := b.State(t)
	if svc := m.Services[grown.ServiceName()]; svc == nil || svc.Status != "Stopped" || svc.StartType != "Disabled" {
		t.Errorf("after the drain script the service on %s is %+v, want stopped and disabled", gone, svc)
	}
	for _, db := range cl.w.Cluster(t).Databases {
		if db.Nodes[gone] != nil {
			t.Errorf("after the drain script the database still has a row for %s", gone)
		}
	}
	update = filepath.Join(dir, render.TentacleUpdateScript)
	if _, err := os.Stat(update); err == nil {
		s := script{path: update, onceOnly: []string{"clear-trusted-servers"}}
		w := cl.whatIf(t, cl.tent, s)
		r := cl.run(t, cl.tent, s, false)
		cl.rerun(t, cl.tent, s, r, w)
		for _, ts := range cl.tent.State(t).Tentacle[cl.a.Tentacles.Instance].Trusted {
			if strings.Contains(ts.Address, grown.Nodes[removed].Host) && cl.a.PollingMode() == steps.PollingUniqueAddress {
				t.Errorf("TENT1 still polls %s after the update: %+v", gone, ts)
			}
		}
	}
}

// failAndRerun: a first node whose database step fails, a joining node
// whose service step fails and a Tentacle whose registration fails each
// stop naming the step, leave no marker, and the next run finishes.
func (cl *cluster) failAndRerun(t *testing.T) {
	t.Helper()
	first := cl.boxes[cl.a.Nodes[0].Name]
	steps := []struct {
		b       *winsim.Box
		s       func() script
		command string
	}{
		{first, cl.firstNode, "Octopus.Server.exe database"},
		{cl.boxes[cl.a.Nodes[1].Name], func() script { return cl.join(t, cl.out, 1) }, "Octopus.Server.exe service"},
		{cl.tent, cl.tentacle, "Tentacle.exe register-with"},
	}
	for _, st := range steps {
		st.b.Fail(t, st.command)
		s := st.s()
		r := st.b.Run(t, s.path, s.opts)
		cl.record(r)
		if r.Error == "" {
			t.Errorf("%s on %s did not stop when %s failed", r.Script, st.b.Name, st.command)
		} else if !strings.Contains(r.Error, st.command) {
			t.Errorf("%s on %s stopped without naming %s: %s", r.Script, st.b.Name, st.command, r.Error)
		}
		if _, err := os.Stat(cl.markerPath(t)); st.b == first && err == nil {
			t.Errorf("the first node wrote the cluster marker although its database step failed")
		}
		st.b.Fail(t)
		cl.run(t, st.b, s, false)
	}
	if _, err := os.Stat(cl.markerPath(t)); err != nil {
		t.Errorf("the first node's second run wrote no cluster marker: %v", err)
	}
	for _, db := range cl.w.Cluster(t).Databases {
		for _, n := range cl.a.Nodes[:2] {
			if db.Nodes[n.Name] == nil {
				t.Errorf("after the re-runs node %s has no row in the database", n.Name)
			}
		}
	}
	if cl.w.Cluster(t).Machines["TENT1"] == nil {
		t.Errorf("after its re-run TENT1 is not registered")
	}
	cl.noSecrets(t)
}

// TestEmittedScriptsHaveHelp: Get-Help -Full shows each script's
// synopsis, every parameter's text and an example.
func TestEmittedScriptsHaveHelp(t *testing.T) {
	p := pool(t)
	for _, c := range exampleCases(t) {
		dir := t.TempDir()
		files, err := render.All(c.answers)
		if err != nil {
			t.Fatal(err)
		}
		grown, _ := c.answers.AddNode(steps.Node{Name: "OCTO9", Host: "octo9.corp.local"})
		add, err := render.AddNodeFiles(grown, len(grown.Nodes)-1)
		if err != nil {
			t.Fatal(err)
		}
		shrunk, removed, _ := grown.RemoveNode("OCTO9")
		remove, err := render.RemoveNodeFiles(grown, removed, shrunk)
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, filepath.Join(dir, "all"), files)
		writeFiles(t, filepath.Join(dir, "add"), add)
		writeFiles(t, filepath.Join(dir, "remove"), remove)
		to, _ := steps.ParseOctopusVersion("2026.5.1000")
		after, err := c.answers.UpgradeTo(to)
		if err != nil {
			t.Fatal(err)
		}
		upgrade, err := render.UpgradeFiles(c.answers, after)
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, filepath.Join(dir, "upgrade"), upgrade)
		scripts, _ := filepath.Glob(filepath.Join(dir, "*", "*.ps1"))
		more, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.ps1"))
		for _, path := range append(scripts, more...) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			help, err := p.Help(path)
			if err != nil {
				t.Fatal(err)
			}
			name := c.name + "/" + strings.TrimPrefix(path, dir+"/")
			flat := strings.Join(strings.Fields(help), " ")
			synopsis, params := helpBlock(string(src))
			if synopsis == "" {
				t.Errorf("%s has no .SYNOPSIS", name)
			}
			if !strings.Contains(flat, synopsis) {
				t.Errorf("%s: Get-Help -Full does not show the synopsis %q:\n%s", name, synopsis, help)
				continue
			}
			for param, text := range params {
				if !strings.Contains(flat, text) {
					t.Errorf("%s: Get-Help -Full does not show the text of -%s (%q)", name, param, text)
				}
			}
			if !strings.Contains(help, "EXAMPLE 1") {
				t.Errorf("%s: Get-Help -Full shows no example", name)
			}
		}
	}
}

// helpBlock reads the script's comment-based help: the synopsis and the
// first line of each parameter's text, whitespace folded.
func helpBlock(src string) (synopsis string, params map[string]string) {
	params = map[string]string{}
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	for i := 0; i+1 < len(lines); i++ {
		key := strings.TrimSpace(lines[i])
		next := strings.Join(strings.Fields(lines[i+1]), " ")
		switch {
		case key == ".SYNOPSIS":
			synopsis = next
		case strings.HasPrefix(key, ".PARAMETER "):
			params[strings.TrimPrefix(key, ".PARAMETER ")] = next
		case key == "#>":
			return synopsis, params
		}
	}
	return synopsis, params
}

// TestARRScriptParses: configure-arr.ps1 needs IIS, which cannot run
// here, so PowerShell's own parser reads it instead: every example (and
// the hostile ones) as an ARR cluster, with an https public URL (the
// redirect of plain http, a certificate binding) and an http one.
func TestARRScriptParses(t *testing.T) {
	p := pool(t)
	examples := exampleCases(t)
	dir := t.TempDir()
	parsed := 0
	for _, c := range append(examples, hostileCases(t, examples)...) {
		for _, scheme := range []string{"https", "http"} {
			a := c.answers
			a.LoadBalancer.Kind = steps.LBIISARR
			if rest, ok := strings.CutPrefix(a.LoadBalancer.PublicURL, "https://"); ok {
				a.LoadBalancer.PublicURL = scheme + "://" + rest
			} else if rest, ok := strings.CutPrefix(a.LoadBalancer.PublicURL, "http://"); ok {
				a.LoadBalancer.PublicURL = scheme + "://" + rest
			}
			src, err := ps.ConfigureARR(a)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, fmt.Sprintf("configure-arr-%d.ps1", parsed))
			if err := os.WriteFile(file, src, 0o644); err != nil {
				t.Fatal(err)
			}
			errs, err := p.Parse(file)
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) > 0 {
				t.Errorf("%s (%s): PowerShell's parser reports %q", c.name, scheme, errs)
			}
			parsed++
		}
	}
	if parsed < 20 {
		t.Fatalf("only %d ARR scripts parsed: the test lost its grip", parsed)
	}
}

// pollsEveryNode: each polling tentacle holds one address per node
// (docs/octopus-facts.md §6.2), so a new node needs every tentacle updated.
func pollsEveryNode(a steps.Answers) bool {
	switch a.PollingMode() {
	case steps.PollingUniqueAddress, steps.PollingUniquePort:
		return true
	}
	return false
}

// nodeRow is the database row of the node called name, or nil.
func (cl *cluster) nodeRow(t *testing.T, name string) *winsim.NodeRow {
	t.Helper()
	for _, db := range cl.w.Cluster(t).Databases {
		if row := db.Nodes[name]; row != nil {
			return row
		}
	}
	return nil
}

// checkStartedDrained: a node that joins a running cluster whose
// tentacles poll every node is drained before its service first starts,
// so it takes no task before the tentacles poll it, and is drained at the
// end of the run; in any other cluster it is never drained.
func (cl *cluster) checkStartedDrained(t *testing.T, b *winsim.Box, r winsim.Run, want bool) {
	t.Helper()
	drainedAt, startedAt := -1, -1
	for i, c := range r.Calls {
		if c.Tool != "Octopus.Server.exe" {
			continue
		}
		if c.Command() == "node" && slices.Contains(c.Args, "--drain=true") && drainedAt < 0 {
			drainedAt = i
		}
		if c.Command() == "service" && slices.Contains(c.Args, "--start") && startedAt < 0 {
			startedAt = i
		}
	}
	row := cl.nodeRow(t, b.Name)
	switch {
	case !want && (drainedAt >= 0 || (row != nil && row.Drain)):
		t.Errorf("%s drained %s, whose tentacles do not poll every node", r.Script, b.Name)
	case want && (drainedAt < 0 || startedAt < 0 || drainedAt > startedAt):
		t.Errorf("%s did not drain %s before its service first started (drain at call %d, start at %d)", r.Script, b.Name, drainedAt, startedAt)
	case want && (row == nil || !row.Drain):
		t.Errorf("after %s, %s is not drained: %+v", r.Script, b.Name, row)
	case want && !strings.Contains(r.Text(), render.TentacleUpdateScript):
		t.Errorf("%s does not say to run %s before undraining:\n%s", r.Script, render.TentacleUpdateScript, r.Text())
	}
}

// undrain runs, on b, the undrain command the join script's run r printed.
func (cl *cluster) undrain(t *testing.T, b *winsim.Box, r winsim.Run) {
	t.Helper()
	command := ""
	for _, line := range r.Output {
		if strings.Contains(line, "--drain=false") && strings.HasPrefix(strings.TrimSpace(line), "& ") {
			command = strings.TrimSpace(line)
		}
	}
	if command == "" {
		t.Fatalf("%s printed no undrain command:\n%s", r.Script, r.Text())
	}
	path := filepath.Join(cl.w.Dir, "undrain.ps1")
	if err := os.WriteFile(path, []byte(command+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u := cl.run(t, b, script{path: path}, false)
	if row := cl.nodeRow(t, b.Name); u.Error != "" || row == nil || row.Drain {
		t.Errorf("the printed undrain command %q did not undrain %s: %+v", command, b.Name, row)
	}
}
