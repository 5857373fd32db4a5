package steps

import (
	"net/netip"
	"strconv"
	"strings"
)

// Proposals are answers octoha offers from answers already given, so an
// admin types a cluster's pattern once: the wizard fills them in where
// the admin can see and change them, and never over an answer.

// NodeNameFor is the node name host proposes: its first label in capitals,
// the way Windows shows a computer name (OCTO1 for octo1.corp.local).
// It is "" for an IP address, an empty host or a label a node name cannot
// hold.
func NodeNameFor(host string) string {
	host = strings.TrimSpace(host)
	if host == "" {
		return ""
	}
	if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return ""
	}
	label, _, _ := strings.Cut(host, ".")
	if label == "" || len(label) > 63 {
		return ""
	}
	for _, r := range label {
		if !NodeNameRune(r) {
			return ""
		}
	}
	return strings.ToUpper(label)
}

// NodeNameRune reports whether a node name may hold r: letters, digits,
// '-', '_' and '.'.
func NodeNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
}

// NextNode proposes the node after the last one by counting on the number
// that ends the last host's first label: octo3.corp.local after
// octo2.corp.local, named as the last one was (OCTO3 when node 2 is OCTO2
// or named from its host). ok is false when there is no node yet or the
// last host has no number to count on; ports stay derived.
func (a *Answers) NextNode() (n Node, ok bool) {
	if len(a.Nodes) == 0 {
		return Node{}, false
	}
	return a.nodeAfter(len(a.Nodes) - 1)
}

// NodeAt proposes node i (after the first) as NextNode would have after
// node i-1: --plain fills an empty row with it before asking. The
// proposal never takes a host or name any other row has.
func (a *Answers) NodeAt(i int) (n Node, ok bool) {
	if i < 1 || i >= len(a.Nodes) {
		return Node{}, false
	}
	return a.nodeAfter(i - 1)
}

// nodeAfter counts on from node i, refusing a host or name any node has.
func (a *Answers) nodeAfter(i int) (n Node, ok bool) {
	last := a.Nodes[i]
	label, rest, _ := strings.Cut(strings.TrimSpace(last.Host), ".")
	next, ok := countOn(label)
	if !ok || NodeNameFor(last.Host) == "" {
		return Node{}, false
	}
	n.Host = next
	if rest != "" {
		n.Host += "." + rest
	}
	switch name := strings.TrimSpace(last.Name); {
	case name == "" || strings.EqualFold(name, NodeNameFor(last.Host)):
		n.Name = NodeNameFor(n.Host)
	default:
		n.Name, _ = countOn(name) // "" when the name has no number
	}
	for _, taken := range a.Nodes {
		if strings.EqualFold(taken.Host, n.Host) || (n.Name != "" && strings.EqualFold(taken.Name, n.Name)) {
			return Node{}, false
		}
	}
	return n, true
}

// countOn adds one to the number that ends s, keeping its width:
// octo09 gives octo10, web1 gives web2. ok is false when s ends in no digit.
func countOn(s string) (string, bool) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) || len(s)-i > 9 {
		return "", false
	}
	n, _ := strconv.Atoi(s[i:])
	digits := strconv.Itoa(n + 1)
	if pad := len(s) - i - len(digits); pad > 0 {
		digits = strings.Repeat("0", pad) + digits
	}
	return s[:i] + digits, true
}

// ProposedCertificate is where the balancer's certificate files usually
// live on a Debian or Ubuntu balancer, named after the public host:
// /etc/ssl/certs and /etc/ssl/private for NGINX and Apache httpd, one
// combined PEM under /etc/haproxy/certs for HAProxy (its crt takes the key
// in the same file). ok is false for a balancer octoha writes no files for,
// or without an https public URL.
func (a *Answers) ProposedCertificate() (cert, key string, ok bool) {
	host := a.PublicHost()
	if !a.PublicTLS() || host == "" {
		return "", "", false
	}
	switch a.LoadBalancer.Kind {
	case LBNginx, LBApache:
		return "/etc/ssl/certs/" + host + ".pem", "/etc/ssl/private/" + host + ".key", true
	case LBHAProxy:
		return "/etc/haproxy/certs/" + host + ".pem", "", true
	}
	return "", "", false
}
