package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/render/topology"
	"github.com/octoha/octoha/steps"
)

// plainWord is a value every shell an admin may use (PowerShell, cmd.exe,
// a POSIX shell) reads as one argument equal to itself. It starts with a
// letter, so PowerShell never reads it as a number (1kb, 0x10, 1e3) or a
// parameter.
var plainWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)

// word prints s as one argument of a command line: as it is when it is a
// plain word, which then runs the same in every shell, else as a
// PowerShell literal. Validated answers keep node names plain words, so
// a command printed with word runs wherever octoha itself runs.
func word(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return ps.Quote(s)
}

// psRun is the PowerShell command that runs the script file in the current
// folder: .\file when the name needs no quotes, else & '.\file'.
func psRun(file string) string {
	if plainWord.MatchString(file) {
		return `.\` + file
	}
	return "& " + ps.Quote(`.\`+file)
}

// tentacleExe is Tentacle.exe in the folder register-tentacle.ps1 and
// update-polling-tentacles.ps1 take by default (-InstallDir).
const tentacleExe = `C:\Program Files\Octopus Deploy\Tentacle\Tentacle.exe`

// promptWords name, in the checklists' words, what each mandatory
// parameter of a script asks for. A mandatory parameter missing here
// stops the checklist from rendering, so a new prompt cannot go unlisted.
var promptWords = map[string]string{
	"AdminPassword":    "the administrator password",
	"SqlPassword":      "the SQL password",
	"ServicePassword":  "the service account's password",
	"RedisPassword":    "the Redis password",
	"MasterKey":        "the master key",
	"ApiKey":           "an API key",
	"ServerThumbprint": "the Octopus Server's certificate thumbprint",
	"LicenseFile":      "the licence file",
}

// paramLine is a parameter declaration in a script's param block, such
// as "    [SecureString] $MasterKey," or "    [string[]] $Roles = @()".
var paramLine = regexp.MustCompile(`^\s*\[[A-Za-z.\[\]]+\]\s*\$(\w+)`)

// mandatoryParameters lists the mandatory parameters of a rendered
// script's own param block, read from the script itself: the script is the
// one owner of what it asks for, and the checklists only name it (asks).
// It takes a renderer's two results, and passes on its error.
func mandatoryParameters(script []byte, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.ReplaceAll(string(script), "\r\n", "\n"), "\n")
	start := -1
	for i, l := range lines {
		if l == "param(" {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("the script has no param block to read its prompts from")
	}
	var out []string
	mandatory := false
	for _, l := range lines[start+1:] {
		if l == ")" {
			return out, nil
		}
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[Parameter(") {
			mandatory = strings.Contains(t, "Mandatory") && !strings.Contains(t, "$false")
			continue
		}
		m := paramLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if mandatory {
			out = append(out, m[1])
		}
		mandatory = false
	}
	return nil, fmt.Errorf("the script's param block does not end")
}

// asks says what a script with these mandatory parameters asks for when
// run as a checklist prints it, which passes the parameters named in
// passed.
func asks(params []string, err error, passed ...string) ([]string, error) {
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range params {
		if contains(passed, name) {
			continue
		}
		w, ok := promptWords[name]
		if !ok {
			return nil, fmt.Errorf("the script asks for -%s, which the checklist does not name: add it to promptWords", name)
		}
		out = append(out, w)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// nodeRow is node i of a as a checklist row: where it is and what must
// reach it.
type nodeRow struct {
	steps.Node
	WebPort, CommsPort int
	// CommsFrom says who opens the comms port, "" when nobody needs to.
	CommsFrom string
	// URL is the node's own web address (steps.Answers.NodeURL), and
	// CommsAddress the one polling tentacles keep for it (ps.CommsAddress).
	URL, CommsAddress string
}

// nodeRowOf is node i of a as a checklist row.
func nodeRowOf(a steps.Answers, i int) nodeRow {
	return nodeRow{Node: a.Nodes[i], WebPort: a.NodeWebPort(i), CommsPort: a.NodeCommsPort(i), CommsFrom: commsFrom(a),
		URL: a.NodeURL(i), CommsAddress: ps.CommsAddress(a, i)}
}

// clusterChecklist writes CHECKLIST.md for a new cluster.
type clusterChecklist struct {
	d *markdown.Doc
	a steps.Answers
	// firstAsks, tentacleAsks and nodeAsks[i] are what
	// install-first-node.ps1, register-tentacle.ps1 and node i's join
	// script ask for, run as the checklist prints them.
	firstAsks, tentacleAsks []string
	nodeAsks                [][]string
}

// Checklist renders CHECKLIST.md: what to prepare, which ports to open on
// which machine, and the order to run everything in.
func Checklist(a steps.Answers) ([]byte, error) {
	c := clusterChecklist{d: &markdown.Doc{}, a: a, nodeAsks: make([][]string, len(a.Nodes))}
	params, err := mandatoryParameters(ps.FirstNode(a))
	if c.firstAsks, err = asks(params, err, "LicenseFile"); err != nil {
		return nil, fmt.Errorf("%s: %w", FirstNodeScript, err)
	}
	if c.tentacleAsks, err = asks(mandatoryParameters(ps.RegisterTentacle(a))); err != nil {
		return nil, fmt.Errorf("%s: %w", TentacleScript, err)
	}
	for i := 1; i < len(a.Nodes); i++ {
		if c.nodeAsks[i], err = asks(mandatoryParameters(ps.JoinNode(a, i))); err != nil {
			return nil, fmt.Errorf("%s: %w", JoinScript(a.Nodes[i].Name), err)
		}
	}
	c.intro()
	if err := c.before(); err != nil {
		return nil, fmt.Errorf("%s: %w", DatabaseScript, err)
	}
	c.dns()
	c.firewall()
	c.run()
	c.afterwards()
	return c.d.Bytes()
}

func (c clusterChecklist) intro() {
	d, a := c.d, c.a
	d.Heading(1, "Octopus Server HA checklist: ", d.Text(a.PublicHost()))
	d.Blank()
	d.Line("Octopus ", d.Text(string(a.Octopus.Version)), ", ", d.Num(len(a.Nodes)), " nodes behind ", d.Text(a.LoadBalancer.Kind), " at ", d.Text(a.LoadBalancer.PublicURL), ",")
	if a.UsesPolling() {
		d.Line("polling tentacles (", d.Text(a.PollingMode()), ").")
	} else {
		d.Line("listening tentacles.")
	}
	d.Line("Written by octoha. Tick each box in order; every step names the file it uses.")
	d.Blank()
	d.Line(strings.TrimSuffix(topology.MarkdownBlock(topology.Describe(a)), "\n"))
}

func (c clusterChecklist) before() error {
	d, a := c.d, c.a
	db := a.Database
	d.Section("1. Before you run anything")
	var names []string
	for _, n := range a.Nodes {
		names = append(names, d.Text(n.Name))
	}
	d.Check("**Same Octopus version everywhere.** Install the Octopus Server MSI ", d.Text(string(a.Octopus.Version)), " on every node")
	d.Cont("(", strings.Join(names, ", "), "). Every node must run the identical version.")
	d.Check("**Licence.** A licence whose `<NodeLimit>` allows ", d.Num(len(a.Nodes)), " nodes (Professional allows 2, Enterprise")
	d.Cont("is unlimited). Keep the licence XML file at hand for the first node; octoha never stores it.")
	msf := ""
	if db.MultiSubnetFailover {
		msf = " The nodes connect through the AlwaysOn listener with MultiSubnetFailover."
	}
	if db.Create {
		d.Check("**SQL Server.** The first node creates database ", d.Code(db.Name), " on ", d.Code(db.Server))
		d.Cont("(`database --create`).", msf)
	} else {
		d.Check("**SQL Server.** Database ", d.Code(db.Name), " on ", d.Code(db.Server), " already exists, empty or from this")
		d.Cont("cluster, with a case-insensitive collation (`_CI_`, e.g. `Latin1_General_CI_AS`); the first node makes its")
		d.Cont("schema (`database --upgrade`).", msf)
	}
	c.sqlRights()
	if err := c.dbaScriptItem(); err != nil {
		return err
	}
	d.Check("**Shared storage.** The Octopus service account, ", serviceAccountWords(d, a), ", needs **full control**")
	d.Cont("(share permission and NTFS) of:")
	for _, f := range a.SharedFolders() {
		d.Cont("- ", d.Text(f.Label), ": ", d.Code(f.Effective))
	}
	d.Cont("Use the same path on every node: no node-local folders, no DFS namespace root, one DFS replica for all.")
	d.Cont("Whoever runs ", d.Code(FirstNodeScript), " needs **write** access to ", d.Code(a.Storage.Root), ": the script writes its marker")
	d.Cont("file ", d.Code(ps.MarkerFile), " there as that admin (it proves the access first with a probe file). Whoever runs a join")
	d.Cont("script needs **read** access to it: the join scripts read the marker.")
	if a.Octopus.ServiceAccount != "" {
		d.Check("**Service account.** ", d.Code(a.Octopus.ServiceAccount), ` has "Log on as a service" on every node.`)
	}
	if a.PollingMode() == steps.PollingRedis {
		r := a.Tentacles.Redis
		tls := ""
		if r.SSL {
			tls = " (TLS)"
		}
		d.Check("**Redis** at ", d.Code(r.Host+":"+strconv.Itoa(r.Port)), tls, ": no persistence")
		d.Cont("(`save \"\"`, `appendonly no`), `maxmemory-policy noeviction`, no replication or failover, version 8.0 or")
		d.Cont("later recommended. Every node must reach it.")
	}
	return nil
}

