package redisprobe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/octoha/octoha/validate/netprobe"
)

// The probe speaks RESP2 itself, in the few lines below, rather than
// through go-redis. go-redis sizes what it allocates from what a reply
// claims: `*2147483000` makes it allocate for two billion elements before
// the first one arrives (2.5 GB in two seconds, still growing after the
// timeout, since an allocation cannot be cancelled). A byte budget on the
// connection cannot stop that, because the 13-byte header is within any
// budget. Here every length a reply claims is checked against a fixed limit
// before anything is allocated, and the connection itself carries a budget
// of bytes and the probe's deadline, so nothing a server sends, or fails to
// send, holds more than replyBudget or outlives the context.
const (
	// replyBudget is every byte the probe reads from one Redis, TLS
	// handshake included. The largest answer it asks for, INFO server, is
	// about 2 KB.
	replyBudget = 1 << 20
	// maxBulk is the longest string a reply may claim.
	maxBulk = 256 << 10
	// maxElements is the longest array a reply may claim; CONFIG GET of one
	// key answers two.
	maxElements = 64
	// maxDepth is how deeply arrays may nest; the probe reads none nested.
	maxDepth = 2
	// maxLine is the longest header or simple reply line.
	maxLine = 4 << 10
)

// errTooMuch is the budget running out: the server sent more than any
// answer to the probe's commands.
var errTooMuch = errors.New("more data than any answer to these commands")

// limitError is a reply that claims more than the probe reads.
type limitError struct{ claim string }

func (e limitError) Error() string {
	return "its reply claims " + e.claim + ", more than any Redis answers to these commands"
}

// protocolError is a reply that is not RESP: another service on the port.
type protocolError struct{ line string }

func (e protocolError) Error() string {
	return "it did not answer in Redis's protocol (it sent " + strconv.Quote(e.line) + ")"
}

// serverError is an error reply, such as "NOAUTH Authentication required.".
type serverError string

func (e serverError) Error() string { return string(e) }

// reply is one RESP2 value: a simple or bulk string, an integer (as its
// text) or an array. A nil bulk string or array has null set.
type reply struct {
	text  string
	items []reply
	null  bool
}

// client sends commands and reads their replies on one connection.
type client struct {
	ctx  context.Context
	conn net.Conn
	r    *bufio.Reader
	// broken is the error that left the connection mid-reply; every later
	// command fails with it rather than read the rest as its answer.
	broken error
}

func newClient(ctx context.Context, conn net.Conn) *client {
	return &client{ctx: ctx, conn: conn, r: bufio.NewReaderSize(conn, maxLine)}
}

// do sends one command and reads its reply; an error reply is a
// serverError.
func (c *client) do(args ...string) (reply, error) {
	if c.broken != nil {
		return reply{}, c.broken
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c.conn, b.String()); err != nil {
		c.broken = c.why(err)
		return reply{}, c.broken
	}
	r, err := c.read(0)
	var refused serverError
	if err != nil && !errors.As(err, &refused) {
		c.broken = c.why(err)
		return reply{}, c.broken
	}
	return r, err
}

// why prefers the context's error to the i/o error it caused.
func (c *client) why(err error) error {
	if err != nil && c.ctx.Err() != nil {
		return c.ctx.Err()
	}
	return err
}

func (c *client) read(depth int) (reply, error) {
	line, err := c.r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return reply{}, limitError{claim: "a line longer than " + strconv.Itoa(maxLine) + " bytes"}
	case err != nil:
		return reply{}, err
	case len(line) < 3 || line[len(line)-2] != '\r':
		return reply{}, protocolError{line: netprobe.Shown(strings.TrimSuffix(string(line), "\n"))}
	}
	kind, body := line[0], string(line[1:len(line)-2])
	switch kind {
	case '+', ':':
		return reply{text: body}, nil
	case '-':
		return reply{}, serverError(netprobe.Shown(body))
	case '$':
		n, err := length(body, maxBulk, "bytes")
		if err != nil || n < 0 {
			return reply{null: n < 0}, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return reply{}, err
		}
		return reply{text: string(buf[:n])}, nil
	case '*':
		n, err := length(body, maxElements, "elements")
		if err != nil || n < 0 {
			return reply{null: n < 0}, err
		}
		if n > 0 && depth >= maxDepth {
			return reply{}, limitError{claim: "arrays nested deeper than " + strconv.Itoa(maxDepth)}
		}
		items := make([]reply, n)
		for i := range items {
			if items[i], err = c.read(depth + 1); err != nil {
				return reply{}, err
			}
		}
		return reply{items: items}, nil
	}
	return reply{}, protocolError{line: netprobe.Shown(string(line[:len(line)-2]))}
}

// length reads the count in a "$N" or "*N" header: -1 is a nil, and more
// than limit is refused before anything is allocated for it.
func length(s string, limit int, unit string) (int, error) {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil || n < -1:
		return 0, protocolError{line: netprobe.Shown(s)}
	case n > limit:
		return 0, limitError{claim: s + " " + unit}
	}
	return n, nil
}
