package lb

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/octoha/octoha/steps"
)

//go:embed templates/apache.conf
var apacheFile string

// apacheModules are the modules the site needs on Debian and Ubuntu, for
// the a2enmod line of its header; mod_ssl is added for an https URL.
// mod_headers sets X-Forwarded-Proto and the ROUTEID cookie.
var apacheModules = []string{"proxy_http", "proxy_balancer", "lbmethod_byrequests", "proxy_hcheck", "headers"}

// apachePassthrough says why Apache cannot carry the polling mode: it
// proxies HTTP only, and unique-port and Redis polling need raw TCP
// forwarded through the balancer. validate refuses these answers first
// (lb.passthrough); this is the renderer's own guard.
func apachePassthrough(v view) error {
	if len(v.Forwards) > 0 || v.PollingPort != 0 {
		return fmt.Errorf("tentacles.polling %s needs raw TCP passthrough, which Apache httpd cannot do: use listening tentacles or unique-address polling with Apache, or nginx or haproxy as the balancer", v.PollingMode)
	}
	if v.Persistence == steps.PersistenceSourceIP {
		return fmt.Errorf("loadBalancer.persistence source-ip: Apache's mod_proxy_balancer cannot pin a client by its address; use cookie or none")
	}
	return nil
}

// apacheFilling fills templates/apache.conf for v, in the file's order, so
// the first value that cannot be written is the one reported.
func apacheFilling(v view) *filling {
	f := newFilling()
	f.comment("PublicURL", v.PublicURL)
	modules, rhelSSL := apacheModules, ""
	if v.TLS {
		modules, rhelSSL = append(append([]string{}, modules...), "ssl"), " mod_ssl"
	}
	f.literal("Modules", strings.Join(modules, " "))
	f.literal("RHELSSL", rhelSSL)
	f.comment("HealthCheckComment", v.HealthCheck)
	f.num("CheckInter", v.CheckInter)
	f.num("CheckFall", v.CheckFall)
	f.num("CheckRise", v.CheckRise)
	trustedProxies(f, v)
	defaultPort := map[bool]int{true: 443, false: 80}[v.TLS]
	f.region("listen", v.PublicPort != defaultPort)
	f.num("PublicPort", v.PublicPort)
	f.literal("ListenProtocol", map[bool]string{true: " https", false: ""}[v.TLS])
	f.quote("HealthCheckURI", apacheQuote, "hcuri="+v.HealthCheck)
	var web []string
	for _, n := range v.Nodes {
		member := fmt.Sprintf("http://%s:%d", f.must(hostToken, bracketIPv6(n.Host)), n.WebPort)
		web = append(web,
			"# "+apacheComment(n.Name),
			fmt.Sprintf("BalancerMember %s %s connectiontimeout=%d timeout=%d upgrade=websocket hctemplate=octopus_check",
				f.must(apacheQuote, member), f.must(apacheQuote, "route="+f.must(apacheRoute, n.Name)), v.ConnectTimeout, v.LongTimeout))
	}
	f.setLines("WebServers", web)
	cookie := v.Persistence == steps.PersistenceCookie
	f.literal("StickySession", map[bool]string{true: " stickysession=ROUTEID", false: ""}[cookie])
	f.region("cookie", cookie)
	f.literal("CookieSecure", map[bool]string{true: "; Secure", false: ""}[v.TLS])
	persistence(f, v)
	f.region("none", v.Persistence == steps.PersistenceNone)
	f.region("redirect", v.RedirectPort != 0)
	f.num("RedirectPort", v.RedirectPort)
	f.quote("PublicHost", hostToken, v.PublicHost)
	f.quote("RedirectTarget", apacheQuote, v.PublicBase+"/")
	f.region("tls", v.TLS)
	f.region("certificateKey", v.CertificateKey != "")
	if v.TLS {
		f.quote("Certificate", apacheQuote, v.Certificate)
		if v.CertificateKey != "" {
			f.quote("CertificateKey", apacheQuote, v.CertificateKey)
		}
	}
	f.num("LongTimeout", v.LongTimeout)
	f.literal("Scheme", map[bool]string{true: "https", false: "http"}[v.TLS])
	tentacleRegions(f, v)
	return f
}