// sqlRights continues the SQL Server item: who connects as whom, and the
// rights each needs.
func (c clusterChecklist) sqlRights() {
	d, a := c.d, c.a
	create := a.Database.Create
	if a.DatabaseLoginKind() == steps.LoginSQL {
		d.Cont("Every script's commands and every node's service connect as the SQL login ", d.Code(a.Database.User), ":")
		if create {
			d.Cont("it needs the right to create databases (dbcreator; the Octopus docs do not name the role), and")
			d.Cont("owns the database it creates.")
		} else {
			d.Cont("make it **db_owner** of the database.")
		}
		return
	}
	d.Cont("The scripts' commands (`database`, `admin`, `license`, `path`, `node`) connect as the admin who runs them, not")
	if create {
		d.Cont("as the service account. Whoever runs ", d.Code(FirstNodeScript), " needs the right to create databases")
		d.Cont("(dbcreator; the Octopus docs do not name the role); whoever runs a join script needs **db_owner** of the")
		d.Cont("database.")
	} else {
		d.Cont("as the service account. Whoever runs ", d.Code(FirstNodeScript), " or a join script needs **db_owner** of the database.")
	}
	where := " in that node's own script"
	if a.DatabaseLoginKind() == steps.LoginWindows {
		where = " on the first node's run"
	}
	d.Cont(grantedToWords(d, a), " gets **db_owner** through `database --grant`", where, ".")
	d.Cont(loginFirst[0])
	d.Cont(loginFirst[1])
}

