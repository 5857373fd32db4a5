// Package probetest is the probes' test kit, as net/http/httptest is
// net/http's: loopback servers that answer as an attacker would (a Redis
// reply that claims two billion elements, an HTTP body without end, a
// trickle, a redirect to another port), a measure of what a probe spent on
// them, and a fixed resolver, so no test asks the machine's DNS.
package probetest

import (
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Hosts is a fixed resolver: the addresses of the names it holds (in lower
// case), and "no such host" for any other.
type Hosts map[string][]string

// LookupHost answers as *net.Resolver does.
func (h Hosts) LookupHost(_ context.Context, host string) ([]string, error) {
	if addrs, ok := h[strings.ToLower(host)]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// ForbidMachineDNS makes every lookup through the machine's resolver
// (net.DefaultResolver, which *net.Dialer and net.LookupIP use) fail,
// except for names in /etc/hosts, so a test that forgets to give a probe
// its resolver fails here instead of asking the network. Call it from
// TestMain.
func ForbidMachineDNS() {
	net.DefaultResolver = &net.Resolver{PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("a test asked the machine's DNS: give the probe a resolver (probetest.Hosts)")
		}}
}

// Failing is a resolver whose every lookup fails with err, such as this
// machine's DNS server refusing the query.
type Failing struct{ Err *net.DNSError }

// LookupHost fails.
func (f Failing) LookupHost(_ context.Context, host string) ([]string, error) {
	e := *f.Err
	e.Name = host
	return nil, &e
}

// Server is a loopback listener that hands every connection to a handler.
type Server struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// Port is Addr's port.
	Port int

	mu      sync.Mutex
	open    []net.Conn
	running sync.WaitGroup // one per connection whose handler has not returned
}

// Serve listens on 127.0.0.1:0 and runs handle on every connection until
// the test ends, then closes the listener and every connection.
func Serve(t testing.TB, handle func(c net.Conn)) *Server {
	t.Helper()
	return ServeOn(t, "127.0.0.1:0", handle)
}

// ServeOn is Serve on addr, such as 127.0.0.3:10943 for a second host on
// the same port.
func ServeOn(t testing.TB, addr string, handle func(c net.Conn)) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port}
	accepting := make(chan struct{})
	go func() {
		defer close(accepting)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.open = append(s.open, c)
			s.running.Add(1)
			s.mu.Unlock()
			go func() {
				defer s.running.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-accepting
		s.mu.Lock()
		for _, c := range s.open {
			c.Close()
		}
		s.mu.Unlock()
		s.running.Wait()
	})
	return s
}

// HungUp reports whether, within d, every client hung up: each handler
// returns once its client closes the connection, so a probe that stopped
// its work leaves none running.
func (s *Server) HungUp(d time.Duration) bool {
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// Then is what a hostile server does after its first reply.
type Then int

const (
	// Hold sends nothing more and keeps the connection open.
	Hold Then = iota
	// Trickle sends one byte of filler every 20 ms.
	Trickle
	// Flood sends filler as fast as the client reads it.
	Flood
)

// Redis answers the first `ok` commands with +OK, then answers the next
// with head (such as "*2147483000\r\n" or "$2147483000\r\n") and goes on
// as then says: elements (":1\r\n") after an array header, bytes after a
// bulk string's.
func Redis(t testing.TB, ok int, head string, then Then) *Server {
	t.Helper()
	filler := "x"
	if strings.HasPrefix(head, "*") {
		filler = ":1\r\n"
	}
	return Serve(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		for range ok {
			if _, err := c.Read(buf); err != nil {
				return
			}
			io.WriteString(c, "+OK\r\n")
		}
		if _, err := c.Read(buf); err != nil {
			return
		}
		io.WriteString(c, head)
		send(c, filler, then)
	})
}

// HTTP reads a request and answers with head, the status line and headers
// (CRLF-separated, ending in a blank line, or not), then sends filler as
// then says.
func HTTP(t testing.TB, head, filler string, then Then) *Server {
	t.Helper()
	return Serve(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err != nil {
			return
		}
		io.WriteString(c, head)
		send(c, filler, then)
	})
}

// send is what a hostile server does after its first reply; it returns
// once the client hangs up.
func send(c net.Conn, filler string, then Then) {
	switch then {
	case Hold:
		io.Copy(io.Discard, c) // until the client hangs up
	case Trickle:
		go io.Copy(io.Discard, c)
		for i := 0; ; i++ {
			if _, err := io.WriteString(c, filler[i%len(filler):i%len(filler)+1]); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond) // the trickle's pace
		}
	case Flood:
		go io.Copy(io.Discard, c)
		block := []byte(strings.Repeat(filler, 64<<10/len(filler)))
		for {
			if _, err := c.Write(block); err != nil {
				return
			}
		}
	}
}

// Usage is what a piece of work spent.
type Usage struct {
	Took time.Duration
	// Allocated is every byte the process allocated meanwhile
	// (runtime.MemStats.TotalAlloc), the hostile server's included.
	Allocated uint64
	// Peak is the most the live heap (HeapAlloc) grew over where it
	// started, sampled every millisecond.
	Peak uint64
	// Left is what the live heap still holds over where it started once f
	// has returned and garbage is collected: work that did not stop.
	Left uint64
}

// Within runs f in a goroutine and waits at most d for it, so a probe that
// does not stop fails its test instead of hanging it; ok is false when f
// was still running.
func Within(d time.Duration, f func()) (ok bool) {
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// MB is n bytes in megabytes, for messages.
func MB(n uint64) float64 { return float64(n) / (1 << 20) }

// Measure runs f and says how long it took and how much memory it took.
func Measure(f func()) Usage {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var most uint64
		var m runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			most = max(most, m.HeapAlloc)
			select {
			case <-stop:
				peak <- most
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	f()
	took := time.Since(start)
	close(stop)
	most := <-peak
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	u := Usage{Took: took, Allocated: after.TotalAlloc - before.TotalAlloc}
	if most > before.HeapAlloc {
		u.Peak = most - before.HeapAlloc
	}
	if left := HeapAfterGC(); left > before.HeapAlloc {
		u.Left = left - before.HeapAlloc
	}
	return u
}

// HeapAfterGC is the live heap once garbage is collected: what is left of
// work that has stopped.
func HeapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
