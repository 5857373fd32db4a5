package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// changeChecklist writes the CHECKLIST.md of adding or removing a node.
type changeChecklist struct {
	d *markdown.Doc
	// a is the cluster after the change.
	a steps.Answers
	// node is the node joining or leaving, with its ports; others are the
	// nodes that were there before and stay.
	node   nodeRow
	others []nodeRow
	// scriptAsks is what the change's node script (the join or drain
	// script) asks for, and updateAsks what update-polling-tentacles.ps1
	// asks for, each run as the checklist prints it.
	scriptAsks, updateAsks []string
}

// pollsEveryNode says tentacles poll each node, so they need the update.
func (c changeChecklist) pollsEveryNode() bool { return c.a.PollsEveryNode() }

// nodes is "node" or "nodes" for n of them.
func nodes(n int) string {
	if n == 1 {
		return "node"
	}
	return "nodes"
}

// header writes the change's first lines, after its heading and summary.
func (c changeChecklist) header() {
	c.d.Line("Written by octoha for this change only. Tick each box in order; every step names the file it uses.")
	c.d.Line(c.d.Code(AnswersFile), " in this folder is the cluster's answers from now on: keep it, and start the next change from it.")
}

func (c changeChecklist) otherNames() string {
	var names []string
	for _, o := range c.others {
		names = append(names, c.d.Text(o.Name))
	}
	return strings.Join(names, ", ")
}

// redisAddress is the one address every tentacle polls with multi-node
// polling.
func (c changeChecklist) redisAddress() string {
	return c.a.PollingAddress() + ":" + strconv.Itoa(c.a.Tentacles.BasePort)
}

// addNodeChecklist is the CHECKLIST.md of AddNodeFiles.
func addNodeChecklist(grown steps.Answers, added int) ([]byte, error) {
	node := grown.Nodes[added]
	c := changeChecklist{d: &markdown.Doc{}, a: grown, node: nodeRowOf(grown, added)}
	var err error
	if c.scriptAsks, err = asks(mandatoryParameters(ps.JoinNode(grown, added))); err != nil {
		return nil, fmt.Errorf("%s: %w", JoinScript(node.Name), err)
	}
	if c.pollsEveryNode() {
		if c.updateAsks, err = asks(mandatoryParameters(ps.AddNodeToTentacles(grown, added))); err != nil {
			return nil, fmt.Errorf("%s: %w", TentacleUpdateScript, err)
		}
	}
	for i := range grown.Nodes {
		if i != added {
			c.others = append(c.others, nodeRowOf(grown, i))
		}
	}
	a, d, n := grown, c.d, c.node
	d.Heading(1, "Add node ", d.Text(n.Name), " to ", d.Text(a.PublicHost()))
	d.Blank()
	d.Line("Octopus ", d.Text(string(a.Octopus.Version)), ": node ", d.Text(n.Name), " (", d.Code(n.Host), ") joins the ", d.Num(len(c.others)), " running ", nodes(len(c.others)))
	d.Line("(", c.otherNames(), "), making ", d.Num(len(a.Nodes)), ".")
	c.header()
	if err := c.addBefore(); err != nil {
		return nil, fmt.Errorf("%s: %w", DatabaseScript, err)
	}
	c.addFirewall()
	c.addRun()
	d.Section("4. Taking the node out again")
	d.Line("Run ", d.Code("octoha remove-node --answers "+word(AnswersFile)+" --name "+word(n.Name)+" --out "+word("remove-"+n.Name)), ". It writes a drain")
	update := ""
	if c.pollsEveryNode() {
		update = ", the tentacle update"
	}
	if a.AgentsPollEveryNode() {
		update += ", the Kubernetes agents' update"
	}
	d.Line("script for ", d.Text(n.Name), ", the balancer file without it", update, " and a checklist for that change.")
	return d.Bytes()
}

