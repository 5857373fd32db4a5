package lbtest

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// OctopusSessionCookie is the cookie a fake node sets on a client that has
// none, as Octopus does at sign-in. [INFER] The name the NGINX config
// hashes on for cookie persistence.
const OctopusSessionCookie = "OctopusIdentificationToken"

// NodeHeader names the node that answered a request.
const NodeHeader = "X-Octopus-Node"

// FakeNode is a small stand-in for an Octopus node's web port: the health
// check path answers 200, or 418 while draining (docs/octopus-facts.md §5.1); every
// other path answers 200 naming the node and echoing the forwarding headers
// it saw; a websocket upgrade is accepted and then echoes bytes.
type FakeNode struct {
	Name       string
	HealthPath string

	port     int
	draining atomic.Bool
	hits     atomic.Int64
	checks   atomic.Int64

	mu    sync.Mutex
	ln    net.Listener
	srv   *http.Server
	conns map[net.Conn]bool
}

// StartFakeNode starts a node on a free 127.0.0.1 port; it stops when the
// test ends.
func StartFakeNode(t testing.TB, name, healthPath string) *FakeNode {
	t.Helper()
	n := &FakeNode{Name: name, HealthPath: healthPath}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.port = ln.Addr().(*net.TCPAddr).Port
	n.serve(ln)
	t.Cleanup(n.Stop)
	return n
}

// Port is the node's web port.
func (n *FakeNode) Port() int { return n.port }

// SetDraining makes the health check answer 418 (true) or 200 (false).
func (n *FakeNode) SetDraining(on bool) { n.draining.Store(on) }

// Hits counts the requests the node served, health checks not included.
func (n *FakeNode) Hits() int64 { return n.hits.Load() }

// Checks counts health checks.
func (n *FakeNode) Checks() int64 { return n.checks.Load() }

// Stop closes the listener and every open connection, as a node whose
// service stops does.
func (n *FakeNode) Stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.srv == nil {
		return
	}
	n.srv.Close()
	for c := range n.conns {
		c.Close()
	}
	n.srv, n.ln, n.conns = nil, nil, nil
}

func (n *FakeNode) serve(ln net.Listener) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.ln = ln
	n.conns = map[net.Conn]bool{}
	n.srv = &http.Server{Handler: http.HandlerFunc(n.handle), ConnState: n.track}
	go n.srv.Serve(ln)
}

func (n *FakeNode) track(c net.Conn, s http.ConnState) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conns == nil {
		return
	}
	switch s {
	case http.StateNew, http.StateHijacked:
		n.conns[c] = true
	case http.StateClosed:
		delete(n.conns, c)
	}
}

func (n *FakeNode) handle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(NodeHeader, n.Name)
	if r.URL.Path == n.HealthPath {
		n.checks.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if n.draining.Load() {
			w.WriteHeader(http.StatusTeapot)
		}
		fmt.Fprintf(w, `{"Name":%q,"IsInMaintenanceMode":%t}`, n.Name, n.draining.Load())
		return
	}
	n.hits.Add(1)
	if r.Header.Get("Upgrade") == "websocket" {
		n.websocket(w, r.Header.Get("Sec-WebSocket-Key"))
		return
	}
	if _, err := r.Cookie(OctopusSessionCookie); err != nil {
		b := make([]byte, 16)
		rand.Read(b)
		http.SetCookie(w, &http.Cookie{Name: OctopusSessionCookie, Value: hex.EncodeToString(b), Path: "/"})
	}
	for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"} {
		w.Header().Set("X-Seen-"+h, r.Header.Get(h))
	}
	w.Header().Set("X-Seen-Host", r.Host)
	io.Copy(io.Discard, r.Body)
	fmt.Fprintf(w, "node=%s\n", n.Name)
}

// websocket answers 101 and echoes raw bytes: enough to prove the
// balancer forwarded the upgrade and then passes bytes both ways.
func (n *FakeNode) websocket(w http.ResponseWriter, key string) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	// RFC 6455 §4.2.2; HAProxy refuses a 101 without the right accept value.
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	accept := base64.StdEncoding.EncodeToString(sum[:])
	fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s: %s\r\n\r\n", accept, NodeHeader, n.Name)
	rw.Flush()
	io.Copy(conn, rw.Reader)
}

