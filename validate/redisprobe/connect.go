package redisprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// checkHandshake opens one TLS connection by hand before go-redis does, so
// a Redis without TLS on the port, which waits for a command instead of
// answering the handshake, is named as such and not as a plain timeout.
func checkHandshake(ctx context.Context, r steps.Redis, addr string, o *redis.Options) *validate.Finding {
	dial := o.Dialer
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		f := connectFinding(r, addr, err)
		return &f
	}
	defer conn.Close()
	// Half the time left: enough for any real handshake, and the rest to say
	// what happened.
	hsCtx, cancel := context.WithTimeout(ctx, handshakeBudget(ctx))
	defer cancel()
	err = tls.Client(conn, o.TLSConfig).HandshakeContext(hsCtx)
	switch {
	case err == nil:
		return nil
	case hsCtx.Err() != nil && ctx.Err() == nil:
		return &validate.Finding{ID: "redis.reach", Severity: validate.Error, Field: fieldSSL,
			Message: fmt.Sprintf("Redis at %s accepted the connection but did not answer the TLS handshake, as a Redis without TLS on that port does.", addr),
			Fix:     "Set tentacles.redis.ssl to false, or point at Redis's TLS port (tls-port)."}
	}
	f := connectFinding(r, addr, err)
	return &f
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
	switch {
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