func (c changeChecklist) addBefore() error {
	a, d, n := c.a, c.d, c.node
	d.Section("1. Before you run anything")
	if len(a.Nodes) > 2 {
		// A Professional licence allows two nodes (docs/octopus-facts.md §7).
		d.Check("**Licence.** The licence's `<NodeLimit>` must allow ", d.Num(len(a.Nodes)), " nodes ("+docs.HA+"). A Professional licence allows 2: a")
		d.Cont("third node needs Enterprise (unlimited). Over the limit, Octopus blocks creating and deploying releases.")
	} else {
		d.Check("**Licence.** The licence's `<NodeLimit>` must allow ", d.Num(len(a.Nodes)), " nodes ("+docs.HA+").")
	}
	version := string(a.Octopus.Version)
	d.Check("**Same Octopus version.** Install the Octopus Server MSI **", d.Text(version), "**, the version every node runs, on")
	d.Cont(d.Code(n.Host), " (", d.Code("msiexec /i "+word("Octopus."+version+"-x64.msi")+" /quiet RUNMANAGERONEXIT=no"), "). A node on another")
	d.Cont("version must not join.")
	d.Check("**DNS.** ", d.Code(n.Host), " resolves to the new node from the load balancer", fromTentacles(a), ".")
	d.Check("**Shared storage.** The Octopus service account, ", serviceAccountWords(d, a), ", has **full control**")
	d.Cont("(share permission and NTFS) of:")
	for _, f := range a.SharedFolders() {
		d.Cont("- ", d.Text(f.Label), ": ", d.Code(f.Effective))
	}
	if a.Octopus.ServiceAccount != "" {
		d.Check("**Service account.** ", d.Code(a.Octopus.ServiceAccount), ` has "Log on as a service" on `, d.Code(n.Host), ".")
	}
	db := a.Database
	switch a.DatabaseLoginKind() {
	case steps.LoginSQL:
		d.Check("**Database.** The new node connects to ", d.Code(db.Server), " as the SQL login ", d.Code(db.User), ".")
		d.Cont("You, the admin running the join script, need **read** access to ", d.Code(a.Storage.Root), " (it reads the cluster's marker file).")
		c.masterKey()
		return nil
	case steps.LoginWindows:
		d.Check("**Database.** The new node connects to ", d.Code(db.Server), " as the service account, db_owner since the first node's run.")
	default:
		d.Check("**Database.** The new node connects to ", d.Code(db.Server), " as its computer account (", d.Code(`DOMAIN\`+n.Name+"$"), "), which the join script makes **db_owner** of ", d.Code(db.Name), " through `database --grant`. ", loginFirst[0])
		d.Cont(loginFirst[1])
	}
	d.Cont("The join script's commands connect as you, the admin running it, not as the service account: you need")
	d.Cont("**db_owner** of ", d.Code(db.Name), ", and **read** access to ", d.Code(a.Storage.Root), " (it reads the cluster's marker file).")
	if a.DatabaseLoginKind() == steps.LoginComputer {
		if err := c.addNodeDBAItem(); err != nil {
			return err
		}
	}
	c.masterKey()
	return nil
}

func (c changeChecklist) masterKey() {
	d := c.d
	d.Check("**Master key.** On any running node (", d.Text(c.others[0].Name), "), in an elevated PowerShell, read it with")
	d.Cont(d.Code(ps.ShowMasterKeyCommand(c.a)))
	d.Cont("and keep it in your password vault; the join script asks for it.")
}

func (c changeChecklist) addFirewall() {
	a, d, n := c.a, c.d, c.node
	d.Section("2. Firewall")
	d.Table("Machine", "Open", "Why")
	machine := d.Text(n.Name) + " (" + d.CodeCell(n.Host) + ")"
	d.Row(machine, "inbound TCP "+d.Num(n.WebPort)+" from the load balancer", "web portal and health check")
	if n.CommsFrom != "" {
		d.Row(machine, "inbound TCP "+d.Num(n.CommsPort)+" from "+d.Text(n.CommsFrom), "polling tentacles")
	}
	if forward := c.forward(); forward != 0 {
		d.Row("Load balancer", "inbound TCP "+d.Num(forward)+" from polling tentacles", "the new node's polling port, forwarded as plain TCP to "+d.CodeCell(n.Host+":"+strconv.Itoa(n.CommsPort)))
	}
	var hosts []string
	for _, h := range a.ShareHosts() {
		hosts = append(hosts, d.CodeCell(h))
	}
	open := "outbound " + sqlPortWords(d, a, "") + " to " + d.CodeCell(a.Database.Server) + ", TCP " + d.Num(steps.SMBPort) + " to " + strings.Join(hosts, ", ")
	why := "database, shared folders"
	if !a.UsesPolling() {
		open += ", TCP " + d.Num(steps.TentacleListenPort) + " to every listening tentacle"
		why += ", deployments"
	}
	if a.PollingMode() == steps.PollingRedis {
		open += ", TCP " + d.Num(a.Tentacles.Redis.Port) + " to " + d.CodeCell(a.Tentacles.Redis.Host)
		why += ", multi-node polling"
	}
	d.Row(machine, open, why)
	if !a.UsesPolling() {
		d.Row("Every listening tentacle", "inbound TCP "+d.Num(steps.TentacleListenPort)+" from "+d.CodeCell(n.Host)+" too, if its firewall lists the nodes", "the new node deploys to it")
	}
	d.Blank()
	nodeFirewallNote(d, a)
	agentFirewallLine(d, a, []nodeRow{n})
}

// forward is the balancer's forwarded polling port for the node
// (unique-port), 0 otherwise.
func (c changeChecklist) forward() int {
	if c.a.PollingMode() == steps.PollingUniquePort {
		return c.node.CommsPort
	}
	return 0
}

func (c changeChecklist) addRun() {
	a, d, n := c.a, c.d, c.node
	d.Section("3. Run, in this order")
	d.Step(1, "On **", d.Text(n.Name), "**, in an elevated PowerShell: ", d.Code(psRun(JoinScript(n.Name))), asksWords(d, c.scriptAsks), ".")
	d.Cont("It never runs `path`, `admin`, `license` or `database --create`, which would reset the cluster.")
	if c.pollsEveryNode() {
		d.Cont("It brings ", d.Text(n.Name), " up **drained**: a new node takes tasks within about a minute of starting ("+docs.HowHAWorks+"),")
		d.Cont("and until every polling tentacle polls it those tasks would wait for their tentacles until they time out.")
	}
	pool := ""
	if f := c.forward(); f != 0 {
		pool += " and forwards TCP " + d.Num(f) + " to it"
	}
	if a.PollingMode() == steps.PollingRedis {
		pool += " and behind the polling port " + d.Num(a.Tentacles.BasePort)
	}
	d.Step(2, "Load balancer: apply ", d.Code(lbFileFor(a.LoadBalancer.Kind)), ": ", lbApplyWords(a.LoadBalancer.Kind), ". It adds ", d.Text(n.Name), " to the web pool", pool, ".")
	step := 3
	if c.pollsEveryNode() {
		d.Step(step, "On **each polling tentacle**, in an elevated PowerShell: ", d.Code(psRun(TentacleUpdateScript)), asksWords(d, c.updateAsks), ". It adds")
		d.Cont(d.Code(n.CommsAddress), " with `poll-server` and restarts the Tentacle, so run it when no")
		d.Cont("deployment uses the machine; if a run stopped before the restart, run it again with `-Restart`. A tentacle")
		d.Cont("that misses this never gets work from ", d.Text(n.Name), ": tasks there wait for it until they time out ("+docs.MultiNode+").")
	} else if a.PollingMode() == steps.PollingRedis {
		d.Step(step, "Tentacles: **no change**. With multi-node polling every tentacle polls the one address")
		d.Cont(d.Code(c.redisAddress()), " and Redis hands each task to whichever node runs it ("+docs.MultiNode+");")
		d.Cont("the balancer now also sends that port to ", d.Text(n.Name), ".")
	} else {
		d.Step(step, "Tentacles: **no change**. Listening tentacles are reached by the nodes, and every node presents the")
		d.Cont("same certificate ("+docs.TentacleComms+"); ", d.Text(n.Name), " just needs to reach them on TCP ", d.Num(steps.TentacleListenPort), ".")
	}
	tentacleStep := step
	if a.AgentsPollEveryNode() {
		step++
		agentUpdateStep(d, step)
	}
	if c.pollsEveryNode() {
		step++
		d.Step(step, "**Undrain ", d.Text(n.Name), "** once every polling tentacle has run step ", d.Num(tentacleStep), " and every Kubernetes agent step ", d.Num(step-1), ": on")
		d.Cont(d.Text(n.Name), ", in an elevated PowerShell,")
		d.Cont(d.Code(ps.UndrainCommand(a)))
		d.Cont("(or Disable Drain Node for ", d.Text(n.Name), " in Configuration > Nodes). Until then it takes no tasks.")
	}
	step++
	d.Step(step, "Check: Configuration > Nodes lists all ", d.Num(len(a.Nodes)), " nodes and ", d.Text(n.Name), " has been seen in the last minute;")
	d.Cont(d.Code(n.URL+a.HealthPath()), " answers 200 from the balancer.")
	if c.pollsEveryNode() {
		d.Step(step+1, "For machines registered from now on, use the ", d.Code(TentacleScript), " in this folder: it polls all ", d.Num(len(a.Nodes)), " nodes.")
	}
}

// removeNodeChecklist is the CHECKLIST.md of RemoveNodeFiles.
func removeNodeChecklist(before steps.Answers, removed int, shrunk steps.Answers) ([]byte, error) {
	node := before.Nodes[removed]
	row := nodeRow{Node: node, WebPort: before.NodeWebPort(removed), CommsPort: before.NodeCommsPort(removed), CommsFrom: commsFrom(shrunk),
		URL: before.NodeURL(removed), CommsAddress: ps.CommsAddress(before, removed)}
	c := changeChecklist{d: &markdown.Doc{}, a: shrunk, node: row}
	params, err := mandatoryParameters(ps.DrainNode(before, removed))
	if c.scriptAsks, err = asks(params, err, "WaitSeconds"); err != nil {
		return nil, fmt.Errorf("%s: %w", DrainScript(node.Name), err)
	}
	if c.pollsEveryNode() {
		if c.updateAsks, err = asks(mandatoryParameters(ps.RemoveNodeFromTentacles(shrunk, node.Name, ps.CommsAddress(before, removed)))); err != nil {
			return nil, fmt.Errorf("%s: %w", TentacleUpdateScript, err)
		}
	}
	for i := range shrunk.Nodes {
		c.others = append(c.others, nodeRowOf(shrunk, i))
	}
	a, d, n := shrunk, c.d, c.node
	d.Heading(1, "Remove node ", d.Text(n.Name), " from ", d.Text(a.PublicHost()))
	d.Blank()
	d.Line("Octopus ", d.Text(string(a.Octopus.Version)), ": node ", d.Text(n.Name), " (", d.Code(n.Host), ") leaves; ", d.Num(len(c.others)), " ", nodes(len(c.others)), " stay")
	d.Line("(", c.otherNames(), ").")
	c.header()
	if len(c.others) == 1 {
		d.Blank()
		d.Line("**One node will remain: the cluster is no longer highly available** until you add another (octoha add-node).")
	}
	if removed == 0 {
		c.wasFirst()
	}
	if c.keptPorts() {
		c.portsStay()
	}
	c.removeRun()
	c.removeAfterwards()
	return d.Bytes()
}

// keptPorts says the remaining nodes keep their forwarded polling ports
// (unique-port), which the answers now name.
func (c changeChecklist) keptPorts() bool { return c.a.PollingMode() == steps.PollingUniquePort }

func (c changeChecklist) wasFirst() {
	d := c.d
	d.Blank()
	d.Line(d.Text(c.node.Name), " was the node `install-first-node.ps1` ran on. That is no special role once the cluster runs: the")
	d.Line("database and the shared folders hold the cluster, and every other node already joined with its own join")
	d.Line("script, so nothing is re-rendered for them. **Never run `install-first-node.ps1` again** for this cluster: it")
	d.Line("would run `database --create`, `admin`, `license` and `path` as for a new cluster. Further nodes join")
	d.Line("with `octoha add-node`. The marker file ", d.Code(c.a.Storage.Root+`\octoha-cluster.txt`), " stays: join scripts read it.")
}

func (c changeChecklist) portsStay() {
	d := c.d
	d.Section("Polling ports stay where they are")
	d.Line("With unique-port polling each tentacle knows each node by its forwarded port on ", d.Code(c.a.PollingAddress()), ". The")
	d.Line("remaining nodes **keep their ports**:")
	d.Blank()
	for _, o := range c.others {
		d.Item(d.Text(o.Name), ": TCP ", d.Num(o.CommsPort))
	}
	d.Blank()
	d.Line("Renumbering them would move a node onto another node's port and break every tentacle's registered")
	d.Line("addresses, so ", d.Code(AnswersFile), " now names each node's `commsPort` explicitly. Port ", d.Num(c.node.CommsPort), " becomes free;")
	d.Line("octoha does not hand it to the next node it adds (that node gets the port after the highest in use), so a")
	d.Line("tentacle that was missed below cannot reach a new node by accident.")
}

func (c changeChecklist) removeRun() {
	a, d, n := c.a, c.d, c.node
	d.Section("1. Run, in this order")
	d.Step(1, "On **", d.Text(n.Name), "**, in an elevated PowerShell: ", d.Code(psRun(DrainScript(n.Name))+" -WaitSeconds 600"), asksWords(d, c.scriptAsks), " (add")
	d.Cont("`-ApiKey $key` to let it watch the node's tasks and delete its record, `-CancelTasks` to cancel what still")
	d.Cont("runs at the end). It drains the node (`node --drain=true --wait=<s>`), waits for its tasks, stops the")
	d.Cont("service and sets it to Disabled, then deletes the node's record. Without `-ApiKey` it cannot see the tasks, so it")
	d.Cont("asks before it stops the service (`-Force` skips the question), and you delete the record yourself")
	d.Cont("afterwards: Configuration > Nodes, ", d.Text(n.Name), "'s menu, Delete. Stop first, delete second: a deleted node")
	d.Cont("that still runs adds itself back within about 60 seconds (" + docs.NodeCommand + ").")
	// The drain-wait fix and --cancel-wait: docs/octopus-facts.md §1.3.
	d.Cont("Octopus before " + steps.DrainWaitFix.Since.String() + " cut drain waits over 5 minutes short; `--cancel-wait` exists from May 2024.")
	forward := ""
	if c.keptPorts() {
		forward = ", and no longer forwards TCP " + d.Num(n.CommsPort)
	}
	d.Step(2, "Load balancer: apply ", d.Code(lbFileFor(a.LoadBalancer.Kind)), ": ", lbApplyWords(a.LoadBalancer.Kind), ". It no longer sends users to ", d.Text(n.Name), forward, ".")
	switch {
	case c.pollsEveryNode():
		d.Step(3, "On **each polling tentacle**, in an elevated PowerShell: ", d.Code(psRun(TentacleUpdateScript)), asksWords(d, c.updateAsks), ". It drops ", d.Text(n.Name), "'s address with `clear-trusted-servers --keep=...`,")
		d.Cont("keeping every other server the Tentacle trusts (the remaining nodes, and any other Octopus Server such as a DR")
		d.Cont("cluster), and restarts the Tentacle, so run it when no deployment uses the machine.")
		d.Cont("If a run stopped before the restart, run it again with `-Restart`.")
		d.Cont("It needs **Tentacle 8.1.1713 or later** and stops with an explanation on an older one: upgrade the Tentacle,")
		d.Cont("or run ", d.Code("& "+ps.Quote(tentacleExe)+" configure --instance "+ps.Quote(a.Tentacles.Instance)+" --reset-trust"), " (it forgets every trusted server) and then")
		d.Cont(d.Code(psRun(TentacleScript)+" -Reregister"), " from this folder to register again with the remaining nodes ("+docs.TentacleExe+").")
		d.Cont("A tentacle left alone keeps trying to reach ", d.Text(n.Name), "; nothing breaks, but its log fills with failures.")
		agentUpdateStep(d, 4)
		d.Step(5, "For machines registered from now on, use the ", d.Code(TentacleScript), " in this folder: it polls only the remaining nodes.")
	case a.PollingMode() == steps.PollingRedis:
		d.Step(3, "Tentacles: **no change**. With multi-node polling every tentacle polls the one address")
		d.Cont(d.Code(c.redisAddress()), " and Redis hands each task to a running node ("+docs.MultiNode+"); the")
		d.Cont("balancer stops sending that port to ", d.Text(n.Name), ".")
	default:
		d.Step(3, "Tentacles: **no change**. Listening tentacles are reached by the nodes, so a node that leaves simply stops")
		d.Cont("connecting (" + docs.TentacleComms + ").")
		agentUpdateStep(d, 4)
	}
}

func (c changeChecklist) removeAfterwards() {
	a, d, n := c.a, c.d, c.node
	d.Section("2. Afterwards")
	d.Check("Configuration > Nodes lists ", d.Num(len(c.others)), " ", nodes(len(c.others)), ", and ", d.Text(n.Name), " has not come back two minutes later.")
	rules := "TCP " + d.Num(n.WebPort) + " from the balancer"
	if n.CommsFrom != "" {
		rules += ", TCP " + d.Num(n.CommsPort) + " from " + d.Text(n.CommsFrom)
	}
	if c.keptPorts() {
		rules += "; on the balancer, TCP " + d.Num(n.CommsPort) + " from polling tentacles"
	}
	d.Check("Firewall: remove the rules for ", d.Text(n.Name), " (", d.Code(n.Host), "): ", rules, ".")
	d.Check("DNS: the record for ", d.Code(n.Host), " may go once nothing points at it.")
	if a.Octopus.ServiceAccount == "" {
		d.Check("Shared storage: remove ", d.Text(n.Name), "'s computer account from the share permissions if you granted it there.")
	} else {
		d.Check("Shared storage: no change; the nodes reach the share as ", d.Text(a.Octopus.ServiceAccount), ", which the other nodes still use.")
	}
	d.Check("The licence counts one node fewer.")
	d.Check("To retire the machine: uninstall the Octopus Server MSI and delete its home folder ", d.Code(a.Octopus.HomeDir), ", which")
	d.Cont("holds the node's connection string. Never copy that folder to another machine.")
}