func (c clusterChecklist) dns() {
	d, a := c.d, c.a
	d.Section("2. DNS")
	d.Check(d.Code(a.PublicHost()), " resolves to the load balancer, for users and tentacles.")
	// The polling address defaults to the public name, already listed.
	if m := a.PollingMode(); (m == steps.PollingUniquePort || m == steps.PollingRedis) && !strings.EqualFold(a.PollingAddress(), a.PublicHost()) {
		d.Check(d.Code(a.PollingAddress()), " resolves to the load balancer's polling listener; tentacles poll it.")
	}
	for _, n := range a.Nodes {
		d.Check(d.Code(n.Host), " resolves to node ", d.Text(n.Name), " from the load balancer", fromTentacles(a), ".")
	}
}

// fromTentacles is what a node's DNS item adds when tentacles poll each
// node at its own name.
func fromTentacles(a steps.Answers) string {
	if a.PollingMode() == steps.PollingUniqueAddress {
		return " and from every polling tentacle"
	}
	return ""
}

func (c clusterChecklist) firewall() {
	d, a := c.d, c.a
	d.Section("3. Firewall")
	d.Table("Machine", "Open inbound", "Why")
	d.Row("Load balancer", "TCP "+d.Num(a.PublicPort())+" from users and tentacles", "web portal, API, tentacle registration")
	for _, p := range pollingPorts(a) {
		d.Row("Load balancer", "TCP "+d.Num(p)+" from polling tentacles", "polling, passed through as plain TCP (never TLS-terminated)")
	}
	for i := range a.Nodes {
		n := nodeRowOf(a, i)
		machine := d.Text(n.Name) + " (" + d.CodeCell(n.Host) + ")"
		d.Row(machine, "TCP "+d.Num(n.WebPort)+" from the load balancer", "web portal and health check")
		if n.CommsFrom != "" {
			d.Row(machine, "TCP "+d.Num(n.CommsPort)+" from "+d.Text(n.CommsFrom), "polling tentacles")
		}
	}
	d.Blank()
	nodeFirewallNote(d, a)
	d.Blank()
	var hosts []string
	for _, h := range a.ShareHosts() {
		hosts = append(hosts, d.Code(h))
	}
	d.Line("Every node also needs outbound: ", sqlPortWords(d, a, " (SQL Browser)"), " to ", d.Code(a.Database.Server), ",")
	last := "TCP " + d.Num(steps.SMBPort) + " to " + strings.Join(hosts, ", ")
	if !a.UsesPolling() {
		last += ", TCP " + d.Num(steps.TentacleListenPort) + " to every listening tentacle"
	}
	if a.PollingMode() == steps.PollingRedis {
		last += ", TCP " + d.Num(a.Tentacles.Redis.Port) + " to " + d.Code(a.Tentacles.Redis.Host)
	}
	d.Line(last, ".")
	if !a.UsesPolling() {
		d.Line("Each tentacle opens TCP ", d.Num(steps.TentacleListenPort), " inbound from every node (", d.Code(TentacleScript), " adds the Windows rule).")
	}
	var nodes []nodeRow
	for i := range a.Nodes {
		nodes = append(nodes, nodeRowOf(a, i))
	}
	agentFirewallLine(d, a, nodes)
}

