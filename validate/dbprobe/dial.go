package dbprobe

import (
	"context"
	"errors"
	"github.com/octoha/octoha/validate/probeio"
	"net"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// Resolver looks up host names; *net.Resolver is one.
type Resolver = probeio.Resolver

// readBudget is every byte the probe reads on one connection to SQL
// Server, TLS included. Its answers are a few rows each, and the node
// table of a cluster a few dozen; a server that sends more (rows without
// end, a value of two gigabytes) is cut off here rather than held in
// memory.
const readBudget = 4 << 20

// errTooMuch is a connection that used up readBudget.
var errTooMuch = errors.New("SQL Server sent more than any answer to the probe's queries (4 MB)")

// tooMuch reports whether err, or the text go-mssqldb made of it, is
// errTooMuch.
func tooMuch(err error) bool {
	return errors.Is(err, errTooMuch) || err != nil && strings.Contains(err.Error(), errTooMuch.Error())
}

// probeDialer opens every connection of one probe (TCP to the server, UDP
// to the SQL Browser): it looks the host up with the probe's resolver
// rather than the driver's own (go-mssqldb calls net.LookupIP unless the
// dialer is a HostDialer, as this one is), gives the connection the probe's
// absolute deadline so no read can outlive it even where go-mssqldb does
// not pass a context down, a read budget, and ends its reads when the
// probe's context ends (the wizard cancels a probe whose answer changed).
type probeDialer struct {
	ctx      context.Context // the whole probe's, not one dial's
	next     mssql.Dialer
	resolver Resolver
	deadline time.Time
	// parallel dials every address of a name at once and keeps the first
	// to answer, as go-mssqldb (and SqlClient) do for multiSubnetFailover.
	parallel bool
}

// HostName makes probeDialer a mssql.HostDialer, so go-mssqldb hands it
// the host name to resolve; the name is the one in each address.
func (d probeDialer) HostName() string { return "" }

func (d probeDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	addrs, err := probeio.Addrs(ctx, d.resolver, addr)
	if err != nil {
		return nil, err
	}
	var conn net.Conn
	if d.parallel && len(addrs) > 1 {
		conn, err = d.dialFirst(ctx, network, addrs)
	} else {
		conn, err = probeio.DialInTurn(ctx, d.next.DialContext, network, addrs)
	}
	if err != nil {
		return nil, err
	}
	return probeio.Bound(d.ctx, conn, d.deadline, readBudget, errTooMuch)
}

// dialFirst dials every address at once, keeps the first connection and
// closes the others as they arrive.
func (d probeDialer) dialFirst(ctx context.Context, network string, addrs []string) (net.Conn, error) {
	type result struct {
		conn net.Conn
		err  error
	}
	results := make(chan result, len(addrs))
	for _, a := range addrs {
		go func() {
			conn, err := d.next.DialContext(ctx, network, a)
			results <- result{conn, err}
		}()
	}
	var first error
	for i := range addrs {
		r := <-results
		if r.err == nil {
			go func(left int) {
				for range left {
					if r := <-results; r.conn != nil {
						r.conn.Close()
					}
				}
			}(len(addrs) - i - 1)
			return r.conn, nil
		}
		if first == nil {
			first = r.err
		}
	}
	return nil, first
}
