package render

import (
	"regexp"
	"slices"
	"strings"

	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/render/sql"
	"github.com/octoha/octoha/steps"
)

// Sentences for what sits beside the nodes: the DBA's script
// (render/sql) and Kubernetes agents (render/kube).

// dbaScript is what the checklists say about sql/prepare-database.sql,
// read from the script itself as the scripts' prompts are: the :setvar
// values the DBA sets, and the variables it uses that no :setvar sets,
// which sqlcmd then takes from the environment (FACTS.md, sqlcmd
// scripting variables).
type dbaScript struct {
	setvars, fromEnvironment []string
}

var (
	setvarLine = regexp.MustCompile(`(?m)^:setvar (\w+) `)
	sqlcmdVar  = regexp.MustCompile(`\$\((\w+)\)`)
)

// readDBAScript reads what the rendered script asks of the DBA.
func readDBAScript(a steps.Answers) (dbaScript, error) {
	script, err := sql.PrepareDatabase(a)
	if err != nil {
		return dbaScript{}, err
	}
	var s dbaScript
	for _, m := range setvarLine.FindAllStringSubmatch(string(script), -1) {
		s.setvars = append(s.setvars, m[1])
	}
	for _, m := range sqlcmdVar.FindAllStringSubmatch(string(script), -1) {
		if !contains(s.setvars, m[1]) && !contains(s.fromEnvironment, m[1]) {
			s.fromEnvironment = append(s.fromEnvironment, m[1])
		}
	}
	return s, nil
}

// sqlcmdCommand is the command the DBA runs in the output folder, against
// the SQL Server as the nodes reach it (its Data Source, which sqlcmd's -S
// reads in the same form: [tcp:]server[\instance][,port]).
func sqlcmdCommand(a steps.Answers) string {
	server := a.Database.Server
	if s, err := a.SQLServer(); err == nil {
		server = s.DataSource()
	}
	return "sqlcmd -S " + word(server) + " -E -i " + strings.ReplaceAll(DatabaseScript, "/", `\`)
}

// setvarWords is ", after setting its `:setvar` values (`A`, `B`)" for
// the variables s sets, or "" when it sets none.
func (s dbaScript) setvarWords(d *markdown.Doc) string {
	if len(s.setvars) == 0 {
		return ""
	}
	var names []string
	for _, v := range s.setvars {
		names = append(names, d.Code(v))
	}
	return ", after setting its `:setvar` values (" + strings.Join(names, ", ") + ")"
}

// environmentWords says which variables sqlcmd reads from the
// environment: the SQL login's password, never written to a file.
func (s dbaScript) environmentWords(d *markdown.Doc) string {
	if !slices.Contains(s.fromEnvironment, "SqlLoginPassword") {
		return ""
	}
	return "with the SQL login's password in the environment variable " + d.Code("SqlLoginPassword") + " (no file holds it)"
}

// dbaScriptItem is the cluster checklist's item for the DBA's script.
func (c clusterChecklist) dbaScriptItem() error {
	d, a := c.d, c.a
	s, err := readDBAScript(a)
	if err != nil {
		return err
	}
	d.Check("**The DBA's script.** Give ", d.Code(DatabaseScript), " to the DBA, who runs it as a sysadmin in PowerShell in this")
	d.Cont("folder", s.setvarWords(d), ":")
	d.Cont(d.Code(sqlcmdCommand(a)))
	if w := s.environmentWords(d); w != "" {
		d.Cont(w, ".")
	}
	if a.Database.Create {
		d.Cont("Run it before ", d.Code(FirstNodeScript), " (the logins, and the right to create the database) and again after it")
		d.Cont("(db_owner for every login).")
	} else {
		d.Cont("Run it before ", d.Code(FirstNodeScript), ": it makes the logins, the empty database and db_owner for every login.")
	}
	if a.InAvailabilityGroup() {
		d.Cont("AlwaysOn: on the primary replica first (the listener in the command reaches it), then on every secondary replica,")
		d.Cont("with `-S` naming that replica.")
		if a.Database.Create {
			d.Cont("So: on every replica before ", d.Code(FirstNodeScript), ", on the primary after it, then on every secondary again.")
		}
		if contains(s.setvars, "SqlLoginSid") {
			d.Cont("On a secondary, set `SqlLoginSid` to the SID the primary's run printed.")
		}
	}
	d.Cont("It makes only what is missing, so it is safe to run again.")
	return nil
}

// addNodeDBAItem is the add-node checklist's item for the DBA's script,
// written when the new node connects as a login of its own (its computer
// account), which the script makes.
func (c changeChecklist) addNodeDBAItem() error {
	d, a := c.d, c.a
	s, err := readDBAScript(a)
	if err != nil {
		return err
	}
	d.Check("Before the join script, the DBA runs ", d.Code(DatabaseScript), ", so that the new node's computer account has a")
	d.Cont("login: as a sysadmin in PowerShell in this folder", s.setvarWords(d), ",")
	d.Cont(d.Code(sqlcmdCommand(a)))
	d.Cont("It makes only what is missing: the other nodes' logins stay as they are.")
	if a.InAvailabilityGroup() {
		d.Cont("AlwaysOn: on the primary replica first, then on every secondary replica, with `-S` naming that replica.")
	}
	return nil
}

// agentFirewallLine is, when tentacles listen, the line saying that
// Kubernetes agents still poll: they need the nodes' comms ports, which
// the node scripts open only for polling tentacles (nodeFirewallNote).
func agentFirewallLine(d *markdown.Doc, a steps.Answers, nodes []nodeRow) {
	if a.UsesPolling() {
		return
	}
	var ports []string
	for _, n := range nodes {
		if p := d.Num(n.CommsPort); !contains(ports, p) {
			ports = append(ports, p)
		}
	}
	who := "Every node"
	if len(nodes) == 1 {
		who = d.Text(nodes[0].Name)
	}
	d.Line(who, ": inbound TCP ", strings.Join(ports, ", "), " (the comms port) from the Kubernetes clusters that run agents, if any:")
	d.Line("a Kubernetes agent polls even when Tentacles listen, and the node scripts do not open that port.")
}

// agentStep is the cluster checklist's step for Kubernetes agents.
func agentStep(d *markdown.Doc, n int, a steps.Answers) {
	d.Step(n, "**Kubernetes agents**, if any: install each with the helm command Octopus's Add Kubernetes agent wizard shows,")
	d.Cont("its `--set agent.serverCommsAddress=\"…\"` replaced by ", d.Code("--values "+AgentValuesFile), ", which gives")
	if a.AgentsPollEveryNode() {
		d.Cont("every node's address (Octopus ", d.Text(steps.AgentWizardNodeURLs.Since.String()), " and later ask for them in that wizard too).")
	} else {
		d.Cont("the one polling address.")
	}
}

// agentUpdateCommand is the command a change's checklist prints for each
// Kubernetes agent (kube.UpgradeScript's usage, run from this folder).
const agentUpdateCommand = "sh " + AgentUpdateScript + " RELEASE NAMESPACE CHART_VERSION"

// agentUpdateStep is a change's step for the Kubernetes agents already
// installed, when they poll every node.
func agentUpdateStep(d *markdown.Doc, n int) {
	d.Step(n, "For **every Kubernetes agent**, where helm reaches its cluster: ", d.Code(agentUpdateCommand))
	d.Cont("(release and namespace from the agent's Connectivity page in Octopus, version from `helm list`): it points the")
	d.Cont("agent at the addresses in ", d.Code(AgentValuesFile), ", keeping its other values.")
}
