package redisprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/octoha/octoha/validate/probeio"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// connect opens the connection the probe talks on: bounded (see bound),
// and for tentacles.redis.ssl with its TLS handshake done here, before any
// command, so a Redis without TLS on the port, which waits for a command
// instead of answering the handshake, is named as such and not as a plain
// timeout. close ends the connection.
func connect(ctx context.Context, r steps.Redis, addr string, opts Options) (c *client, close func(), problem *validate.Finding) {
	dial := opts.Dialer
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		f := connectFinding(r, addr, err)
		return nil, nil, &f
	}
	// The byte budget, the context's deadline, and cancellation that ends
	// every read at once (the wizard abandons a probe as soon as its
	// answer changes).
	deadline, _ := ctx.Deadline()
	conn, err := probeio.Bound(ctx, raw, deadline, replyBudget, errTooMuch)
	if err != nil {
		f := connectFinding(r, addr, err)
		return nil, nil, &f
	}
	close = func() { conn.Close() }
	if !r.SSL {
		return newClient(ctx, conn), close, nil
	}
	// Half the time left: enough for any real handshake, and the rest to say
	// what happened.
	hsCtx, cancel := context.WithTimeout(ctx, handshakeBudget(ctx))
	defer cancel()
	tlsConn := tls.Client(conn, tlsConfig(r, opts))
	err = tlsConn.HandshakeContext(hsCtx)
	switch {
	case err == nil:
		return newClient(ctx, tlsConn), close, nil
	case hsCtx.Err() != nil && ctx.Err() == nil:
		problem = &validate.Finding{ID: "redis.reach", Severity: validate.Error, Field: fieldSSL,
			Message: fmt.Sprintf("Redis at %s accepted the connection but did not answer the TLS handshake, as a Redis without TLS on that port does.", addr),
			Fix:     "Set tentacles.redis.ssl to false, or point at Redis's TLS port (tls-port)."}
	default:
		f := connectFinding(r, addr, err)
		problem = &f
	}
	close()
	return nil, nil, problem
}

// tlsConfig is opts.TLSConfig, or the system's roots, checked against
// tentacles.redis.host unless the config names another server.
func tlsConfig(r steps.Redis, opts Options) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.TLSConfig != nil {
		cfg = opts.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = r.Host
	}
	return cfg
}

// handshakeBudget is half the time ctx has left, 2.5 s when it has no
// deadline.
func handshakeBudget(ctx context.Context) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return time.Until(deadline) / 2
	}
	return 2500 * time.Millisecond
}

func tlsNote(ssl bool) string {
	if ssl {
		return " over TLS"
	}
	return ""
}

// connectFinding explains why PING failed: not reachable, TLS on one side
// only, or the login.
func connectFinding(r steps.Redis, addr string, err error) validate.Finding {
	text := err.Error()
	f := validate.Finding{ID: "redis.reach", Severity: validate.Error, Field: fieldHost}
	var recordErr tls.RecordHeaderError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	var netErr net.Error
	var dnsErr *net.DNSError
	var limitErr limitError
	var protoErr protocolError
	switch {
	case errors.As(err, &dnsErr):
		f.Message = fmt.Sprintf("Redis at %s: looking up %s from this machine failed: %s.", addr, r.Host, dnsErr.Err)
		if dnsErr.IsNotFound {
			f.Message = fmt.Sprintf("Redis at %s: %s does not resolve from this machine (no such host).", addr, r.Host)
		}
		f.Fix = "Check the spelling of tentacles.redis.host, or add its DNS record; every node must resolve it too."
	case errors.As(err, &limitErr), errors.As(err, &protoErr), errors.Is(err, errTooMuch):
		f.Message = fmt.Sprintf("Redis at %s: %v; it is probably not Redis that listens there.", addr, err)
		f.Fix = "Check tentacles.redis.host and tentacles.redis.port point at redis-server, and tentacles.redis.ssl matches its port."
	case strings.Contains(text, "NOAUTH"):
		f.ID = "redis.login"
		f.Message = fmt.Sprintf("Redis at %s wants a password and none was given.", addr)
		f.Fix = "Enter the Redis password (octoha never saves it); the nodes' connection string needs it as password=... too."
	case strings.Contains(text, "WRONGPASS"), strings.Contains(text, "invalid password"), strings.Contains(text, "invalid username-password"):
		f.ID = "redis.login"
		f.Message = fmt.Sprintf("Redis at %s refused the password.", addr)
		f.Fix = "Check the Redis password (requirepass, or the default user's ACL) and enter it again."
	case strings.Contains(text, "without any password configured"), strings.Contains(text, "no password is set"):
		f.ID = "redis.login"
		f.Severity = validate.Warning
		f.Message = fmt.Sprintf("A password was given but Redis at %s has none set.", addr)
		f.Fix = "Leave the password empty, or better, set requirepass on Redis so that only the nodes can use it."
	case errors.As(err, &unknownCA), errors.As(err, &certErr), errors.As(err, &hostErr):
		f.Field = fieldSSL
		f.Message = fmt.Sprintf("Redis at %s: its TLS certificate is not trusted here: %v.", addr, err)
		f.Fix = "Trust the authority that signed Redis's certificate on this machine and on every node, and make the certificate name tentacles.redis.host."
	case errors.As(err, &recordErr) && r.SSL:
		f.Field = fieldSSL
		f.Message = fmt.Sprintf("Redis at %s does not speak TLS, but tentacles.redis.ssl is on.", addr)
		f.Fix = "Set tentacles.redis.ssl to false, or point at Redis's TLS port (tls-port)."
	case !r.SSL && (errors.Is(err, syscall.ECONNRESET) || strings.Contains(text, "EOF") || strings.Contains(text, "reset by peer")):
		f.Field = fieldSSL
		f.Message = fmt.Sprintf("Redis at %s closed the connection without an answer; a TLS-only Redis does that to a plain connection.", addr)
		f.Fix = "If Redis serves TLS on this port, set tentacles.redis.ssl to true."
	case strings.Contains(text, "refused"):
		f.Message = fmt.Sprintf("Redis at %s refused the connection: nothing listens on that port, or a firewall rejects it.", addr)
		f.Fix = "Check the host and port, that redis-server runs and binds an address the nodes reach (bind, protected-mode), and the firewall."
	case errors.As(err, &netErr) && netErr.Timeout(), errors.Is(err, context.DeadlineExceeded):
		f.Message = fmt.Sprintf("Redis at %s did not answer in time.", addr)
		f.Fix = "A firewall that drops packets, a host that is down or a Redis that hangs looks like this; check the host, the port and the firewall."
	default:
		f.Message = fmt.Sprintf("Redis at %s: %v.", addr, err)
		f.Fix = "Check the host, port and tentacles.redis.ssl."
	}
	return f
}
