package lb

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/lbtest"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

// The live tests run the real nginx and haproxy on rendered configs in
// front of fake nodes on 127.0.0.1 (package lbtest).

const publicHost = "octopus.test"

// cluster is three fake nodes, each with a web port and a comms echo.
type cluster struct {
	web   []*lbtest.FakeNode
	comms []*lbtest.TCPEcho
	cert  testkit.Certificate
}

func startCluster(t *testing.T) *cluster {
	c := &cluster{cert: testkit.SelfSigned(t, publicHost)}
	for _, name := range []string{"OCTO1", "OCTO2", "OCTO3"} {
		c.web = append(c.web, lbtest.StartFakeNode(t, name, steps.Defaults().LoadBalancer.HealthCheck))
		c.comms = append(c.comms, lbtest.StartTCPEcho(t, name))
	}
	return c
}

// answers describes the cluster: https on the public name, nodes at
// 127.0.0.1 on the fake ports, the given persistence and tentacle mode.
func (c *cluster) answers(kind, persistence, mode, polling string) steps.Answers {
	a := steps.Defaults()
	a.LoadBalancer.Kind = kind
	a.LoadBalancer.PublicURL = "https://" + publicHost
	a.LoadBalancer.Persistence = persistence
	a.LoadBalancer.Certificate, a.LoadBalancer.CertificateKey = c.cert.CertFile, c.cert.KeyFile
	if kind == steps.LBHAProxy {
		a.LoadBalancer.Certificate, a.LoadBalancer.CertificateKey = c.cert.Combined, ""
	}
	a.Tentacles.Mode, a.Tentacles.Polling = mode, polling
	for i, n := range c.web {
		a.Nodes = append(a.Nodes, steps.Node{Name: n.Name, Host: "127.0.0.1", WebPort: n.Port(), CommsPort: c.comms[i].Port()})
	}
	return a
}

// startBalancer renders the answers with the real renderer and runs it.
func startBalancer(t *testing.T, a steps.Answers) *lbtest.Balancer {
	config, err := renderers[a.LoadBalancer.Kind].render(a)
	if err != nil {
		t.Fatal(err)
	}
	b := lbtest.Start(t, a.LoadBalancer.Kind, config, nil)
	if a.LoadBalancer.Kind == steps.LBHAProxy {
		for _, n := range a.Nodes {
			b.WaitServerStatus(t, "octopus_web", n.Name, "UP", 10*time.Second)
		}
	}
	return b
}

// client talks https to the balancer's public port as a browser would,
// trusting the test certificate; jar keeps cookies when set.
func client(c *cluster, b *lbtest.Balancer, jar http.CookieJar) *http.Client {
	addr := b.Addr(443)
	return &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: c.cert.Pool, ServerName: publicHost},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			},
			// A fresh connection per request, so a balancer's choice is never
			// hidden behind a kept-alive connection.
			DisableKeepAlives: true,
		},
	}
}

// get fetches a page and returns the node that answered.
func get(hc *http.Client) (string, error) {
	resp, err := hc.Get("https://" + publicHost + "/app")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %s", resp.Status)
	}
	return resp.Header.Get(lbtest.NodeHeader), nil
}

// spread sends n requests and counts them per node; any failure fails the test.
func spread(t *testing.T, hc *http.Client, n int) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for i := range n {
		node, err := get(hc)
		if err != nil {
			t.Fatalf("request %d of %d failed: %v", i+1, n, err)
		}
		seen[node]++
	}
	return seen
}

func TestLiveForwardsHeadersAndRedirects(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy, steps.LBApache} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lbtest.RequireBalancer(t, kind, false)
			c := startCluster(t)
			b := startBalancer(t, c.answers(kind, steps.PersistenceNone, steps.ModeListening, ""))
			hc := client(c, b, nil)

			resp, err := hc.Post("https://"+publicHost+"/api/Spaces-1/packages/raw", "application/octet-stream", bytes.NewReader(make([]byte, 3<<20)))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("a 3 MB upload got %s; the request size limit is not lifted", resp.Status)
			}
			for h, want := range map[string]string{"Host": publicHost, "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": publicHost} {
				if got := resp.Header.Get("X-Seen-" + h); got != want {
					t.Errorf("the node saw %s %q, want %q", h, got, want)
				}
			}

			// Plain http answers with a redirect to the https address.
			noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			req, _ := http.NewRequest("GET", "http://"+b.Addr(80)+"/app/projects?x=1", nil)
			req.Host = publicHost
			resp, err = noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != "https://"+publicHost+"/app/projects?x=1" {
				t.Errorf("http answered %s to %q, want 301 to the https address", resp.Status, loc)
			}

			// A websocket upgrade reaches a node and then passes bytes both ways.
			conn, err := tls.Dial("tcp", b.Addr(443), &tls.Config{RootCAs: c.cert.Pool, ServerName: publicHost, NextProtos: []string{"http/1.1"}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(conn, "GET /socket HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", publicHost)
			r := bufio.NewReader(conn)
			up, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			if up.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("the websocket upgrade got %s", up.Status)
			}
			msg := []byte("frame through the balancer")
			conn.Write(msg)
			back := make([]byte, len(msg))
			if _, err := io.ReadFull(r, back); err != nil || !bytes.Equal(back, msg) {
				t.Fatalf("the websocket echoed %q, %v", back, err)
			}
		})
	}
}

