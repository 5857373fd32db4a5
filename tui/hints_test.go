package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
)

// TestEveryFieldHasAHint: every question explains itself, on every step,
// with the answers that add the most fields (SQL login, NGINX over https,
// polling).
func TestEveryFieldHasAHint(t *testing.T) {
	for i, mode := range []string{steps.PollingUniquePort, steps.PollingRedis, steps.PollingUniqueAddress} {
		a := wantCluster()
		a.LoadBalancer.Kind = []string{steps.LBNginx, steps.LBHAProxy, steps.LBIISARR}[i]
		a.Database.Auth, a.Database.User = steps.AuthSQL, "octoha"
		a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, mode
		for _, s := range formSteps {
			for _, row := range s.fields(&a) {
				for _, fl := range row {
					if _, ok := fl.Explain(&a); !ok {
						t.Errorf("%s (%s) has no hint", fl.Key(), fl.Title())
					}
				}
			}
		}
	}
}

// The health check hint says what the balancer chosen does with it:
// open-source NGINX never calls it, so it does not stop sending users to
// a draining node (render/lb/templates/nginx.conf says so).
func TestHealthCheckHintFollowsTheBalancer(t *testing.T) {
	a := wantCluster()
	a.LoadBalancer.Kind = steps.LBNginx
	if h := healthCheckExplain(&a); strings.Contains(h, "stops sending") || !strings.Contains(h, "never calls it") {
		t.Errorf("NGINX: %q", h)
	}
	a.LoadBalancer.Kind = steps.LBHAProxy
	if h := healthCheckExplain(&a); !strings.Contains(h, "stops sending") {
		t.Errorf("HAProxy: %q", h)
	}
}

// Before the tentacle mode is chosen (listening is the default), the
// comms-port hint says it depends on it.
func TestCommsPortHintFollowsTheMode(t *testing.T) {
	a := steps.Defaults()
	a.Nodes = []steps.Node{{Name: "OCTO1"}}
	if h := commsPortExplain(0)(&a); !strings.Contains(h, "Only polling tentacles") {
		t.Errorf("listening: %q", h)
	}
	a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingUniquePort
	if h := commsPortExplain(0)(&a); !strings.Contains(h, "Unique-port polling") {
		t.Errorf("unique-port: %q", h)
	}
}

// The preview draws no byte order mark and no carriage return, and the
// last line is the file's last line.
func TestPreviewText(t *testing.T) {
	got := previewText([]byte("\ufeff# first\r\n\tWrite-Output 'x'\r\n# last\r\n"))
	if got != "# first\n    Write-Output 'x'\n# last" {
		t.Errorf("preview text %q", got)
	}
}

// On Review, the preview of a script (written with Windows line ends)
// holds no carriage return or byte order mark.
func TestReviewPreviewOfAScript(t *testing.T) {
	m := newTestModel(t, 120, 40)
	fillCluster(t, m, false)
	press(t, m, "p")
	if f := m.render(); strings.ContainsAny(f, "\r\ufeff") || !strings.Contains(f, m.review.files[0].Path) {
		t.Errorf("the preview draws a carriage return or a byte order mark:\n%q", f)
	}
}

// The focused cell of the Nodes grid shows the whole host name, however
// long, and the others keep their columns.
func TestNodesGridShowsTheWholeFocusedHost(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m.newCluster()
	long := "octo1.a-rather-long-domain.corp.example"
	m.answers.Nodes = []steps.Node{{Name: "OCTO1", Host: long}}
	m.recheck()
	m.goTo(3)
	press(t, m, "tab") // to the host
	if !strings.Contains(screen(m), long) {
		t.Errorf("the focused host is cut:\n%s", screen(m))
	}
}

// Below the smallest window the wizard lays out in, it says how big the
// window must be instead of drawing screens over each other.
func TestTooSmallWindowSaysHowBig(t *testing.T) {
	m := newTestModel(t, 50, 15)
	if s := screen(m); !strings.Contains(s, "at least 60x20") || !strings.Contains(s, "50x15") {
		t.Errorf("a 50x15 window:\n%s", s)
	}
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	if s := screen(m); strings.Contains(s, "at least") || !strings.Contains(s, "What would you like to do?") {
		t.Errorf("a 60x20 window:\n%s", s)
	}
}
