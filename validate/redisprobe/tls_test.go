package redisprobe

import (
	"context"
	"crypto/tls"
	"strconv"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/redisprobe/redistest"
)

func TestTLS(t *testing.T) {
	cert := testkit.SelfSigned(t, "127.0.0.1")
	certFile, keyFile, roots := cert.CertFile, cert.KeyFile, cert.Pool
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
