// Package redistest starts real redis-server processes on 127.0.0.1 for
// tests, the way net/http/httptest starts HTTP servers.
package redistest

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// NeedTool skips a test when tool is missing, except under CI, where a
// missing tool fails the test so CI cannot pass by skipping.
func NeedTool(t testing.TB, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed, and CI must not skip: %v", tool, err)
		}
		t.Skipf("%s is not installed: %v", tool, err)
	}
	return path
}

// FreePort returns a loopback port nothing listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// OctopusReady are the settings Octopus asks of Redis
// (../../../docs/octopus-facts.md §6.5).
var OctopusReady = []string{"--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"}

// Start runs redis-server on a free loopback port, in a temp dir, with the
// given extra arguments (e.g. "--requirepass", "pw"), waits until it accepts
// connections, and stops it when the test ends. It returns the port. It
// skips the test when redis-server is missing, unless CI is set.
func Start(t testing.TB, args ...string) int {
	t.Helper()
	port := FreePort(t)
	StartOn(t, port, append([]string{"--port", strconv.Itoa(port)}, args...)...)
	return port
}

// StartOn runs redis-server with exactly args (plus a loopback bind and a
// temp dir) and waits until port accepts TCP connections: for TLS, pass
// "--port", "0", "--tls-port", port and the certificate options.
func StartOn(t testing.TB, port int, args ...string) {
	t.Helper()
	bin := NeedTool(t, "redis-server")
	dir := t.TempDir()
	base := []string{"--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no",
		"--logfile", "", "--protected-mode", "yes"}
	cmd := exec.Command(bin, append(base, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		s := bufio.NewScanner(out)
		for s.Scan() {
			log.WriteString(s.Text() + "\n")
		}
		cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("redis-server %v exited:\n%s", args, log.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			t.Fatalf("redis-server did not start on %s: %v\n%s", addr, err, log.String())
		}
		time.Sleep(5 * time.Millisecond) // polling the port: redis-server gives no readiness signal
	}
}
