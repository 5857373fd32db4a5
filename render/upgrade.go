package render

import (
	"fmt"
	"strings"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// What `octoha upgrade` writes: the runbook for moving every node of a
// running cluster to a newer Octopus version, UPGRADE.md and its scripts.

// UpgradeFile is the runbook's Markdown, in the order to run things.
const UpgradeFile = "UPGRADE.md"

// UpgradeFiles renders the upgrade from the cluster before (the version it
// runs) to after (the same answers at the new version): the scripts in the
// order they run, then UPGRADE.md. after must have passed validation; the
// answers file is the caller's to write.
func UpgradeFiles(before, after steps.Answers) ([]File, error) {
	if len(before.Nodes) == 0 {
		return nil, fmt.Errorf("the answers have no nodes")
	}
	var l fileList
	l.add(ps.UpgradePreflightScript)(ps.UpgradePreflight(before, after))
	for i, n := range before.Nodes {
		l.add(ps.UpgradeStopScriptName(n.Name))(ps.UpgradeStop(before, after, i))
	}
	for i, n := range before.Nodes {
		l.add(ps.UpgradeInstallScriptName(n.Name))(ps.UpgradeInstall(before, after, i))
	}
	l.add(ps.UpgradeFinishScript)(ps.UpgradeFinish(before, after))
	l.add(UpgradeFile)(upgradeRunbook(before, after))
	return l.result()
}

// upgradeRunbook is UPGRADE.md.
func upgradeRunbook(before, after steps.Answers) ([]byte, error) {
	d := &markdown.Doc{}
	from, to := string(before.Octopus.Version), string(after.Octopus.Version)
	first := before.Nodes[0].Name
	d.Heading(1, "Upgrade ", d.Text(before.PublicHost()), " from Octopus ", d.Text(from), " to ", d.Text(to))
	d.Blank()
	d.Line("Written by octoha. It follows the High Availability part of the Octopus upgrade guide,")
	d.Line(docs.UpgradeHA, ", step by step, with the commands of")
	d.Line(docs.Automate, ". [INFER] marks what those pages leave open.")
	d.Line("Tick each box in order. Every script checks the state before each step, so after a failure fix the cause and")
	d.Line("run the same script again; each takes ", d.Code("-WhatIf"), " and logs its run under ", d.Code(`%ProgramData%\octoha\logs`), ".")
	upgradeBefore(d, before, after)
	upgradeSteps(d, before, to, first)
	upgradeAfter(d, before, after)
	return d.Bytes()
}

// upgradeBefore is what the guide asks before anything changes, and what
// the new version changes in octoha's gates.
func upgradeBefore(d *markdown.Doc, before, after steps.Answers) {
	to := string(after.Octopus.Version)
	d.Section("1. Before you start")
	d.Check("**System Integrity Check.** Run it on the live cluster (Configuration > Diagnostics [INFER: the menu]); the guide recommends it before any upgrade (", docs.Automate, ").")
	d.Check("**The MSI.** Download the Octopus Server MSI for **", d.Text(to), "** (", docs.Downloads, ") to a place every node and this machine reach; each")
	d.Cont("script takes its path as ", d.Code("-MsiPath"), ".")
	d.Check("**Backups.** A full backup of database ", d.Code(before.Database.Name), " on ", d.Code(before.Database.Server), ", the master key (",
		d.Code(ps.ServerCommand(before, "show-master-key")), " on any node) and the licence key. The guide takes all three before an upgrade;")
	d.Cont(d.Code(ps.UpgradePreflightScript), " cannot see them and stops until you pass ", d.Code("-ConfirmBackup"), ".")
	d.Check("**An API key** of an administrator, for maintenance mode (", d.Code(ps.UpgradePreflightScript), " and ", d.Code(ps.UpgradeFinishScript), " ask for it as a SecureString).")
	d.Check("**An outage.** Every node stops from step 2 until the first node is upgraded: nobody can use Octopus meanwhile, and the guide")
	d.Cont("says upgrading every node at once \"will most likely lead to deadlocks in the database\".")
	fromV, okFrom := before.OctopusVersion()
	toV, okTo := after.OctopusVersion()
	if !okFrom || !okTo {
		return
	}
	if gained := steps.FeaturesGained(fromV, toV); len(gained) > 0 {
		var what []string
		for _, f := range gained {
			what = append(what, d.Text(f.What)+" ("+d.Text(f.Since.String())+")")
		}
		d.Check("**What ", d.Text(to), " adds** among the features octoha gates on: ", strings.Join(what, "; "), ". The answers written")
		d.Cont("here keep every other answer as it was: [INFER] change them and run ", d.Code("octoha export"), " afterwards to use a new one.")
	}
	if !steps.UpgradeGuard.In(toV) {
		d.Check("**No guard in Octopus itself.** From ", d.Text(steps.UpgradeGuard.Since.String()), " on a database upgrade aborts while other nodes run (", docs.UpgradeHA, ");")
		d.Cont(d.Text(to), " is older, so the install scripts' check that every other node is stopped is the only guard.")
	}
}

// upgradeSteps is the order to run the scripts in.
func upgradeSteps(d *markdown.Doc, before steps.Answers, to, first string) {
	d.Section("2. The upgrade, in order")
	n := 1
	step := func(parts ...string) { d.Step(n, parts...); n++ }
	step("On this machine or any machine that reaches every node's web port and ", d.Code(before.LoadBalancer.PublicURL), ": check every node runs")
	d.Cont(d.Text(string(before.Octopus.Version)), " and the MSI is ", d.Text(to), ", then maintenance mode on:")
	d.Blank()
	d.CodeLine(d.Verbatim("$key = Read-Host -AsSecureString -Prompt 'Octopus API key'"))
	d.CodeLine(d.Verbatim(psRun(ps.UpgradePreflightScript) + " -MsiPath <MSI> -ApiKey $key -ConfirmBackup"))
	d.Blank()
	step("On **every** node, drain it and stop its service (running tasks may finish for ", d.Code("-WaitSeconds"), "; ", d.Code("-CancelTasks"), " cancels the rest):")
	for _, node := range before.Nodes {
		d.Cont("- [ ] on ", d.Code(node.Host), ": ", d.Code(psRun(ps.UpgradeStopScriptName(node.Name))))
	}
	step("**Back up the database** ", d.Code(before.Database.Name), " now that every node is stopped: the guide takes the backup at this point, so it holds")
	d.Cont("everything the old version wrote (the backup ", d.Code("-ConfirmBackup"), " confirmed in step 1 may be older).")
	step("On the first node, ", d.Code(before.Nodes[0].Host), ", once every node is stopped: ", d.Code(psRun(ps.UpgradeInstallScriptName(first))+" -MsiPath <MSI>"), ".")
	d.Cont("It refuses while another node still runs the old version, installs the MSI quietly, upgrades the database **once**, starts")
	d.Cont("the service, waits for the node's health check (", d.Code("/api/octopusservernodes/ping"), ") and undrains it.")
	if len(before.Nodes) > 1 {
		step("On each other node, after the first: install, start, wait and undrain (no database upgrade):")
		for _, node := range before.Nodes[1:] {
			d.Cont("- [ ] on ", d.Code(node.Host), ": ", d.Code(psRun(ps.UpgradeInstallScriptName(node.Name))+" -MsiPath <MSI>"))
		}
	}
	step("Test the cluster as an administrator (maintenance mode keeps everyone else out): sign in through ", d.Code(before.LoadBalancer.PublicURL), ",")
	d.Cont("check that Configuration > Nodes lists every node on ", d.Text(to), ", and run a deployment.")
	step("On the machine of step 1: ", d.Code(psRun(ps.UpgradeFinishScript)+" -ApiKey $key"), ". It checks that every node answers with ", d.Text(to), ",")
	d.Cont("then turns maintenance mode off.")
}

// upgradeAfter is what to do when a step fails, and afterwards.
func upgradeAfter(d *markdown.Doc, before, after steps.Answers) {
	d.Section("3. If a step fails")
	d.Item("Run the same script again once the cause is fixed: it skips what is done (installed version, service state, drain, the")
	d.Cont("database upgrade recorded in the first node's home folder). Maintenance mode stays on until the last step.")
	d.Item("To go back instead, restore the database backup and install the MSI of ", d.Text(string(before.Octopus.Version)), " on every node [INFER: the HA upgrade")
	d.Cont("guide names the backup as the way back, and no downgrade of a schema].")
	d.Section("4. Afterwards")
	d.Line(d.Code(AnswersFile), " in this folder names Octopus ", d.Text(string(after.Octopus.Version)), ": it is the cluster's answers from now on; start the next")
	d.Line(d.Code("octoha add-node"), ", ", d.Code("remove-node"), " or ", d.Code("check"), " from it.")
}
