package lb

import (
	"fmt"
	"strings"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

// External renders what to configure on a balancer octoha does not write
// a configuration for (F5, NetScaler, cloud balancers...), as Markdown.
func External(a steps.Answers) ([]byte, error) {
	v, err := newView(a)
	if err != nil {
		return nil, err
	}
	var d markdown.Doc
	d.Heading(1, "Load balancer for Octopus Deploy Server HA: what to configure")
	d.Blank()
	d.Line("Written by octoha for ", d.Code(v.PublicURL), ". octoha does not write a configuration")
	d.Line("for this balancer (F5 BIG-IP, Citrix NetScaler, Kemp, a cloud balancer...):")
	d.Line("set up the items below with its own tools. Each item cites the public Octopus")
	d.Line("documentation page it rests on; items marked [INFER] are not stated by")
	d.Line("Octopus's documentation.")
	externalPool(&d, v)
	externalVirtualServer(&d, v)
	externalMonitor(&d, v)
	externalPersistence(&d, v)
	externalTimeouts(&d, v)
	externalPolling(&d, v)
	externalTrustedProxies(&d, v)
	out, err := d.Bytes()
	if err != nil {
		return nil, fmt.Errorf("rendering the external.md: %w", err)
	}
	return out, nil
}

func externalPool(d *markdown.Doc, v view) {
	d.Section("1. Web pool (portal and REST API)")
	d.Table("Member", "Address", "Port")
	for _, n := range v.Nodes {
		d.Row(d.CodeCell(n.Name), d.CodeCell(n.Host), d.Num(n.WebPort))
	}
	d.Blank()
	d.Item("Protocol to the members: plain HTTP on each node's web port.")
	d.Item("Balancing: round robin (or least connections); the portal is stateless")
	d.Cont("(<" + docs.LoadBalancers + ">).")
}

func externalVirtualServer(d *markdown.Doc, v view) {
	d.Section("2. Virtual server")
	scheme, proto := "HTTP", "`http`"
	if v.TLS {
		scheme, proto = "HTTPS", "`https`"
	}
	d.Item("Listens on ", d.Code(v.PublicHost), " port ", d.Num(v.PublicPort), " (", scheme, ").")
	if v.TLS {
		d.Item("TLS ends on the balancer for the web portal only (<" + docs.PollingHA + ">); install the")
		certificate := ""
		if v.Certificate != "" {
			certificate = " (" + d.Code(v.Certificate) + ")"
		}
		d.Cont("certificate for ", d.Code(v.PublicHost), " there", certificate, ".")
		if v.RedirectPort != 0 {
			d.Item("Port ", d.Num(v.RedirectPort), " (HTTP): redirect every request to ", d.Code(v.PublicBase), ", keeping the path.")
		}
	}
	d.Item("Pass the Host header through unchanged, and add `X-Forwarded-For` (the")
	d.Cont("client's address) and `X-Forwarded-Proto` (", proto, ").")
	d.Item("Allow websocket upgrades (`Upgrade` / `Connection: upgrade`) if the balancer")
	d.Cont("filters them. [INFER] The Octopus docs do not say the portal needs them.")
}

func externalMonitor(d *markdown.Doc, v view) {
	d.Section("3. Health monitor")
	d.Line("Source: <" + docs.LoadBalancers + ">.")
	d.Blank()
	d.Item("HTTP `GET` of ", d.Code(v.HealthCheck), " on each member's web port, with Host")
	d.Cont(d.Code(v.PublicHost), " (the name real traffic carries).")
	d.Item("**Only `200` is healthy.** `418` means the node is draining (maintenance):")
	d.Cont("take it out of rotation. Anything else means the node is down.")
	d.Item("Interval about ", d.Num(v.CheckInter), " s; out after ", d.Num(v.CheckFall), " failures, back after ", d.Num(v.CheckRise), " successes (octoha's")
	d.Cont("choice, not an Octopus figure). Do not use an ICMP or TCP-only monitor:")
	d.Cont("ICMP passes while the Octopus service is down, and neither sees a")
	d.Cont("draining node (<" + docs.LoadBalancers + ">).")
}

func externalPersistence(d *markdown.Doc, v view) {
	d.Section("4. Persistence")
	d.Line("Source: <" + docs.LoadBalancers + ">; the fix that made sticky sessions unnecessary:")
	d.Line("<" + docs.StickyIssue + ">.")
	d.Blank()
	switch v.Persistence {
	case steps.PersistenceCookie:
		d.Item("**Cookie**: insert a balancer cookie naming the member and send the browser")
		d.Cont("back to it while it is healthy.")
	case steps.PersistenceSourceIP:
		d.Item("**Source IP**: pin each client address to one member. Every user behind one")
		d.Cont("NAT address lands on the same node.")
	default:
		d.Item("**None** (round robin): the current Octopus advice.")
	}
	var cluster string
	switch {
	case v.PersistenceNeeded:
		cluster = " this cluster's " + d.Code(v.OctopusVersion) + " is older, so keep them."
	case v.Persistence != steps.PersistenceNone:
		cluster = " this cluster runs " + d.Code(v.OctopusVersion) + `, so persistence "none" would do and spreads load better.`
	default:
		cluster = " this cluster runs " + d.Code(v.OctopusVersion) + "."
	}
	d.Item("Sticky sessions are only needed for Octopus older than ", d.Text(v.PersistenceFixedIn), ";", cluster)
}

func externalTimeouts(d *markdown.Doc, v view) {
	d.Section("5. Timeouts and request size")
	d.Line("Source: <" + docs.LoadBalancers + ">.")
	d.Blank()
	d.Item("Idle / server timeout: at least ", d.Num(v.LongTimeout), " s. Package uploads of 1 GB and")
	d.Cont("more go to `/api/<space>/packages/raw`, and task logs stream for long.")
	d.Item("Request size: **no limit** (Octopus has none; some balancers default to")
	d.Cont("2–3 MB and break package uploads).")
	d.Item("Connect timeout: about ", d.Num(v.ConnectTimeout), " s, so a dead member is skipped quickly.")
}

func externalPolling(d *markdown.Doc, v view) {
	d.Section("6. Polling tentacles")
	switch {
	case len(v.Forwards) > 0:
		d.Line("Unique port per node (<"+docs.PollingHA+">): tentacles poll ", d.Code(v.PollingAddress), " on one port per")
		d.Line("node. Forward each port as **plain TCP passthrough — never TLS-terminated,")
		d.Line("no HTTP profile**: Octopus and Tentacle pin each other's certificates, and a")
		d.Line("third certificate breaks trust (<" + docs.PollingHA + ">).")
		d.Blank()
		d.Table("Listen on the balancer", "Forward to", "Node")
		for _, f := range v.Forwards {
			d.Row(d.Num(f.ListenPort), d.CodeCell(f.Node.Host)+":"+d.Num(f.Node.CommsPort), d.CodeCell(f.Node.Name))
		}
		d.Blank()
		d.Line("Each forward has one member, so it needs no monitor or persistence.")
		d.Line("[INFER] Polling connections are long-lived: give these forwards an idle")
		d.Line("timeout of at least ", d.Num(v.LongTimeout), " s.")
	case v.PollingPort != 0:
		d.Line("Multi-node polling through Redis (<"+docs.MultiNode+">): tentacles poll ", d.Code(v.PollingAddress), " port ", d.Num(v.PollingPort), ".")
		d.Line("Balance that port over every node's comms port as **plain TCP passthrough —")
		d.Line("never TLS-terminated, no HTTP profile**: Octopus and Tentacle pin each")
		d.Line("other's certificates (<" + docs.PollingHA + ">). No persistence is needed.")
		d.Blank()
		d.Table("Listen on the balancer", "Pool members")
		var members []string
		for _, n := range v.Nodes {
			members = append(members, d.CodeCell(n.Host)+":"+d.Num(n.CommsPort))
		}
		d.Row(d.Num(v.PollingPort), strings.Join(members, ", "))
		d.Blank()
		d.Line("Monitor: TCP connect to each member's comms port. [INFER] Polling")
		d.Line("connections are long-lived: give this pool an idle timeout of at least")
		d.Line(d.Num(v.LongTimeout), " s.")
	case v.PollingMode == steps.PollingUniqueAddress:
		d.Line("Unique address (<" + docs.PollingHA + ">): each tentacle polls every node at the node's own")
		d.Line("name and comms port, so **no polling traffic passes through the balancer**.")
		d.Line("Open each node's comms port to the tentacles instead:")
		d.Blank()
		d.Table("Node", "Tentacles poll")
		for _, n := range v.Nodes {
			d.Row(d.CodeCell(n.Name), d.CodeCell(n.Host)+":"+d.Num(n.CommsPort))
		}
	default:
		d.Line("Listening tentacles (<" + docs.TentacleComms + ">): the nodes connect out to the tentacles on " + d.Num(steps.TentacleListenPort) + ",")
		d.Line("so **no tentacle traffic passes through the balancer**.")
	}
}

func externalTrustedProxies(d *markdown.Doc, v view) {
	d.Section("7. Trusted proxies")
	d.Line("Source: <" + docs.Configure + "> (`--trustedProxies`).")
	d.Blank()
	d.Line("Behind a balancer, Octopus records the balancer's address in audit events")
	d.Line("instead of the user's.")
	// ps.Quote quotes for the PowerShell the admin pastes the command into.
	command := func() string {
		return "& " + d.Verbatim(ps.Quote(v.ServerExe)) + " configure --instance " + d.Verbatim(ps.Quote(v.Instance)) + " --trustedProxies "
	}
	if len(v.TrustedProxies) > 0 {
		var proxies []string
		for _, p := range v.TrustedProxies {
			proxies = append(proxies, d.Code(p))
		}
		d.Line("The answers list the balancer's addresses as ", strings.Join(proxies, ", "), "; every node")
		d.Line("must trust them. On every node, in an elevated PowerShell:")
		d.Blank()
		d.CodeLine(command(), d.Verbatim(ps.Quote(strings.Join(v.TrustedProxies, ","))))
		d.Blank()
		d.Line("Check that they are the addresses the nodes see requests come from (the")
		d.Line("balancer's self IP or SNIP).")
		return
	}
	d.Line("**Reminder:** no trusted proxies are set. On every node, in an elevated")
	d.Line("PowerShell, run")
	d.Blank()
	d.CodeLine(command(), "'<balancer address as the nodes see it>'")
	d.Blank()
	d.Line("and restart the node.")
}
