package render

import (
	"strings"

	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/steps"
)

// Sentences both the cluster's checklist and a change's checklist print.

// serviceAccountWords names the account the Octopus service runs as, for
// the share permissions.
func serviceAccountWords(d *markdown.Doc, a steps.Answers) string {
	if a.Octopus.ServiceAccount != "" {
		return d.Text(a.Octopus.ServiceAccount)
	}
	return `each node's computer account (DOMAIN\NODE$, the service runs as Local System)`
}

// grantedToWords names who database --grant makes db_owner, with Windows
// authentication.
func grantedToWords(d *markdown.Doc, a steps.Answers) string {
	if a.DatabaseLoginKind() == steps.LoginWindows {
		return "The service account " + d.Code(a.Octopus.ServiceAccount)
	}
	return "Each node's computer account (`DOMAIN\\NODE$`: the service runs as Local System, which reaches SQL Server as that account)"
}

// loginFirst is the reminder, two lines, that database --grant may need a
// login made first.
var loginFirst = [2]string{
	"If SQL Server has no login for it yet, have your DBA create one first: the Octopus docs do not say whether",
	"`--grant` creates it, and creating a login takes more than db_owner.",
}

// asksWords is what a script asks for, run as the checklist prints it:
// " (it asks for a, b)", or "".
func asksWords(d *markdown.Doc, asks []string) string {
	if len(asks) == 0 {
		return ""
	}
	var words []string
	for _, w := range asks {
		words = append(words, d.Text(w))
	}
	return " (it asks for " + strings.Join(words, ", ") + ")"
}

// nodeFirewallNote says what the node scripts do to Windows Firewall
// themselves (render/ps, node-firewall), two lines.
func nodeFirewallNote(d *markdown.Doc, a steps.Answers) {
	comms := ""
	if a.UsesPolling() {
		comms = " and `octoha-octopus-comms-<port>`"
	}
	d.Line("The node scripts add each node's inbound rules above to Windows Firewall themselves (`octoha-octopus-web-<port>`", comms, ", open to any address); run them with `-SkipFirewall` to leave that to you.")
	d.Line("Rules on the load balancer, and on any firewall between the machines, are yours to make.")
}

// lbApplyWords says how to put the balancer file in place, per kind (the
// first lines of each file say the same).
func lbApplyWords(kind string) string {
	switch kind {
	case steps.LBNginx:
		return "copy it to /etc/nginx/nginx.conf, then `nginx -t && systemctl reload nginx` (a reload keeps open connections)"
	case steps.LBHAProxy:
		return "copy it to /etc/haproxy/haproxy.cfg, then `haproxy -c -f /etc/haproxy/haproxy.cfg && systemctl reload haproxy` (a reload keeps open connections)"
	case steps.LBApache:
		return "copy it to /etc/apache2/sites-available/octopus.conf, `a2enmod` the modules its first lines name, `a2ensite octopus`, then `apachectl -t && systemctl reload apache2` (a graceful reload keeps open connections)"
	case steps.LBIISARR:
		return "run it on the IIS server in an elevated PowerShell"
	}
	return "change the balancer as the file says"
}

// sqlPortWords is what a node opens outbound to SQL Server: its TCP port,
// or for a named instance without one its port and the SQL Browser's UDP
// 1434, then browser (" (SQL Browser)" or "").
func sqlPortWords(d *markdown.Doc, a steps.Answers, browser string) string {
	if p := a.SQLPort(); p != 0 {
		return "TCP " + d.Num(p)
	}
	return "the named instance's TCP port and UDP 1434" + browser
}
