package validate

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/octoha/octoha/steps"
)

// These are the shapes of single values. They take no network and return a
// sentence that says what is wrong, or "" when the value is fine.

// hostProblem checks a DNS host name (RFC 1123 labels) or an IP address.
func hostProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	if ip := parseIP(s); ip != nil {
		if ip.To4() == nil {
			return fmt.Sprintf("%q is an IPv6 address, which octoha does not write into balancer configurations and URLs; use the host's DNS name or its IPv4 address", s)
		}
		return ""
	}
	if len(s) > 253 {
		return "is longer than the 253 characters a host name may have"
	}
	name := strings.TrimSuffix(s, ".")
	if last := name[strings.LastIndexByte(name, '.')+1:]; last != "" && strings.Trim(last, "0123456789") == "" {
		return fmt.Sprintf("%q is neither an IPv4 address nor a host name (a host name's last part is not all digits, RFC 3696 §2)", s)
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return fmt.Sprintf("%q has an empty part between dots", s)
		}
		if len(label) > 63 {
			return fmt.Sprintf("%q has a part longer than 63 characters", s)
		}
		for i, r := range label {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
				r == '-' && i > 0 && i < len(label)-1
			if !ok {
				return fmt.Sprintf("%q is not a valid host name (letters, digits and inner hyphens only)", s)
			}
		}
	}
	return ""
}

// parseIP is net.ParseIP for a value that can be an address: only digits
// and dots (IPv4) or with a colon (IPv6). A host name, checked on every
// keystroke, skips the parse and the error it allocates.
func parseIP(s string) net.IP {
	if !strings.Contains(s, ":") && strings.Trim(s, "0123456789.") != "" {
		return nil
	}
	return net.ParseIP(s)
}

// hostKey is a host name as the duplicate checks compare it: DNS names
// ignore case, and "host." is "host".
func hostKey(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// nodeNameProblem checks an Octopus node name: it becomes
// --serverNodeName, a file name (join-node-<name>.ps1) and a config key.
func nodeNameProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	if len(s) > 63 {
		return "is longer than 63 characters"
	}
	for _, r := range s {
		if !steps.NodeNameRune(r) {
			return fmt.Sprintf("%q may hold only letters, digits, '-', '_' and '.'", s)
		}
	}
	return ""
}

// portProblem checks a TCP port.
func portProblem(p int) string {
	if p < 1 || p > 65535 {
		return fmt.Sprintf("%d is not a TCP port (1 to 65535)", p)
	}
	return ""
}

// publicURLProblem checks the URL users and tentacles reach the cluster by.
func publicURLProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute URL such as https://octopus.corp.local", s)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Sprintf("%q must start with https:// (or http://)", s)
	}
	if p := hostProblem(u.Hostname()); p != "" {
		return "host " + p
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || portProblem(n) != "" {
			return fmt.Sprintf("%q has an invalid port", s)
		}
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Sprintf("%q must be just scheme, host and port: Octopus serves from the root", s)
	}
	return ""
}

// serviceAccountProblem checks DOMAIN\user, a gMSA DOMAIN\name$, or
// user@domain.
func serviceAccountProblem(s string) string {
	if s == "" {
		return ""
	}
	if domain, user, ok := strings.Cut(s, `\`); ok {
		if domain == "" || user == "" || strings.ContainsAny(user, `\/[]:;|=,+*?<>"@`) || strings.ContainsAny(domain, `\/:*?"<>|`) {
			return fmt.Sprintf("%q is not DOMAIN\\user", s)
		}
		return ""
	}
	if user, domain, ok := strings.Cut(s, "@"); ok && user != "" && hostProblem(domain) == "" {
		return ""
	}
	return fmt.Sprintf("%q is not DOMAIN\\user or user@domain", s)
}
