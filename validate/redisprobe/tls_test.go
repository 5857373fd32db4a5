package redisprobe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/redisprobe/redistest"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and
// returns their paths and a pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "octoha test redis"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "redis.crt"), filepath.Join(dir, "redis.key")
	write := func(path, kind string, b []byte) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(certFile, "CERTIFICATE", der)
	write(keyFile, "EC PRIVATE KEY", keyDER)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

func TestTLS(t *testing.T) {
	certFile, keyFile, roots := selfSigned(t, t.TempDir())
	tlsPort := redistest.FreePort(t)
	redistest.StartOn(t, tlsPort, append([]string{"--port", "0", "--tls-port", strconv.Itoa(tlsPort),
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-ca-cert-file", certFile,
		"--tls-auth-clients", "no"}, redistest.OctopusReady...)...)
	r := steps.Redis{Host: "127.0.0.1", Port: tlsPort, SSL: true}

	trusted := Options{TLSConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	fs := Probe(probeCtx(t), r, "", trusted)
	logAll(t, fs)
	find(t, fs, "redis.reach", validate.OK, "answers PING over TLS")

	fs = Probe(probeCtx(t), r, "", Options{})
	logAll(t, fs)
	if f := find(t, fs, "redis.reach", validate.Error, "certificate is not trusted"); f.Field != "tentacles.redis.ssl" {
		t.Errorf("field %q", f.Field)
	}

	r.SSL = false
	fs = Probe(probeCtx(t), r, "", Options{})
	logAll(t, fs)
	find(t, fs, "redis.reach", validate.Error, "set tentacles.redis.ssl to true")
}

func TestTLSAgainstPlainRedis(t *testing.T) {
	port := redistest.Start(t, redistest.OctopusReady...)
	// The handshake gets half of this; a plain Redis never answers it.
	ctx, cancel := context.WithTimeout(t.Context(), 600*time.Millisecond)
	defer cancel()
	fs := Probe(ctx, steps.Redis{Host: "127.0.0.1", Port: port, SSL: true}, "", Options{})
	logAll(t, fs)
	if f := find(t, fs, "redis.reach", validate.Error, "did not answer the TLS handshake", "Set tentacles.redis.ssl to false"); f.Field != "tentacles.redis.ssl" {
		t.Errorf("field %q", f.Field)
	}
}
