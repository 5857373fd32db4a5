package ps

import (
	"fmt"

	"github.com/octoha/octoha/steps"
)

// Scripts for upgrading a running cluster to a newer Octopus version
// (octoha upgrade), in the order of the High Availability part of
// https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases:
// checks and maintenance mode on, every node drained and stopped, the first
// node installed (it upgrades the database), each other node installed,
// maintenance mode off.

// The upgrade's scripts that run once, on any machine that reaches the
// nodes.
const (
	UpgradePreflightScript = "upgrade-preflight.ps1"
	UpgradeFinishScript    = "upgrade-finish.ps1"
)

// UpgradeStopScriptName is the file name of a node's drain-and-stop script.
func UpgradeStopScriptName(node string) string { return "upgrade-stop-" + node + ".ps1" }

// UpgradeInstallScriptName is the file name of a node's install script.
func UpgradeInstallScriptName(node string) string { return "upgrade-install-" + node + ".ps1" }

// upgradeView is what the upgrade scripts read: the cluster before (the
// version it runs) and after (the version it moves to).
type upgradeView struct {
	before, after steps.Answers
}

func newUpgradeView(before, after steps.Answers) (upgradeView, error) {
	if len(before.Nodes) == 0 || len(after.Nodes) != len(before.Nodes) {
		return upgradeView{}, fmt.Errorf("an upgrade needs the same nodes before and after, and at least one")
	}
	return upgradeView{before: before, after: after}, nil
}

// nodeURL is node i's own web address, as the balancer reaches it: the
// nodes serve plain HTTP behind it (configure --webForceSSL False).
func nodeURL(a steps.Answers, i int) string {
	return fmt.Sprintf("http://%s:%d", a.Nodes[i].Host, a.NodeWebPort(i))
}

// versions are the two versions every upgrade script names.
func (u upgradeView) versions() *values {
	return newValues().
		note("Values from the octoha answers file: the version the cluster runs, and the").
		note("version it is upgraded to.").
		str("CurrentVersion", string(u.before.Octopus.Version)).
		str("TargetVersion", string(u.after.Octopus.Version))
}

// nodeList adds $Nodes, one hashtable per node i for which keep is true,
// with its Name and its own web Url.
func (u upgradeView) nodeList(vals *values, name string, keep func(i int) bool) []string {
	vals.line("$" + name + " = @(")
	var names []string
	for i, n := range u.before.Nodes {
		if keep(i) {
			vals.line("    @{ Name = " + vals.quoted(n.Name).code + "; Url = " + vals.quoted(nodeURL(u.before, i)).code + " }")
			names = append(names, n.Name)
		}
	}
	vals.line(")")
	return names
}

// UpgradePreflight renders upgrade-preflight.ps1.
func UpgradePreflight(before, after steps.Answers) ([]byte, error) {
	u, err := newUpgradeView(before, after)
	if err != nil {
		return nil, err
	}
	vals := u.versions().
		str("Instance", before.Octopus.Instance).
		str("ServerExePath", steps.JoinWindowsPath(before.Octopus.InstallDir, "Octopus.Server.exe")).
		str("SqlServer", before.Database.Server).
		str("SqlDatabase", before.Database.Name).
		note("The cluster's public URL, for maintenance mode, and each node's own web").
		note("address, for its version.").
		str("ServerUrl", before.LoadBalancer.PublicURL)
	u.nodeList(vals, "Nodes", func(int) bool { return true })
	return scriptFile{file: "upgrade-preflight.ps1", flags: map[string]bool{}, values: vals}.render()
}

// UpgradeFinish renders upgrade-finish.ps1.
func UpgradeFinish(before, after steps.Answers) ([]byte, error) {
	u, err := newUpgradeView(before, after)
	if err != nil {
		return nil, err
	}
	vals := u.versions().str("ServerUrl", before.LoadBalancer.PublicURL)
	u.nodeList(vals, "Nodes", func(int) bool { return true })
	return scriptFile{file: "upgrade-finish.ps1", flags: map[string]bool{}, values: vals}.render()
}

// nodeValues are what both per-node scripts read for node i.
func (u upgradeView) nodeValues(i int) *values {
	a := u.before
	return u.versions().
		str("Instance", a.Octopus.Instance).
		str("InstallDir", a.Octopus.InstallDir).
		str("HomeDir", a.Octopus.HomeDir).
		str("NodeName", a.Nodes[i].Name).
		str("ServiceName", a.ServiceName()).
		str("FirstNodeName", a.Nodes[0].Name)
}

// UpgradeStop renders node i's drain-and-stop script. The drain runs on
// the version the cluster runs before the upgrade, so its wait gate is
// that version's.
func UpgradeStop(before, after steps.Answers, i int) ([]byte, error) {
	u, err := newUpgradeView(before, after)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(before.Nodes) {
		return nil, fmt.Errorf("node %d is not in the answers, which have nodes 0 to %d", i, len(before.Nodes)-1)
	}
	v, ok := before.OctopusVersion()
	fixed := ok && steps.DrainWaitFix.In(v)
	vals := u.nodeValues(i).
		boolean("WaitBugFixed", fixed).
		text("WaitBugFixedIn", steps.DrainWaitFix.Since.String()).
		text("ScriptFile", UpgradeStopScriptName(before.Nodes[i].Name))
	return scriptFile{file: "upgrade-stop-node.ps1", flags: map[string]bool{"wait-bug-fixed": fixed}, values: vals}.render()
}

// UpgradeInstall renders node i's install script: node 0 installs first
// and upgrades the database; every other node installs after it.
func UpgradeInstall(before, after steps.Answers, i int) ([]byte, error) {
	u, err := newUpgradeView(before, after)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(before.Nodes) {
		return nil, fmt.Errorf("node %d is not in the answers, which have nodes 0 to %d", i, len(before.Nodes)-1)
	}
	first := i == 0
	name := before.Nodes[i].Name
	vals := u.nodeValues(i).
		str("SqlDatabase", before.Database.Name).
		str("StopScriptFile", UpgradeStopScriptName(name)).
		note("This node's own web address, and the nodes that must not run the old").
		note("version while this one is upgraded.").
		str("LocalUrl", fmt.Sprintf("http://localhost:%d", before.NodeWebPort(i)))
	if !first {
		vals.str("FirstNodeUrl", nodeURL(before, 0))
	}
	others := u.nodeList(vals, "OtherNodes", func(j int) bool { return j != i && j != 0 })
	if first {
		guard := "lacks that guard, so the check above is the only one"
		if after.Has(steps.UpgradeGuard) {
			guard = "has that guard; the check above comes first all the same"
		}
		vals.text("GuardSince", steps.UpgradeGuard.Since.String()).text("GuardWords", guard)
	}
	if len(others) == 0 {
		others = []string{"none"}
	}
	vals.textList("OtherNodeNames", others).
		text("ScriptFile", UpgradeInstallScriptName(name))
	return scriptFile{file: "upgrade-install-node.ps1", flags: map[string]bool{"first": first}, values: vals}.render()
}
