package tui

import (
	"slices"
	"testing"

	"github.com/octoha/octoha/steps"
)

// The Balancer step asks for the public URL's certificate whenever octoha
// writes a TLS balancer config: NGINX and Apache take a certificate and a
// key file, HAProxy one PEM, IIS ARR a thumbprint.
func TestBalancerAsksForTheCertificateItsConfigNeeds(t *testing.T) {
	for kind, want := range map[string][]string{
		steps.LBNginx:   {"loadBalancer.certificate", "loadBalancer.certificateKey"},
		steps.LBApache:  {"loadBalancer.certificate", "loadBalancer.certificateKey"},
		steps.LBHAProxy: {"loadBalancer.certificate"},
		steps.LBIISARR:  {"loadBalancer.certificateThumbprint"},
	} {
		a := steps.Defaults()
		a.LoadBalancer.Kind = kind
		a.LoadBalancer.PublicURL = "https://octopus.corp.local"
		var keys []string
		for _, row := range loadBalancerFields(&a) {
			for _, f := range row {
				keys = append(keys, f.Key())
			}
		}
		for _, k := range want {
			if !slices.Contains(keys, k) {
				t.Errorf("%s over https: the Balancer step has no %s field (fields %v)", kind, k, keys)
			}
		}
	}
}
