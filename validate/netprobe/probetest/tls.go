package probetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// Certificate is a self-signed certificate, as an Octopus Server's is,
// and its thumbprint (SHA-1, upper-case hex).
type Certificate struct {
	TLS        tls.Certificate
	Thumbprint string
}

// SelfSigned makes a certificate named cn, valid for an hour.
func SelfSigned(t testing.TB, cn string) Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(der)
	return Certificate{TLS: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, Thumbprint: strings.ToUpper(hex.EncodeToString(sum[:]))}
}

// TLS listens on addr (127.0.0.1:0 for any port) as a node's comms port
// does: a TLS handshake presenting cert that asks for the client's
// certificate, then it waits for the client to hang up.
func TLS(t testing.TB, addr string, cert Certificate) *Server {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{cert.TLS}, ClientAuth: tls.RequestClientCert}
	return ServeOn(t, addr, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		tc := tls.Server(c, cfg)
		if tc.Handshake() == nil {
			io.Copy(io.Discard, tc)
		}
	})
}
