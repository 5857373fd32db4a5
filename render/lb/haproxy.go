package lb

import (
	_ "embed"
	"fmt"

	"github.com/octoha/octoha/steps"
)

//go:embed templates/haproxy.cfg
var haproxyFile string

// haproxyFilling fills templates/haproxy.cfg for v, in the file's order,
// so the first value that cannot be written is the one reported.
func haproxyFilling(v view) *filling {
	f := newFilling()
	f.comment("PublicURL", v.PublicURL)
	f.region("tls", v.TLS)
	f.region("certificateKey", v.CertificateKey != "")
	f.comment("CertificateKeyComment", v.CertificateKey)
	f.comment("CertificateComment", v.Certificate)
	f.comment("HealthCheckComment", v.HealthCheck)
	f.num("CheckInter", v.CheckInter)
	f.num("CheckFall", v.CheckFall)
	f.num("CheckRise", v.CheckRise)
	timeouts(f, v)
	trustedProxies(f, v)
	f.region("redirect", v.RedirectPort != 0)
	f.num("RedirectPort", v.RedirectPort)
	f.literal("PublicBase", v.PublicBase)
	f.num("PublicPort", v.PublicPort)
	if v.TLS {
		f.quote("Certificate", haproxyQuote, v.Certificate)
	}
	scheme, secure := "http", ""
	if v.TLS {
		scheme, secure = "https", " secure"
	}
	f.literal("Scheme", scheme)
	persistence(f, v)
	f.region("none", v.Persistence == steps.PersistenceNone)
	f.literal("AffinityCookie", v.AffinityCookie)
	f.literal("Secure", secure)
	f.quote("HealthCheck", haproxyQuote, v.HealthCheck)
	f.quote("PublicHostArg", haproxyQuote, v.PublicHost)
	var web []string
	for _, n := range v.Nodes {
		line := fmt.Sprintf("server %s %s:%d", f.must(haproxyName, n.Name), f.must(hostToken, n.Host), n.WebPort)
		if v.Persistence == steps.PersistenceCookie {
			line += " cookie " + f.must(haproxyName, n.Name)
		}
		web = append(web, line)
	}
	f.setLines("WebServers", web)
	tentacleRegions(f, v)
	var forwards []string
	for _, fw := range v.Forwards {
		name := f.must(haproxyName, fw.Node.Name)
		forwards = append(forwards,
			"",
			"listen octopus_polling_"+name,
			"    mode tcp",
			"    option tcplog",
			fmt.Sprintf("    bind :%d", fw.ListenPort),
			fmt.Sprintf("    server %s %s:%d", name, f.must(hostToken, fw.Node.Host), fw.Node.CommsPort))
	}
	f.setLines("Forwards", forwards)
	var polling []string
	if v.PollingPort != 0 && len(v.Forwards) == 0 {
		for _, n := range v.Nodes {
			polling = append(polling, fmt.Sprintf("server %s %s:%d", f.must(haproxyName, n.Name), f.must(hostToken, n.Host), n.CommsPort))
		}
	}
	f.setLines("PollingServers", polling)
	return f
}
