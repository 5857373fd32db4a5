package steps

import (
	"slices"
	"testing"
)

func TestShareHosts(t *testing.T) {
	a := Defaults()
	a.Storage = Storage{Root: `\\FS01.corp.local\Octopus`, TaskLogs: `\\fs02\Logs`, Packages: `\\fs01.CORP.local\Packages`, Imports: `D:\Imports`, EventExports: `\\\bad`}
	got := a.ShareHosts()
	want := []string{"FS01.corp.local", "fs02"}
	if !slices.Equal(got, want) {
		t.Errorf("ShareHosts() = %q, want %q", got, want)
	}
}

func TestRedirectAndPollingPorts(t *testing.T) {
	for _, c := range []struct {
		url, mode, polling string
		redirect, polled   int
	}{
		{"https://octopus.corp.local", ModeListening, PollingRedis, 80, 0},
		{"https://octopus.corp.local:8443", ModePolling, PollingRedis, 80, 10943},
		{"https://octopus.corp.local:80", ModePolling, PollingUniquePort, 0, 0},
		{"http://octopus.corp.local", ModePolling, PollingUniqueAddress, 0, 0},
	} {
		a := Defaults()
		a.LoadBalancer.PublicURL, a.Tentacles.Mode, a.Tentacles.Polling = c.url, c.mode, c.polling
		if got := a.RedirectPort(); got != c.redirect {
			t.Errorf("%s: RedirectPort() = %d, want %d", c.url, got, c.redirect)
		}
		if got := a.BalancedPollingPort(); got != c.polled {
			t.Errorf("%s %s/%s: BalancedPollingPort() = %d, want %d", c.url, c.mode, c.polling, got, c.polled)
		}
	}
}

func TestHealthPathAndNodeURL(t *testing.T) {
	a := Defaults()
	a.Nodes = []Node{{Name: "OCTO1", Host: " octo1.corp.local "}, {Name: "OCTO2", Host: "fd00::2", WebPort: 8080}}
	for check, want := range map[string]string{"": HealthCheckPath, "api/x": "/api/x", " /ping ": "/ping"} {
		a.LoadBalancer.HealthCheck = check
		if got := a.HealthPath(); got != want {
			t.Errorf("healthCheck %q: HealthPath = %q, want %q", check, got, want)
		}
	}
	if got, want := a.NodeURL(0), "http://octo1.corp.local:80"; got != want {
		t.Errorf("NodeURL(0) = %q, want %q", got, want)
	}
	if got, want := a.NodeURL(1), "http://[fd00::2]:8080"; got != want {
		t.Errorf("NodeURL(1) = %q, want %q", got, want)
	}
}
