package testkit

import (
	"net"
	"testing"
)

// Loopback is the address every listener here binds.
const Loopback = "127.0.0.1"

// FreePort is a loopback port nothing listens on now: bound on :0 and
// closed again, so a dial to it is refused. A process that must bind a
// port itself wants internal/lbtest.FreePort, which no other test reuses.
func FreePort(t testing.TB) int {
	t.Helper()
	ln := listen(t)
	defer ln.Close()
	return port(ln)
}

// OpenPort listens on a free loopback port and accepts (and drops at
// once) every connection until the test ends.
func OpenPort(t testing.TB) int {
	t.Helper()
	ln := listen(t)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return port(ln)
}

// HungServer listens on a free loopback port, accepts every connection and
// never answers on it: a service that hangs. The connections stay open
// until the test ends.
func HungServer(t testing.TB) int {
	t.Helper()
	ln := listen(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				break
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return port(ln)
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", Loopback+":0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func port(ln net.Listener) int { return ln.Addr().(*net.TCPAddr).Port }
