package netprobe

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/probeio"
)

// CommsPort is one port polling tentacles connect to, which must complete
// a TLS handshake presenting the cluster's Octopus certificate: a node's
// own comms port, or a port the balancer forwards to one (docs/octopus-facts.md §6.2:
// the comms are TLS end to end, and every node presents one certificate).
type CommsPort struct {
	ID, Field string
	// Addr is host:port.
	Addr string
	// Role names the port, e.g. "OCTO1's comms port" or "the balancer's
	// polling port 10944".
	Role string
	// Reaches names the node the port should reach, e.g. "OCTO2
	// (octo2.corp.local:10944)", or "a node" for a balanced port.
	Reaches string
	// Own marks a node's own comms port: the nodes' own ports define the
	// cluster's certificate the others are compared with.
	Own bool
	// ReferenceOnly marks an own port that tentacles do not poll (they
	// poll the balancer): it is read only for the cluster's certificate,
	// so one that does not answer (a node kept private) is a warning.
	ReferenceOnly bool
}

// maxHandshakeBytes bounds what a comms port may send before its
// certificate: an Octopus certificate chain is a few KB.
const maxHandshakeBytes = 64 << 10

var errHandshakeTooBig = errors.New("sent more than 64 KB without completing a TLS handshake")

// Thumbprint is the SHA-1 thumbprint, upper-case hex as Windows and
// Octopus show it, of the certificate the TLS server on addr presents.
//
// The probe offers no client certificate and does not check the server's
// (an Octopus certificate is self-signed); it has what it came for once the
// server's certificate arrives, so a server that then refuses a client
// without a certificate, as a node may refuse an unknown Tentacle [INFER],
// still counts as presenting it.
func Thumbprint(ctx context.Context, env Env, addr string) (string, error) {
	conn, err := env.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	deadline, _ := ctx.Deadline()
	conn, err = probeio.Bound(ctx, conn, deadline, maxHandshakeBytes, errHandshakeTooBig)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	var thumb string
	tc := tls.Client(conn, &tls.Config{
		InsecureSkipVerify: true, // compared by thumbprint below, as Tentacle does
		MinVersion:         tls.VersionTLS12,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) > 0 {
				sum := sha1.Sum(raw[0])
				thumb = strings.ToUpper(hex.EncodeToString(sum[:]))
			}
			return nil
		},
	})
	err = tc.HandshakeContext(ctx)
	if thumb != "" {
		return thumb, nil
	}
	if err == nil {
		err = errors.New("the server presented no certificate")
	}
	return "", err
}

// CommsCertificates handshakes with every port at once and reports, per
// port, whether it presents the cluster's certificate: the one most of the
// nodes' own ports present. Each handshake ends a little before ctx does,
// so a port that hangs is reported as such, by name. running says the
// cluster is installed: a port that does not answer TLS is then an error,
// before install a warning.
func CommsCertificates(ctx context.Context, env Env, ports []CommsPort, running bool) validate.Findings {
	thumbs, errs := handshakeAll(ctx, env, ports)
	want, wantFrom := clusterThumbprint(ports, thumbs)
	var fs validate.Findings
	for i, p := range ports {
		fs = append(fs, commsFinding(p, thumbs[i], errs[i], want, wantFrom, running))
	}
	return fs
}

// handshakeAll reads every port's thumbprint concurrently.
func handshakeAll(ctx context.Context, env Env, ports []CommsPort) ([]string, []error) {
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-margin(time.Until(deadline))))
		defer cancel()
	}
	thumbs, errs := make([]string, len(ports)), make([]error, len(ports))
	var wg sync.WaitGroup
	for i, p := range ports {
		wg.Go(func() { thumbs[i], errs[i] = Thumbprint(ctx, env, p.Addr) })
	}
	wg.Wait()
	return thumbs, errs
}

// margin is how long before the probe's own deadline its handshakes end:
// a tenth of the time left, at most 250 ms.
func margin(left time.Duration) time.Duration {
	return min(left/10, 250*time.Millisecond)
}

// clusterThumbprint is the thumbprint most nodes' own ports present (the
// first node's on a tie), and the nodes that present it; "" when no own
// port answered.
func clusterThumbprint(ports []CommsPort, thumbs []string) (string, string) {
	count := map[string]int{}
	best := ""
	for i, p := range ports {
		if !p.Own || thumbs[i] == "" {
			continue
		}
		count[thumbs[i]]++
		if best == "" || count[thumbs[i]] > count[best] {
			best = thumbs[i]
		}
	}
	var from []string
	for i, p := range ports {
		if p.Own && thumbs[i] == best && best != "" {
			from = append(from, strings.TrimSuffix(p.Role, "'s comms port"))
		}
	}
	return best, strings.Join(from, ", ")
}

func commsFinding(p CommsPort, thumb string, err error, want, wantFrom string, running bool) validate.Finding {
	f := validate.Finding{ID: p.ID, Field: p.Field}
	reach := ""
	if !p.Own {
		reach = "; it should reach " + p.Reaches
	}
	switch {
	case err != nil:
		f.Severity, f.Message = validate.Error, fmt.Sprintf("%s, %s, does not complete a TLS handshake: %s%s.", p.Role, p.Addr, handshakeTrouble(err), reach)
		f.Fix = commsFix(p)
		switch {
		case !running:
			f.Severity = validate.Warning
			f.Message += " Nothing answers there until Octopus is installed."
		case p.ReferenceOnly:
			f.Severity = validate.Warning
			f.Message += " Tentacles reach this node through the balancer, so only the comparison of certificates misses it."
		}
	case want == "":
		f.Severity, f.Message = validate.Warning, fmt.Sprintf("%s, %s, presents certificate %s%s; no node's own comms port answered, so octoha cannot tell whether it is the cluster's.", p.Role, p.Addr, thumb, reach)
		f.Fix = "Run check where the nodes' comms ports can be reached, or compare the thumbprint with `Octopus.Server.exe show-thumbprint` on a node."
	case thumb != want:
		f.Severity = validate.Error
		f.Message = fmt.Sprintf("%s, %s, presents certificate %s, not the cluster's %s (presented by %s)%s: polling Tentacles trust only the cluster's certificate and will not connect.", p.Role, p.Addr, thumb, want, wantFrom, reach)
		f.Fix = commsFix(p)
		f.Docs = docs.PollingHA
	default:
		f.Severity, f.Message = validate.OK, fmt.Sprintf("%s, %s, presents the cluster's certificate %s%s.", p.Role, p.Addr, thumb, strings.Replace(reach, "it should reach", "it is to reach", 1))
	}
	return f
}

// handshakeTrouble says what stopped a handshake.
func handshakeTrouble(err error) string {
	switch {
	case refused(err):
		return "the connection was refused"
	case timedOut(err):
		return "no answer in time"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed before a certificate came (a balancer whose node does not answer does this)"
	case errors.Is(err, errHandshakeTooBig):
		return err.Error()
	}
	var rec tls.RecordHeaderError
	if errors.As(err, &rec) {
		return "what answers is not TLS"
	}
	return explain(err)
}

func commsFix(p CommsPort) string {
	if p.Own {
		return "Check that the node's OctopusDeploy service runs and listens on this port (configure --commsListenPort), and that its firewall lets polling Tentacles and the balancer in; every node must present the same Octopus certificate."
	}
	return "Check the balancer forwards this port as plain TCP, never terminating TLS, to " + p.Reaches + ", and that the node answers there."
}