// TCPEcho stands in for a node's polling comms port: it writes the node's
// name and a newline, then echoes every byte back unchanged.
type TCPEcho struct {
	Name     string
	port     int
	accepted atomic.Int64

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

// StartTCPEcho starts an echo on a free 127.0.0.1 port; it stops when the
// test ends.
func StartTCPEcho(t testing.TB, name string) *TCPEcho {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveTCPEcho(t, name, ln)
}

// StartTCPEchoes starts one echo per name on consecutive ports, as
// unique-port polling numbers the nodes' comms ports from
// tentacles.basePort (docs/octopus-facts.md §6.2 B): the first name's port is the base.
func StartTCPEchoes(t testing.TB, names ...string) []*TCPEcho {
	t.Helper()
	var echoes []*TCPEcho
	for i, ln := range ListenRun(t, len(names)) {
		echoes = append(echoes, serveTCPEcho(t, names[i], ln))
	}
	return echoes
}

func serveTCPEcho(t testing.TB, name string, ln net.Listener) *TCPEcho {
	e := &TCPEcho{Name: name, port: ln.Addr().(*net.TCPAddr).Port, ln: ln, conns: map[net.Conn]bool{}}
	go e.accept(ln)
	t.Cleanup(e.Stop)
	return e
}

// Port is the echo's port.
func (e *TCPEcho) Port() int { return e.port }

// Accepted counts the connections the echo accepted.
func (e *TCPEcho) Accepted() int64 { return e.accepted.Load() }

func (e *TCPEcho) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		e.mu.Lock()
		if e.conns == nil {
			e.mu.Unlock()
			c.Close()
			return
		}
		e.conns[c] = true
		e.mu.Unlock()
		e.accepted.Add(1)
		go func() {
			defer e.forget(c)
			fmt.Fprintf(c, "%s\n", e.Name)
			io.Copy(c, c)
		}()
	}
}

// Stop closes the listener and every connection.
func (e *TCPEcho) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ln != nil {
		e.ln.Close()
	}
	for c := range e.conns {
		c.Close()
	}
	e.ln, e.conns = nil, nil
}

func (e *TCPEcho) forget(c net.Conn) {
	c.Close()
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.conns, c) // a no-op on nil after Stop
}

// EchoConn is a client connection to a TCPEcho, possibly through a
// balancer.
type EchoConn struct {
	// Node is the name the echo sent first.
	Node string

	conn    net.Conn
	r       *bufio.Reader
	timeout time.Duration
}

// DialEcho connects to addr and reads the node name; every step after,
// each round trip included, must finish within timeout.
func DialEcho(addr string, timeout time.Duration) (*EchoConn, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	c := &EchoConn{conn: conn, r: bufio.NewReader(conn), timeout: timeout}
	conn.SetDeadline(time.Now().Add(timeout))
	node, err := c.r.ReadString('\n')
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("reading the node name: %w", err)
	}
	c.Node = strings.TrimSuffix(node, "\n")
	return c, nil
}

// RoundTrip sends payload and returns the bytes that came back.
func (c *EchoConn) RoundTrip(payload []byte) ([]byte, error) {
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	errc := make(chan error, 1)
	// Write while reading: a payload larger than the socket buffers would
	// otherwise block both ends.
	go func() { _, err := c.conn.Write(payload); errc <- err }()
	back := make([]byte, len(payload))
	if _, err := io.ReadFull(c.r, back); err != nil {
		return nil, fmt.Errorf("reading the echo: %w", err)
	}
	if err := <-errc; err != nil {
		return nil, err
	}
	return back, nil
}

// Close closes the connection.
func (c *EchoConn) Close() error { return c.conn.Close() }

// EchoRoundTrip connects to addr, reads the node name the echo sends
// first, sends payload and returns the name and the bytes that came back,
// all within 10 s.
func EchoRoundTrip(addr string, payload []byte) (node string, back []byte, err error) {
	c, err := DialEcho(addr, 10*time.Second)
	if err != nil {
		return "", nil, err
	}
	defer c.Close()
	back, err = c.RoundTrip(payload)
	if err != nil {
		return "", nil, err
	}
	return c.Node, back, nil
}
