package lbtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The system folders each balancer writes to, replaced in its sandbox.
var overlays = map[string][]string{
	Nginx:   {"/var/log/nginx", "/var/lib/nginx"},
	HAProxy: {"/run/haproxy"},
	// Apache keeps its files in the sandbox's copy of /etc/apache2 (apacheSite).
	Apache: nil,
}

// NewBalancerSandbox is a sandbox for a balancer of kind, with the system
// folders it writes to replaced.
func NewBalancerSandbox(t testing.TB, kind string, hosts []string) *Sandbox {
	t.Helper()
	return NewSandbox(t, hosts, overlays[kind]...)
}

// Check runs `nginx -t` or `haproxy -c` on a config inside a sandbox where
// hosts resolve to 127.0.0.1. It returns the tool's output and an error
// when the config is refused.
func Check(t testing.TB, kind string, config []byte, hosts []string) (string, error) {
	t.Helper()
	sb := NewBalancerSandbox(t, kind, hosts)
	file := filepath.Join(sb.Dir, "lb.conf")
	if err := os.WriteFile(file, config, 0o644); err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	var err error
	switch kind {
	case Nginx:
		cmd, err = sb.Command("nginx", "-t", "-c", file, "-g", "pid "+filepath.Join(sb.Dir, "nginx.pid")+";")
	case HAProxy:
		cmd, err = sb.Command("haproxy", "-c", "-f", file)
	case Apache:
		env := apacheSite(t, sb, config, nil)
		cmd, err = sb.Command("apachectl", "-t")
		if cmd != nil {
			cmd.Env = env
		}
	default:
		t.Fatalf("unknown balancer kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Balancer is a running nginx or haproxy.
type Balancer struct {
	Kind    string
	Sandbox *Sandbox
	// Ports maps each port the config listened on to its loopback port.
	Ports map[int]int

	t      testing.TB
	cmd    *exec.Cmd
	output *syncBuffer
	exited chan struct{}
	once   sync.Once
}

// Start runs a balancer in the foreground on a config whose listeners are
// moved to loopback (see Loopback), waits until every listener accepts
// connections, and stops it when the test ends.
func Start(t testing.TB, kind string, config []byte, hosts []string) *Balancer {
	t.Helper()
	original := config
	config, ports := Loopback(t, kind, config)
	sb := NewBalancerSandbox(t, kind, hosts)
	file := filepath.Join(sb.Dir, "lb.conf")
	if err := os.WriteFile(file, config, 0o644); err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	var err error
	switch kind {
	case Nginx:
		cmd, err = sb.Command("nginx", "-c", file, "-g", "daemon off; pid "+filepath.Join(sb.Dir, "nginx.pid")+";")
	case HAProxy:
		cmd, err = sb.Command("haproxy", "-db", "-f", file)
	case Apache:
		env := apacheSite(t, sb, config, apachePorts(original, ports))
		// apachectl passes -DFOREGROUND on to apache2, after reading envvars.
		cmd, err = sb.Command("apachectl", "-DFOREGROUND")
		if cmd != nil {
			cmd.Env = env
		}
	default:
		t.Fatalf("unknown balancer kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	b := &Balancer{Kind: kind, Sandbox: sb, Ports: ports, t: t, cmd: cmd, output: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = b.output, b.output
	// Its own process group, so Stop can end the workers with the master.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(b.exited) }()
	t.Cleanup(b.Stop)

	deadline := time.Now().Add(10 * time.Second)
	for _, port := range ports {
		for {
			conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
			if err == nil {
				conn.Close()
				break
			}
			select {
			case <-b.exited:
				t.Fatalf("%s exited at start:\n%s", kind, b.Output())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s does not listen on 127.0.0.1:%d after 10s:\n%s", kind, port, b.Output())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return b
}

// Addr is the loopback address now serving what the config put on port.
func (b *Balancer) Addr(port int) string {
	b.t.Helper()
	p, ok := b.Ports[port]
	if !ok {
		b.t.Fatalf("the %s config does not listen on port %d", b.Kind, port)
	}
	return fmt.Sprintf("127.0.0.1:%d", p)
}

// Output is what the balancer printed so far, plus NGINX's error log.
func (b *Balancer) Output() string {
	out := b.output.String()
	logs := map[string]string{Nginx: b.Sandbox.Path("/var/log/nginx/error.log"), Apache: filepath.Join(b.Sandbox.Dir, "log", "error.log")}
	if file, ok := logs[b.Kind]; ok {
		if log, err := os.ReadFile(file); err == nil {
			out += "\n--- error.log\n" + string(log)
		}
	}
	return out
}

// Stop ends the balancer's whole process group: TERM, then KILL if it has
// not gone within 3 s. Safe to call more than once.
func (b *Balancer) Stop() {
	b.once.Do(func() {
		pgid := b.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-b.exited:
		case <-time.After(3 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-b.exited
		}
		// Workers that outlived the master are in the same group.
		syscall.Kill(-pgid, syscall.SIGKILL)
	})
}

// ServerStatus asks a running HAProxy, through the admin socket in its
// sandbox, for the status of backend/server ("UP", "DOWN", "MAINT"...).
func (b *Balancer) ServerStatus(backend, server string) (string, error) {
	if b.Kind != HAProxy {
		return "", fmt.Errorf("only HAProxy has an admin socket")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", b.Sandbox.Path("/run/haproxy/admin.sock"))
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("show stat\n")); err != nil {
		return "", err
	}
	// CSV: pxname,svname,...; column 18 (index 17) is status.
	sc := bufio.NewScanner(conn)
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) > 17 && f[0] == backend && f[1] == server {
			return f[17], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("HAProxy has no server %s/%s", backend, server)
}

// WaitServerStatus polls ServerStatus until it is exactly want ("UP 1/2"
// and "DOWN 1/2" are HAProxy's half-way states) or the timeout passes, and
// returns how long that took.
func (b *Balancer) WaitServerStatus(t testing.TB, backend, server, want string, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	var last string
	for time.Since(start) < timeout {
		s, err := b.ServerStatus(backend, server)
		if err == nil && s == want {
			return time.Since(start)
		}
		last = fmt.Sprint(s, err)
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("HAProxy server %s/%s is %q, not %s, after %v", backend, server, last, want, timeout)
	return 0
}

// syncBuffer is a bytes.Buffer the process's output goroutines and the
// test may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
