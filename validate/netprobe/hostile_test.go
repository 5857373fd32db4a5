package netprobe

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe/probetest"
)

// counted is a listener that counts the connections it gets: where a
// redirect would send the probe.
func counted(t *testing.T) (port int, hits *atomic.Int32) {
	hits = new(atomic.Int32)
	s := probetest.Serve(t, func(c net.Conn) { hits.Add(1) })
	return s.Port, hits
}

// Hostile web servers cost a health check a few kilobytes and at most its
// timeout: the body is never read, headers stop at maxHeaderBytes, and a
// redirect is reported, not followed.
func TestHostileHealthChecks(t *testing.T) {
	const timeout, margin = time.Second, 250 * time.Millisecond
	elsewhere, hits := counted(t)
	redirect := "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:" + strconv.Itoa(elsewhere) + "/api/octopusservernodes/ping\r\nContent-Length: 0\r\n\r\n"
	for _, tc := range []struct {
		name         string
		head, filler string
		then         probetest.Then
		sev          validate.Severity
		says         string
		fast         bool // answers at once, not at the timeout
	}{
		{"a body of two gigabytes", "HTTP/1.1 200 OK\r\nContent-Length: 2147483000\r\n\r\n", "x", probetest.Flood, validate.OK, "OCTO1 is healthy", true},
		{"a body that trickles", "HTTP/1.1 200 OK\r\nContent-Length: 2147483000\r\n\r\n", "x", probetest.Trickle, validate.OK, "OCTO1 is healthy", true},
		{"a chunked body without end", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "1000\r\n" + strings.Repeat("x", 4096) + "\r\n", probetest.Flood, validate.OK, "OCTO1 is healthy", true},
		{"headers without end", "HTTP/1.1 200 OK\r\nX-Pad: ", "x", probetest.Flood, validate.Error, "OCTO1: GET", true},
		{"headers that trickle", "HTTP/1.1 200 OK\r\nX-Pad: ", "x", probetest.Trickle, validate.Error, "no answer in time", false},
		{"a redirect to another port", redirect, "", probetest.Hold, validate.Error, "a redirect to http://127.0.0.1:" + strconv.Itoa(elsewhere), true},
		{"a redirect to another host", "HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere.example/\u202e\r\nContent-Length: 0\r\n\r\n", "", probetest.Hold, validate.Error, "a redirect to https://elsewhere.example/\ufffd,", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := probetest.HTTP(t, tc.head, tc.filler, tc.then)
			url := "http://" + s.Addr + "/api/octopusservernodes/ping"
			var fs validate.Findings
			returned := false
			use := probetest.Measure(func() {
				ctx, cancel := context.WithTimeout(t.Context(), timeout)
				defer cancel()
				returned = probetest.Within(timeout+margin, func() { fs = Health(ctx, Env{Resolver: probetest.Hosts{}}, "nodes[0].host", "OCTO1", url) })
			})
			t.Logf("took %v, allocated %.2f MB, heap peak %.2f MB, %.2f MB left", use.Took, probetest.MB(use.Allocated), probetest.MB(use.Peak), probetest.MB(use.Left))
			if !returned {
				t.Fatalf("the health check was still running %v after its %v timeout", margin, timeout)
			}
			f := only(t, fs)
			wantFinding(t, f, "http.ping", tc.sev, tc.says)
			if tc.fast && use.Took > timeout/4 {
				t.Errorf("took %v: the answer was there at once", use.Took)
			}
			if use.Allocated > 2<<20 || use.Left > 1<<20 {
				t.Errorf("allocated %.1f MB and left %.1f MB; a health check takes a few kB", probetest.MB(use.Allocated), probetest.MB(use.Left))
			}
			if !s.HungUp(time.Second) {
				t.Errorf("the check returned but kept its connection to the server open")
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("a redirect was followed to another port (%d connections)", n)
	}
}

// The balancer's public URL gets the same treatment.
func TestPublicDoesNotFollowRedirects(t *testing.T) {
	elsewhere, hits := counted(t)
	s := probetest.HTTP(t, "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:"+strconv.Itoa(elsewhere)+"/\r\nContent-Length: 0\r\n\r\n", "", probetest.Hold)
	f := only(t, Public(timeoutCtx(t, time.Second), Env{Resolver: probetest.Hosts{}}, "loadBalancer.publicUrl", "http://"+s.Addr+"/api/octopusservernodes/ping"))
	wantFinding(t, f, "lb.public", validate.Error, "307 Temporary Redirect, a redirect to http://127.0.0.1:"+strconv.Itoa(elsewhere))
	if hits.Load() != 0 {
		t.Errorf("the redirect was followed")
	}
}

// /api bodies are read only up to maxAPIBody, and what a node says its
// version is reaches a finding without its control characters.
func TestHostileVersions(t *testing.T) {
	for _, tc := range []struct {
		name, head, filler string
		then               probetest.Then
		says               string
	}{
		{"a body without end", "HTTP/1.1 200 OK\r\nContent-Length: 2147483000\r\n\r\n{\"Version\":\"", "9", probetest.Flood, `no "Version"`},
		{"a version that clears the screen", "HTTP/1.1 200 OK\r\n\r\n{\"Version\":\"2026.4.6909\\u001b[2J\"}", "", probetest.Hold, "OCTO1 runs Octopus 2026.4.6909\ufffd[2J"},
		{"a redirect", "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/api\r\nContent-Length: 0\r\n\r\n", "", probetest.Hold, "answered 302 Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := probetest.HTTP(t, tc.head, tc.filler, tc.then)
			var fs validate.Findings
			use := probetest.Measure(func() {
				fs = Versions(timeoutCtx(t, time.Second), Env{Resolver: probetest.Hosts{}}, "octopus.version", "2026.4.6909", []Node{{"OCTO1", "http://" + s.Addr}})
			})
			t.Logf("took %v, allocated %.2f MB", use.Took, probetest.MB(use.Allocated))
			f := only(t, fs)
			wantFinding(t, f, "http.version", f.Severity, tc.says)
			if strings.ContainsRune(f.Message, 0x1b) {
				t.Errorf("an escape character reached the finding: %q", f.Message)
			}
			if use.Took > 500*time.Millisecond || use.Allocated > 4<<20 {
				t.Errorf("took %v and %.1f MB", use.Took, probetest.MB(use.Allocated))
			}
		})
	}
}
