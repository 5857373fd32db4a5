package tui

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// blockingProbe is a LiveCheck that runs until its context is cancelled,
// as a probe of a server that never answers does, and remembers when it
// stopped.
type blockingProbe struct {
	mu      sync.Mutex
	stopped map[string]chan struct{} // host probed → closed when cancelled
}

func (p *blockingProbe) check(ctx context.Context, a steps.Answers, field string, _ bool) validate.Findings {
	if field != "nodes[1].host" {
		return nil
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.stopped[a.Nodes[1].Host] = done
	p.mu.Unlock()
	<-ctx.Done()
	close(done)
	return nil
}

func (p *blockingProbe) wasCancelled(host string, within time.Duration) bool {
	p.mu.Lock()
	done := p.stopped[host]
	p.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	case <-time.After(within):
		return false
	}
}

// Removing a node while its host is being probed stops the probe: its
// answer is gone, so its result would be dropped, and a probe left to run
// holds a connection (and, against a hostile server, memory) until its
// timeout. The spinner stops with it.
func TestRemovedNodeStopsItsProbe(t *testing.T) {
	probe := &blockingProbe{stopped: map[string]chan struct{}{}}
	m := newTestModel(t, 80, 24)
	m.opts.LiveCheck = probe.check
	m.newCluster()
	m.goTo(3)
	for i := 1; i <= 3; i++ {
		press(t, m, "ctrl+n")
		typeText(t, m, "N"+itoa(i))
		press(t, m, "tab")
		typeText(t, m, "n"+itoa(i))
		if i == 2 {
			press(t, m, "tab") // leaving node 2's host starts its probe
		}
	}
	lc := m.live["nodes[1].host"]
	if lc == nil || !lc.Running || lc.Value != "n2" {
		t.Fatalf("node 2's host is not being probed: %+v", lc)
	}
	// Back on node 2's row, which goes: nodes[1] is now n3.
	press(t, m, "up", "up")
	press(t, m, "ctrl+x")
	if len(m.answers.Nodes) != 2 || m.answers.Nodes[0].Host != "n1" || m.answers.Nodes[1].Host != "n3" {
		t.Fatalf("after removing node 2: %+v", m.answers.Nodes)
	}
	if !probe.wasCancelled("n2", time.Second) {
		t.Errorf("the probe of n2 still runs after its node was removed")
	}
	if lc.Running || m.anyLiveRunning() {
		t.Errorf("a live check still counts as running, so the spinner never stops")
	}
}
