// Package probeio is what every live probe does to the network the same
// way: names are looked up through the probe's resolver and a failed
// look-up is always a *net.DNSError; a name's addresses are tried in turn;
// and a connection reads a bounded number of bytes, and ends its reads as
// soon as the probe ends.
package probeio

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"
)

// Resolver looks up host names; *net.Resolver is one.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// DialFunc opens one connection, as net.Dialer.DialContext does.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Addrs is addr (host:port) with the host looked up through r, one
// host:port per address; an IP address is returned as it is.
func Addrs(ctx context.Context, r Resolver, addr string) ([]string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return []string{addr}, nil
	}
	ips, err := r.LookupHost(ctx, host)
	if err != nil {
		return nil, AsDNSError(host, err)
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		out = append(out, net.JoinHostPort(ip, port))
	}
	return out, nil
}

// AsDNSError keeps a resolver's *net.DNSError, and wraps any other error
// in one, so that no check can take a name that does not resolve for a
// port that refuses.
func AsDNSError(host string, err error) error {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return err
	}
	var ne net.Error
	timeout := errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
	return &net.DNSError{Err: err.Error(), Name: host, IsTimeout: timeout, UnwrapErr: err}
}

// DialInTurn dials each address in turn and returns the first connection,
// or the first address's error.
func DialInTurn(ctx context.Context, dial DialFunc, network string, addrs []string) (net.Conn, error) {
	var first error
	for _, a := range addrs {
		conn, err := dial(ctx, network, a)
		if err == nil {
			return conn, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// Bound gives conn the deadline and a read budget: it reads at most budget
// bytes in all (then fails with tooMuch), no read or write outlives the
// deadline, and every one ends at once when ctx ends. Closing it releases
// the watch on ctx.
func Bound(ctx context.Context, conn net.Conn, deadline time.Time, budget int64, tooMuch error) (net.Conn, error) {
	if !deadline.IsZero() {
		if err := conn.SetDeadline(deadline); err != nil {
			conn.Close()
			return nil, err
		}
	}
	// An i/o deadline in the past ends any read or write at once, as the
	// deadline itself would.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	return &budgetConn{Conn: conn, left: budget, tooMuch: tooMuch, stop: stop}, nil
}

// budgetConn is a connection that reads at most left bytes in all.
type budgetConn struct {
	net.Conn
	left    int64
	tooMuch error
	stop    func() bool
}

func (c *budgetConn) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, c.tooMuch
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *budgetConn) Close() error {
	c.stop()
	return c.Conn.Close()
}
