package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

// TestNodeScriptsOpenTheChecklistPorts: each node script opens in Windows
// Firewall exactly the inbound ports CHECKLIST.md's rows give that node:
// the web port always, the comms port when polling tentacles reach it.
// (internal/winsim runs the scripts and checks the rules they make.)
func TestNodeScriptsOpenTheChecklistPorts(t *testing.T) {
	for _, name := range testkit.ExampleNames(t) {
		a := loadExample(t, name)
		files, err := All(a)
		if err != nil {
			t.Fatal(err)
		}
		content := map[string]string{}
		for _, f := range files {
			content[f.Path] = string(f.Content)
		}
		checklist := content[ChecklistFile]
		for i, n := range a.Nodes {
			script := content[JoinScript(n.Name)]
			if i == 0 {
				script = content[FirstNodeScript]
			}
			webRow := fmt.Sprintf("| %s (`%s`) | TCP %d from the load balancer |", n.Name, n.Host, a.NodeWebPort(i))
			commsRow := fmt.Sprintf("| %s (`%s`) | TCP %d from ", n.Name, n.Host, a.NodeCommsPort(i))
			if !strings.Contains(checklist, webRow) {
				t.Errorf("%s: the checklist has no row %q", name, webRow)
			}
			if !strings.Contains(script, "('octoha-octopus-web-{0}' -f $WebPort)") {
				t.Errorf("%s: node %s's script opens no web port", name, n.Name)
			}
			rowed := strings.Contains(checklist, commsRow)
			opened := strings.Contains(script, "('octoha-octopus-comms-{0}' -f $CommsPort)")
			if rowed != opened || rowed != a.UsesPolling() {
				t.Errorf("%s: node %s: checklist comms row %v, script opens the comms port %v, polling %v", name, n.Name, rowed, opened, a.UsesPolling())
			}
			if !strings.Contains(script, fmt.Sprintf("$WebPort = %d\r\n", a.NodeWebPort(i))) || !strings.Contains(script, fmt.Sprintf("$CommsPort = %d\r\n", a.NodeCommsPort(i))) {
				t.Errorf("%s: node %s's script does not hold the checklist's ports", name, n.Name)
			}
		}
		if !strings.Contains(checklist, "-SkipFirewall") {
			t.Errorf("%s: the checklist does not say the node scripts open their ports, and how to skip it", name)
		}
	}
}

// TestAddNodeStartsDrainedWhenTentaclesPollEveryNode: a node added to a
// cluster whose tentacles poll every node comes up drained and is
// undrained only after the tentacle update; with listening tentacles or
// Redis nothing waits for a tentacle update, so nothing is drained.
func TestAddNodeStartsDrainedWhenTentaclesPollEveryNode(t *testing.T) {
	for _, c := range changeCases {
		if c.add == nil {
			continue
		}
		files, after := c.render(t)
		content := map[string]string{}
		for _, f := range files {
			content[f.Path] = string(f.Content)
		}
		checklist, join := content[ChecklistFile], content[JoinScript(c.add.Name)]
		drains := strings.Contains(join, "'--drain=true'")
		undrain := strings.Index(checklist, "**Undrain "+c.add.Name+"**")
		update := strings.Index(checklist, "`.\\"+TentacleUpdateScript+"`")
		switch mode := after.PollingMode(); mode {
		case steps.PollingUniqueAddress, steps.PollingUniquePort:
			if !drains || undrain < 0 || update < 0 || undrain < update {
				t.Errorf("%s (%s): join script drains %v; checklist undrains at %d, after the tentacle update at %d", c.name, mode, drains, undrain, update)
			}
			if !strings.Contains(checklist, "node --instance 'OctopusServer' --drain=false") {
				t.Errorf("%s: the checklist does not give the undrain command", c.name)
			}
		default:
			if drains || undrain >= 0 {
				t.Errorf("%s (%q): a node whose tentacles need no update is drained (script %v, checklist %d)", c.name, mode, drains, undrain)
			}
		}
	}
}
