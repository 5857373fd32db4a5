package lb

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

//go:embed templates/nginx.conf
var nginxFile string

// nginxFilling fills templates/nginx.conf for v, in the file's order, so
// the first value that cannot be written is the one reported.
func nginxFilling(v view) *filling {
	f := newFilling()
	f.comment("PublicURL", v.PublicURL)
	f.region("stream", len(v.Forwards) > 0 || v.PollingPort != 0)
	f.num("FailTimeout", v.NginxFailTimeout)
	f.comment("HealthCheckComment", v.HealthCheck)
	trustedProxies(f, v)
	persistence(f, v)
	f.region("roundRobin", v.Persistence != steps.PersistenceCookie && v.Persistence != steps.PersistenceSourceIP)
	f.literal("OctopusCookie", v.OctopusCookie)
	var web []string
	for _, n := range v.Nodes {
		web = append(web, fmt.Sprintf("server %s:%d max_fails=1 fail_timeout=%ds; # %s", f.must(hostToken, n.Host), n.WebPort, v.NginxFailTimeout, comment(n.Name)))
	}
	f.setLines("WebServers", web)
	f.region("redirect", v.RedirectPort != 0)
	f.num("RedirectPort", v.RedirectPort)
	f.quote("PublicHost", hostToken, v.PublicHost)
	f.literal("PublicBase", v.PublicBase)
	f.region("tls", v.TLS)
	f.num("PublicPort", v.PublicPort)
	f.region("certificateKey", v.CertificateKey != "")
	if v.TLS {
		f.quote("Certificate", nginxQuote, v.Certificate)
		if v.CertificateKey != "" {
			f.quote("CertificateKey", nginxQuote, v.CertificateKey)
		}
	}
	timeouts(f, v)
	tentacleRegions(f, v)
	var forwards []string
	for _, fw := range v.Forwards {
		forwards = append(forwards,
			"server {",
			fmt.Sprintf("    listen %d;", fw.ListenPort),
			fmt.Sprintf("    proxy_pass %s:%d; # %s", f.must(hostToken, fw.Node.Host), fw.Node.CommsPort, comment(fw.Node.Name)),
			fmt.Sprintf("    proxy_connect_timeout %ds;", v.ConnectTimeout),
			fmt.Sprintf("    proxy_timeout %ds;", v.LongTimeout),
			"}")
	}
	f.setLines("Forwards", forwards)
	var polling []string
	if v.PollingPort != 0 && len(v.Forwards) == 0 {
		for _, n := range v.Nodes {
			polling = append(polling, fmt.Sprintf("server %s:%d max_fails=1 fail_timeout=%ds; # %s", f.must(hostToken, n.Host), n.CommsPort, v.NginxFailTimeout, comment(n.Name)))
		}
	}
	f.setLines("PollingServers", polling)
	return f
}

// trustedProxies sets the header's reminder or command for
// --trustedProxies, the same in both formats.
func trustedProxies(f *filling, v view) {
	f.region("trustedProxies", len(v.TrustedProxies) > 0)
	f.comment("TrustedProxyList", strings.Join(v.TrustedProxies, ", "))
	// ps.Quote quotes for the PowerShell the admin pastes the command into.
	f.comment("ServerExe", ps.Quote(v.ServerExe))
	f.comment("Instance", ps.Quote(v.Instance))
	f.comment("TrustedProxies", ps.Quote(strings.Join(v.TrustedProxies, ",")))
}

// persistence sets the regions and values of the web pool's persistence
// note, the same in both formats.
func persistence(f *filling, v view) {
	f.region("cookie", v.Persistence == steps.PersistenceCookie)
	f.region("sourceIP", v.Persistence == steps.PersistenceSourceIP)
	f.region("sticky", v.Persistence != steps.PersistenceNone)
	f.region("stickyNeeded", v.PersistenceNeeded)
	f.literal("PersistenceFixedIn", v.PersistenceFixedIn)
	f.comment("OctopusVersion", v.OctopusVersion)
}

// timeouts sets the balancer's connect and idle timeouts.
func timeouts(f *filling, v view) {
	f.num("ConnectTimeout", v.ConnectTimeout)
	f.num("LongTimeout", v.LongTimeout)
}

// tentacleRegions switches on the one region that says how tentacle
// traffic passes the balancer, and sets the polling address and port.
func tentacleRegions(f *filling, v view) {
	uniquePort := len(v.Forwards) > 0
	redis := !uniquePort && v.PollingPort != 0
	uniqueAddress := !uniquePort && !redis && v.PollingMode == steps.PollingUniqueAddress
	f.region("uniquePort", uniquePort)
	f.region("redis", redis)
	f.region("uniqueAddress", uniqueAddress)
	f.region("listening", !uniquePort && !redis && !uniqueAddress)
	f.comment("PollingAddress", v.PollingAddress)
	f.num("PollingPort", v.PollingPort)
	f.num("TentacleListenPort", steps.TentacleListenPort)
}
