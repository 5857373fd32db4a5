package lb

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/lbtest"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

// hostsOf lists every name a config resolves: the nodes and the public host.
func hostsOf(a steps.Answers) []string {
	hosts := []string{a.PublicHost()}
	for _, n := range a.Nodes {
		hosts = append(hosts, n.Host)
	}
	return hosts
}

// withTestCertificate points the answers' certificate at a generated pair,
// in the form each balancer wants.
func withTestCertificate(t *testing.T, a steps.Answers, kind string) steps.Answers {
	if !a.PublicTLS() {
		return a
	}
	c := testkit.SelfSigned(t, a.PublicHost())
	a.LoadBalancer.Certificate, a.LoadBalancer.CertificateKey = c.CertFile, c.KeyFile
	if kind == steps.LBHAProxy {
		a.LoadBalancer.Certificate, a.LoadBalancer.CertificateKey = c.Combined, ""
	}
	return a
}

// TestConfigsPassTheirOwnCheck renders NGINX and HAProxy configs for every
// answers file, whatever balancer it chose, so every polling mode,
// persistence and TLS choice goes through `nginx -t` and `haproxy -c`.
func TestConfigsPassTheirOwnCheck(t *testing.T) {
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy} {
		t.Run(kind, func(t *testing.T) {
			if kind == steps.LBNginx {
				lbtest.RequireNginxStream(t)
			} else {
				lbtest.RequireHAProxy(t)
			}
			for _, path := range answerFiles(t) {
				a := testkit.Load(t, path)
				if len(a.Nodes) == 0 {
					continue
				}
				name := strings.TrimSuffix(filepath.Base(path), ".yaml")
				t.Run(name, func(t *testing.T) {
					a := withTestCertificate(t, a, kind)
					a.LoadBalancer.Kind = kind
					config, err := renderers[kind].render(a)
					if err != nil {
						t.Fatal(err)
					}
					out, err := lbtest.Check(t, kind, config, hostsOf(a))
					if err != nil {
						t.Fatalf("%s refuses the config: %v\n%s\n--- config\n%s", kind, err, out, config)
					}
				})
			}
		})
	}
}

// TestCheckCatchesABrokenConfig proves the check above can fail: the same
// harness refuses a config with a typo and one naming an unknown host.
func TestCheckCatchesABrokenConfig(t *testing.T) {
	a := testkit.Example(t, "2-node-listening-nginx")
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy} {
		t.Run(kind, func(t *testing.T) {
			if kind == steps.LBNginx {
				lbtest.RequireNginx(t)
			} else {
				lbtest.RequireHAProxy(t)
			}
			a := withTestCertificate(t, a, kind)
			config, err := renderers[kind].render(a)
			if err != nil {
				t.Fatal(err)
			}
			if out, err := lbtest.Check(t, kind, config, hostsOf(a)); err != nil {
				t.Fatalf("the unbroken config fails: %v\n%s", err, out)
			}
			directive := map[string]string{steps.LBNginx: "client_max_body_size 0;", steps.LBHAProxy: "option redispatch"}[kind]
			if !strings.Contains(string(config), directive) {
				t.Fatalf("the config has no %q to misspell", directive)
			}
			typo := strings.Replace(string(config), directive, "x"+directive, 1)
			if out, err := lbtest.Check(t, kind, []byte(typo), hostsOf(a)); err == nil {
				t.Errorf("%s accepted a misspelt directive:\n%s", kind, out)
			}
			if out, err := lbtest.Check(t, kind, config, []string{a.PublicHost()}); err == nil {
				t.Errorf("%s accepted node names that do not resolve:\n%s", kind, out)
			}
		})
	}
}
