package netprobe_test

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe"
	"github.com/octoha/octoha/validate/netprobe/probetest"
)

func commsPorts(own []string, forwards ...string) []netprobe.CommsPort {
	var ports []netprobe.CommsPort
	for i, addr := range own {
		name := []string{"OCTO1", "OCTO2", "OCTO3"}[i]
		ports = append(ports, netprobe.CommsPort{ID: "tls.comms", Field: "nodes", Addr: addr, Role: name + "'s comms port", Own: true})
	}
	for i, addr := range forwards {
		ports = append(ports, netprobe.CommsPort{ID: "tls.polling", Field: "tentacles.pollingAddress", Addr: addr,
			Role: "the balancer's polling port", Reaches: []string{"OCTO1", "OCTO2", "OCTO3"}[i]})
	}
	return ports
}

func certificates(t *testing.T, ports []netprobe.CommsPort, running bool, timeout time.Duration) validate.Findings {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	fs := netprobe.CommsCertificates(ctx, netprobe.Env{Resolver: probetest.Hosts{}}, ports, running)
	if len(fs) != len(ports) {
		t.Fatalf("%d findings for %d ports:\n%v", len(fs), len(ports), fs)
	}
	if ctx.Err() != nil {
		t.Errorf("the probe returned only after its deadline")
	}
	return fs
}

// Ports presenting the cluster's certificate pass; a port presenting
// another is an error naming the node it should reach and both
// thumbprints.
func TestCommsCertificates(t *testing.T) {
	cluster, other := probetest.SelfSigned(t, "Octopus Portal"), probetest.SelfSigned(t, "impostor")
	n1, n2 := probetest.TLS(t, "127.0.0.1:0", cluster), probetest.TLS(t, "127.0.0.1:0", cluster)
	wrong := probetest.TLS(t, "127.0.0.1:0", other)

	fs := certificates(t, commsPorts([]string{n1.Addr, n2.Addr}, n1.Addr, wrong.Addr), true, 2*time.Second)
	for i, sev := range []validate.Severity{validate.OK, validate.OK, validate.OK, validate.Error} {
		if fs[i].Severity != sev {
			t.Errorf("port %d: want %s, got %s", i, sev, fs[i])
		}
	}
	if !strings.Contains(fs[0].Message, cluster.Thumbprint) {
		t.Errorf("the node's finding does not name its thumbprint: %s", fs[0])
	}
	bad := fs[3]
	for _, s := range []string{wrong.Addr, other.Thumbprint, cluster.Thumbprint, "OCTO1, OCTO2", "should reach OCTO2"} {
		if !strings.Contains(bad.Message, s) {
			t.Errorf("the wrong certificate's finding lacks %q: %s", s, bad)
		}
	}

	// A node that presents another certificate than the others is itself
	// wrong.
	fs = certificates(t, commsPorts([]string{n1.Addr, wrong.Addr, n2.Addr}), true, 2*time.Second)
	if fs[1].Severity != validate.Error || fs[0].Severity != validate.OK || fs[2].Severity != validate.OK {
		t.Errorf("OCTO2 presents another certificate than OCTO1 and OCTO3:\n%v", fs)
	}
}

// A port that refuses, hangs or speaks no TLS is an error naming it, and a
// hung one does not hold the probe past its deadline.
func TestCommsPortsThatDoNotHandshake(t *testing.T) {
	cluster := probetest.SelfSigned(t, "Octopus Portal")
	n1 := probetest.TLS(t, "127.0.0.1:0", cluster)
	hung := probetest.Serve(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	plain := probetest.HTTP(t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "", probetest.Hold)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()

	start := time.Now()
	list := commsPorts([]string{n1.Addr}, closed, hung.Addr, plain.Addr)
	fs := certificates(t, list, true, time.Second)
	if took := time.Since(start); took > time.Second {
		t.Errorf("the probe took %v with a 1s deadline", took)
	}
	for i, words := range map[int]string{1: "refused", 2: "no answer in time", 3: "not TLS"} {
		f := fs[i]
		if f.Severity != validate.Error || !strings.Contains(f.Message, words) || !strings.Contains(f.Message, list[i].Addr) {
			t.Errorf("port %d: want an error saying %q, got %s", i, words, f)
		}
	}

	// Before install, the same is a warning.
	fs = certificates(t, commsPorts([]string{closed}), false, time.Second)
	if fs[0].Severity != validate.Warning {
		t.Errorf("before install a closed comms port is a warning: %s", fs[0])
	}
}
