package netprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
)

// refused reports whether the peer actively refused the connection: the
// host is up but nothing listens on the port, or a firewall rejects it. A
// failed name lookup never is, even when its text says "refused" (this
// machine's DNS server refusing the query).
func refused(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return false
	}
	// Windows reports WSAECONNREFUSED, which is not syscall.ECONNREFUSED
	// there; its text says "actively refused".
	return errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(err.Error(), "refused")
}

// timedOut reports whether err is a deadline passing rather than an answer.
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// explain turns a network error into words an admin can act on.
func explain(err error) string {
	var dnsErr *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return dnsErr.Name + " does not resolve (no such host)"
		}
		return "the name lookup failed: " + dnsErr.Err
	case refused(err):
		return "the connection was refused (nothing listens on that port, or a firewall rejects it)"
	case timedOut(err):
		return "no answer in time (a firewall that drops packets, a host that is down, or a service that hangs)"
	case errors.As(err, &unknownCA):
		return "its TLS certificate is signed by an authority this machine does not trust"
	case errors.As(err, &hostErr):
		return "its TLS certificate is not valid for that name: " + hostErr.Error()
	case errors.As(err, &certErr):
		return "its TLS certificate is not trusted: " + certErr.Err.Error()
	case errors.As(err, &recordErr):
		return "it does not speak TLS on that port (use http://, or the TLS port)"
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
		return "the connection was closed without an answer"
	}
	// net/http's errors repeat the method and URL the finding already gives.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return Shown(err.Error())
}