// waitSpread sends runs of 10 requests (none may fail) until one run's
// spread satisfies done, and returns how long that took; it fails the
// test after timeout.
func waitSpread(t *testing.T, hc *http.Client, timeout time.Duration, done func(map[string]int) bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < timeout {
		if done(spread(t, hc, 10)) {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the balancer did not change its spread within %v", timeout)
	return 0
}

// TestLiveNodeStops stops a node mid-run: once the balancer has noticed
// (at once for NGINX's passive check and Apache's failover to the next
// member, after HAProxy's check window), no
// request fails and the others share the load.
func TestLiveNodeStops(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy, steps.LBApache} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lbtest.RequireBalancer(t, kind, false)
			c := startCluster(t)
			b := startBalancer(t, c.answers(kind, steps.PersistenceNone, steps.ModeListening, ""))
			hc := client(c, b, nil)

			before := spread(t, hc, 30)
			if len(before) != 3 {
				t.Fatalf("round robin reached %v, want all three nodes", before)
			}
			stopped := c.web[1]
			stopped.Stop()
			stoppedAt := time.Now()
			failedInWindow := 0
			if kind == steps.LBHAProxy {
				// Keep the traffic going while HAProxy's checks notice.
				done := make(chan time.Duration)
				go func() { done <- b.WaitServerStatus(t, "octopus_web", stopped.Name, "DOWN", 15*time.Second) }()
			window:
				for {
					select {
					case w := <-done:
						t.Logf("HAProxy took the stopped node out after %v", w.Round(time.Millisecond))
						break window
					default:
						if _, err := get(hc); err != nil {
							failedInWindow++
						}
					}
				}
			}
			after := spread(t, hc, 30)
			t.Logf("%d requests failed inside the health-check window; %v after %v", failedInWindow, after, time.Since(stoppedAt).Round(time.Millisecond))
			if after[stopped.Name] != 0 || len(after) != 2 {
				t.Errorf("after the stop the requests went to %v, want only the two live nodes", after)
			}
		})
	}
}

// TestLiveDrainingNode switches a node's health check to 418. HAProxy and
// Apache take it out of rotation and back; NGINX cannot see it, as its
// config says.
func TestLiveDrainingNode(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy, steps.LBApache} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lbtest.RequireBalancer(t, kind, false)
			c := startCluster(t)
			b := startBalancer(t, c.answers(kind, steps.PersistenceNone, steps.ModeListening, ""))
			hc := client(c, b, nil)
			drained := c.web[0]
			drained.SetDraining(true)
			if kind == steps.LBNginx {
				seen := spread(t, hc, 30)
				if seen[drained.Name] == 0 {
					t.Fatalf("NGINX stopped sending to the draining node (%v); its config says it cannot", seen)
				}
				if drained.Checks() != 0 {
					t.Errorf("NGINX called the health check %d times; open-source NGINX has no active checks", drained.Checks())
				}
				return
			}
			if kind == steps.LBApache {
				// No admin socket to ask: the node is out once a run of
				// requests no longer reaches it.
				w := waitSpread(t, hc, 15*time.Second, func(seen map[string]int) bool { return seen[drained.Name] == 0 })
				t.Logf("Apache took the draining node out after %v (%d health checks on it)", w.Round(time.Millisecond), drained.Checks())
				if seen := spread(t, hc, 30); seen[drained.Name] != 0 {
					t.Errorf("the draining node still got requests: %v", seen)
				}
				drained.SetDraining(false)
				w = waitSpread(t, hc, 15*time.Second, func(seen map[string]int) bool { return seen[drained.Name] > 0 })
				t.Logf("Apache sent the node requests again %v after draining ended", w.Round(time.Millisecond))
				return
			}
			w := b.WaitServerStatus(t, "octopus_web", drained.Name, "DOWN", 10*time.Second)
			t.Logf("HAProxy took the draining node out after %v", w.Round(time.Millisecond))
			if seen := spread(t, hc, 30); seen[drained.Name] != 0 {
				t.Errorf("the draining node still got requests: %v", seen)
			}
			drained.SetDraining(false)
			b.WaitServerStatus(t, "octopus_web", drained.Name, "UP", 10*time.Second)
			if seen := spread(t, hc, 30); seen[drained.Name] == 0 {
				t.Errorf("the node got no requests after draining ended: %v", seen)
			}
		})
	}
}

