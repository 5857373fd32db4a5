package tui

import (
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

var loadBalancerStep = step{
	name:   "Balancer",
	title:  "Load balancer",
	intro:  "How users reach the nodes. octoha writes the configuration for NGINX, HAProxy, Apache httpd or IIS ARR, or notes for any other.",
	owns:   []string{"loadBalancer."},
	fields: loadBalancerFields,
}

func loadBalancerFields(a *steps.Answers) [][]field {
	lb := func(a *steps.Answers) *steps.LoadBalancer { return &a.LoadBalancer }
	fields := []field{
		form.Choice("loadBalancer.kind", "Balancer", []string{steps.LBNginx, steps.LBHAProxy, steps.LBApache, steps.LBIISARR, steps.LBExternal},
			func(a *steps.Answers) *string { return &lb(a).Kind }).
			WithExplain(func(a *steps.Answers) string {
				switch a.LoadBalancer.Kind {
				case steps.LBIISARR:
					return "IIS ARR terminates TLS, so polling tentacles cannot pass through it: with ARR, use listening or unique-address polling."
				case steps.LBApache:
					return "Apache httpd balances HTTP only: it cannot pass polling traffic through as TCP, so with Apache use listening or unique-address polling."
				case steps.LBExternal:
					return "Any other balancer (F5, NetScaler, a cloud one): octoha writes notes of what to configure on it."
				}
				return "octoha writes its configuration, including the TCP forwards polling tentacles need."
			}),
		form.Text("loadBalancer.publicUrl", "Public URL", func(a *steps.Answers) *string { return &lb(a).PublicURL }).
			WithExplain(func(*steps.Answers) string {
				return "The one address users browse to, e.g. https://octopus.corp.local. Every node gets it as its public URL."
			}),
		form.Choice("loadBalancer.persistence", "Session persistence",
			[]string{steps.PersistenceNone, steps.PersistenceCookie, steps.PersistenceSourceIP},
			func(a *steps.Answers) *string { return &lb(a).Persistence }).
			WithExplain(persistenceExplain),
		form.Text("loadBalancer.healthCheck", "Health check path", func(a *steps.Answers) *string { return &lb(a).HealthCheck }).
			WithExplain(func(a *steps.Answers) string {
				return healthCheckExplain(a)
			}),
		form.List("loadBalancer.trustedProxies", "Balancer IPs", func(a *steps.Answers) *[]string { return &lb(a).TrustedProxies }).
			WithExplain(func(*steps.Answers) string {
				return "The balancer's own IP addresses, comma-separated. Nodes trust them as proxies, so audit events show users' addresses."
			}),
	}
	if a.PublicTLS() {
		switch a.LoadBalancer.Kind {
		case steps.LBNginx:
			fields = append(fields,
				form.Text("loadBalancer.certificate", "Certificate (PEM)", func(a *steps.Answers) *string { return &lb(a).Certificate }).
					WithExplain(func(*steps.Answers) string {
						return "The public URL's certificate file on the NGINX machine, with its chain (ssl_certificate)."
					}),
				form.Text("loadBalancer.certificateKey", "Certificate key", func(a *steps.Answers) *string { return &lb(a).CertificateKey }).
					WithExplain(func(*steps.Answers) string {
						return "The certificate's private key file on the NGINX machine (ssl_certificate_key)."
					}))
		case steps.LBApache:
			fields = append(fields,
				form.Text("loadBalancer.certificate", "Certificate (PEM)", func(a *steps.Answers) *string { return &lb(a).Certificate }).
					WithExplain(func(*steps.Answers) string {
						return "The public URL's certificate file on the Apache machine, with its chain (SSLCertificateFile)."
					}),
				form.Text("loadBalancer.certificateKey", "Certificate key", func(a *steps.Answers) *string { return &lb(a).CertificateKey }).
					WithExplain(func(*steps.Answers) string {
						return "The certificate's private key file on the Apache machine (SSLCertificateKeyFile); leave it empty when the certificate file holds the key."
					}))
		case steps.LBHAProxy:
			fields = append(fields,
				form.Text("loadBalancer.certificate", "Cert and key (PEM)", func(a *steps.Answers) *string { return &lb(a).Certificate }).
					WithExplain(func(*steps.Answers) string {
						return "One PEM file on the HAProxy machine holding the certificate, its chain and its private key (bind ... ssl crt)."
					}))
		case steps.LBIISARR:
			fields = append(fields,
				form.Text("loadBalancer.certificateThumbprint", "Cert thumbprint", func(a *steps.Answers) *string { return &lb(a).CertificateThumbprint }).
					WithExplain(func(*steps.Answers) string {
						return "The thumbprint of the certificate in the IIS machine's certificate store that the https binding uses."
					}))
		}
	}
	return rowsOf(fields...)
}

// persistenceExplain is docs/octopus-facts.md §5.2: sticky sessions were a workaround
// for a per-node permission cache fixed in steps.NoAffinityNeeded.
func persistenceExplain(a *steps.Answers) string {
	why := "Session persistence was a workaround for a per-node permission cache, fixed in Octopus " + steps.NoAffinityNeeded.Since.String() + "; it can pin users to a busy node."
	if !a.Has(steps.NoAffinityNeeded) {
		return why + " Octopus " + string(a.Octopus.Version) + " is older: use cookie (or source-ip)."
	}
	return why + " Your version does not need it: keep none (round robin)."
}

// healthCheckExplain says what the health check path does for the
// balancer chosen: open-source NGINX never calls it (its checks are
// passive), so a draining node keeps getting users there
// (render/lb/templates/nginx.conf).
func healthCheckExplain(a *steps.Answers) string {
	if a.LoadBalancer.Kind == steps.LBNginx {
		return "Each node answers 200 when it is up and 418 while it drains. Open-source NGINX never calls it (its checks are passive): to take a node out, mark its server line down."
	}
	return "Each node answers 200 when it is up and 418 while it drains, so a balancer that polls it stops sending that node users."
}
