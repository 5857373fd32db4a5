package redisprobe

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe/probetest"
)

// A server that answers a probe with lengths no Redis sends, or with a
// reply that never ends, costs the probe a few kilobytes and at most its
// timeout, and the probe hangs up (a `*2147483000` reply once took go-redis
// 2.5 GB in two seconds, and more after the timeout).
func TestHostileReplies(t *testing.T) {
	const timeout, margin = time.Second, 250 * time.Millisecond
	for _, tc := range []struct {
		name string
		ok   int // commands answered +OK before the attack
		head string
		then probetest.Then
		id   string
		sev  validate.Severity
		says string
	}{
		{"array header, then nothing", 0, "*2147483000\r\n", probetest.Hold, "redis.reach", validate.Error, "claims 2147483000 elements"},
		{"array header, then a flood", 0, "*2147483000\r\n", probetest.Flood, "redis.reach", validate.Error, "claims 2147483000 elements"},
		{"bulk header, then a trickle", 0, "$2147483000\r\n", probetest.Trickle, "redis.reach", validate.Error, "claims 2147483000 bytes"},
		{"bulk header, then a flood", 0, "$2147483000\r\n", probetest.Flood, "redis.reach", validate.Error, "claims 2147483000 bytes"},
		{"bulk just under the limit, never sent", 0, "$262144\r\n", probetest.Trickle, "redis.reach", validate.Error, "did not answer in time"},
		{"a line without end", 0, "+", probetest.Flood, "redis.reach", validate.Error, "a line longer than"},
		{"arrays nested without end", 0, strings.Repeat("*1\r\n", 1000), probetest.Hold, "redis.reach", validate.Error, "nested deeper"},
		{"not Redis at all", 0, "HTTP/1.1 400 Bad Request\r\n\r\n", probetest.Hold, "redis.reach", validate.Error, "not answer in Redis's protocol"},
		{"CONFIG GET answered with a huge array", 1, "*2147483000\r\n", probetest.Flood, "redis.config", validate.Error, "answered PING but not CONFIG GET save"},
		{"INFO answered with a huge string", 2, "$2147483000\r\n", probetest.Flood, "redis.version", validate.Warning, "would not answer INFO server"},
		{"INFO answered with a flood of small elements", 2, "*64\r\n", probetest.Flood, "redis.version", validate.Warning, "reports no version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := probetest.Redis(t, tc.ok, tc.head, tc.then)
			var fs validate.Findings
			returned := false
			use := probetest.Measure(func() {
				ctx, cancel := context.WithTimeout(t.Context(), timeout)
				defer cancel()
				returned = probetest.Within(timeout+margin, func() { fs = Probe(ctx, local(s.Port), "", Options{}) })
			})
			t.Logf("took %v, allocated %.2f MB, heap peak %.2f MB, %.2f MB left", use.Took, probetest.MB(use.Allocated), probetest.MB(use.Peak), probetest.MB(use.Left))
			if !returned {
				t.Fatalf("the probe was still running %v after its %v timeout; the heap had grown by %.0f MB", margin, timeout, probetest.MB(use.Peak))
			}
			logAll(t, fs)
			if use.Allocated > 4<<20 || use.Left > 1<<20 {
				t.Errorf("the probe allocated %.1f MB and left %.1f MB; a probe takes a few kB", probetest.MB(use.Allocated), probetest.MB(use.Left))
			}
			if !s.HungUp(time.Second) {
				t.Errorf("the probe returned but kept its connection to the server open")
			}
			find(t, fs, tc.id, tc.sev, tc.says)
		})
	}
}

// A probe whose context is cancelled (the wizard does so as soon as the
// answer changes) stops at once, not at its deadline.
func TestCancelledProbeStops(t *testing.T) {
	s := probetest.Redis(t, 0, "$100\r\n", probetest.Trickle)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	Probe(ctx, local(s.Port), "", Options{})
	if took := time.Since(start); took > time.Second {
		t.Errorf("a cancelled probe ran on for %v", took)
	}
	if !s.HungUp(time.Second) {
		t.Errorf("a cancelled probe kept its connection open")
	}
}