// TestLiveCookiePersistence: with persistence cookie a browser (a client
// keeping cookies) stays on one node; without cookies requests spread, so
// the cookie is what pins it.
func TestLiveCookiePersistence(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy, steps.LBApache} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lbtest.RequireBalancer(t, kind, false)
			c := startCluster(t)
			b := startBalancer(t, c.answers(kind, steps.PersistenceCookie, steps.ModeListening, ""))
			for browser := range 3 {
				jar, _ := cookiejar.New(nil)
				hc := client(c, b, jar)
				first, err := get(hc) // the node or balancer sets the cookie
				if err != nil {
					t.Fatal(err)
				}
				seen := spread(t, hc, 20)
				if len(seen) != 1 {
					t.Fatalf("browser %d landed on %v after its first request", browser, seen)
				}
				t.Logf("browser %d: first request on %s, then %v", browser, first, seen)
			}
			if seen := spread(t, client(c, b, nil), 30); len(seen) < 2 {
				t.Errorf("without cookies every request went to %v; persistence should not pin those", seen)
			}
		})
	}
}

// TestLiveSourceIPPersistence: with persistence source-ip each client
// address stays on one node, and addresses that differ only in their last
// octet still spread over the nodes. NGINX's ip_hash hashes only the first
// three octets of an IPv4 address, so a whole /24 (an office, a VPN pool)
// would land on one node; the whole address must be hashed.
func TestLiveSourceIPPersistence(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lbtest.RequireBalancer(t, kind, false)
			c := startCluster(t)
			b := startBalancer(t, c.answers(kind, steps.PersistenceSourceIP, steps.ModeListening, ""))
			nodes := map[string]int{}
			// Every address of 127.0.0.0/8 is this machine's, so each client
			// can connect from its own address in 127.0.0.0/24.
			for last := 2; last < 42; last++ {
				from := net.IPv4(127, 0, 0, byte(last))
				hc := client(c, b, nil)
				hc.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
					d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from}}
					return d.DialContext(ctx, network, b.Addr(443))
				}
				seen := spread(t, hc, 5)
				if len(seen) != 1 {
					t.Errorf("client %s landed on %v; source-ip persistence should keep it on one node", from, seen)
				}
				for node := range seen {
					nodes[node]++
				}
			}
			if len(nodes) < 2 {
				t.Errorf("40 clients in 127.0.0.0/24 all landed on %v: the balancer hashes less than the whole address", nodes)
			}
		})
	}
}

// TestLivePolling sends bytes through the polling forwards: unique-port
// reaches each node on its own port, redis balances one port; either way
// the bytes come back unchanged (TCP passthrough, no TLS termination).
func TestLivePolling(t *testing.T) {
	t.Parallel()
	payload := make([]byte, 256<<10)
	rand.Read(payload)
	// Starts like a TLS ClientHello: a terminating balancer would answer it.
	copy(payload, []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01})
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy} {
		for _, polling := range []string{steps.PollingUniquePort, steps.PollingRedis} {
			t.Run(kind+"/"+polling, func(t *testing.T) {
				t.Parallel()
				lbtest.RequireBalancer(t, kind, true)
				c := startCluster(t)
				a := c.answers(kind, steps.PersistenceNone, steps.ModePolling, polling)
				b := startBalancer(t, a)
				roundTrip := func(port int) string {
					t.Helper()
					node, back, err := lbtest.EchoRoundTrip(b.Addr(port), payload)
					if err != nil {
						t.Fatalf("polling port %d: %v", port, err)
					}
					if !bytes.Equal(back, payload) {
						t.Fatalf("polling port %d changed the bytes", port)
					}
					return node
				}
				if polling == steps.PollingUniquePort {
					for i, n := range a.Nodes {
						if got := roundTrip(a.NodeCommsPort(i)); got != n.Name {
							t.Errorf("port %d reached %s, want %s", a.NodeCommsPort(i), got, n.Name)
						}
					}
					return
				}
				seen := map[string]int{}
				for range 9 {
					seen[roundTrip(a.Tentacles.BasePort)]++
				}
				if len(seen) < 2 {
					t.Errorf("the balanced polling port reached only %v", seen)
				}
				c.comms[2].Stop()
				if kind == steps.LBHAProxy {
					b.WaitServerStatus(t, "octopus_polling", "OCTO3", "DOWN", 10*time.Second)
				}
				seen = map[string]int{}
				for range 9 {
					seen[roundTrip(a.Tentacles.BasePort)]++
				}
				if seen["OCTO3"] != 0 || len(seen) != 2 {
					t.Errorf("with OCTO3's comms port closed the polling port reached %v", seen)
				}
			})
		}
	}
}