// pollingPorts are the balancer's TCP ports polling tentacles reach: one
// per node (unique-port), the one balanced port (redis), or none.
func pollingPorts(a steps.Answers) []int {
	switch a.PollingMode() {
	case steps.PollingUniquePort:
		var ports []int
		for i := range a.Nodes {
			ports = append(ports, a.NodeCommsPort(i))
		}
		return ports
	case steps.PollingRedis:
		return []int{a.Tentacles.BasePort}
	}
	return nil
}

func (c clusterChecklist) run() {
	d, a := c.d, c.a
	first := a.Nodes[0].Name
	d.Section("4. Run, in this order")
	d.Step(1, "On **", d.Text(first), "**, in an elevated PowerShell in the folder holding these files, with the licence")
	d.Cont("saved there as `licence.xml`: ", d.Code(psRun(FirstNodeScript)+` -LicenseFile .\licence.xml`), asksWords(d, c.firstAsks), ".")
	d.Step(2, "Still on ", d.Text(first), ", read the master key as the script's last lines show and store it in your")
	d.Cont("password vault. Never put it on the file share or in a ticket.")
	for i := 1; i < len(a.Nodes); i++ {
		d.Step(i+2, "On **", d.Text(a.Nodes[i].Name), "**, in an elevated PowerShell: ", d.Code(psRun(JoinScript(a.Nodes[i].Name))), asksWords(d, c.nodeAsks[i]), ".")
	}
	d.Step(len(a.Nodes)+2, "Load balancer: apply ", d.Code(lbFileFor(a.LoadBalancer.Kind)), " (its first lines say how), then browse ", d.Text(a.LoadBalancer.PublicURL))
	d.Cont("and sign in as ", d.Code(a.Octopus.AdminUsername), ". Configuration > Nodes lists all ", d.Num(len(a.Nodes)), " nodes.")
	d.Step(len(a.Nodes)+3, "On each deployment target, in an elevated PowerShell: ", d.Code(psRun(TentacleScript)), asksWords(d, c.tentacleAsks), ".")
	agentStep(d, len(a.Nodes)+4, a)
}

func (c clusterChecklist) afterwards() {
	d, a := c.d, c.a
	d.Section("5. Afterwards")
	d.Item("To take a node out for maintenance: in Configuration > Nodes choose Drain (or run, on the node in an elevated PowerShell,")
	if a.LoadBalancer.Kind == steps.LBNginx {
		d.Cont(d.Code(ps.DrainCommand(a)), "); its health check then answers 418, but open-source NGINX never calls it: mark the node's `server` line `down` in")
		d.Cont(d.Code(lbFileFor(a.LoadBalancer.Kind)), " and reload NGINX, and undo that afterwards.")
	} else {
		d.Cont(d.Code(ps.DrainCommand(a)), "); its health check then answers 418 and the balancer stops sending it users.")
	}
	d.Item("Upgrades need every node on the new version: drain all, stop all, back up the database and the master key,")
	d.Cont("install the MSI on one node (it upgrades the schema), then on the others, start, and undrain.")
	d.Item("Never copy ", d.Code(a.Octopus.HomeDir+`\`+a.Octopus.Instance+".config"), " between machines: its keys are bound to the machine.")
	d.Item("To rebuild a node on a fresh machine of the same name while the cluster runs: install the MSI ", d.Text(string(a.Octopus.Version)), ",")
	d.Cont("then run that node's join script there with the master key: ", d.Code(psRun(RebuildScript(a.Nodes[0].Name))), " for the first node,")
	others := ""
	for _, n := range a.Nodes[1:] {
		others += "; " + d.Code(psRun(JoinScript(n.Name))) + " for " + d.Text(n.Name)
	}
	d.Cont(d.Text(a.Nodes[0].Name), others, ".")
	d.Cont(d.Code(FirstNodeScript), " refuses such a machine: the cluster is installed already.")
	d.Item("A re-run of ", d.Code(FirstNodeScript), " leaves the shared folders and the task cap as the web portal has them;")
	d.Cont("with ", d.Code("-ReapplyClusterSettings"), " it sends the answers' values again.")
}

func lbFileFor(kind string) string {
	switch kind {
	case steps.LBNginx:
		return NginxConfig
	case steps.LBHAProxy:
		return HAProxyConfig
	case steps.LBApache:
		return ApacheConfig
	case steps.LBIISARR:
		return ARRScript
	}
	return ExternalLBNotes
}
