package lbtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Sandbox is a private mount namespace for one balancer process: every
// host name in Hosts resolves to 127.0.0.1 (nginx -t and haproxy -c
// resolve the names in server lines, test-infra §3), and every folder in
// Overlays is replaced by an empty one under Dir, so the balancer's logs,
// temp files and sockets stay in the test.
type Sandbox struct {
	Dir      string
	Hosts    []string
	Overlays []string
}

// NewSandbox makes a sandbox in a fresh temp folder.
func NewSandbox(t testing.TB, hosts []string, overlays ...string) *Sandbox {
	t.Helper()
	return &Sandbox{Dir: t.TempDir(), Hosts: hosts, Overlays: overlays}
}

// Path is where a system path inside an overlay lives on the host, e.g.
// Path("/run/haproxy/admin.sock").
func (s *Sandbox) Path(systemPath string) string {
	for _, o := range s.Overlays {
		if systemPath == o || strings.HasPrefix(systemPath, o+"/") {
			return filepath.Join(s.overlayDir(o), strings.TrimPrefix(systemPath, o))
		}
	}
	return systemPath
}

func (s *Sandbox) overlayDir(o string) string {
	return filepath.Join(s.Dir, "overlay", strings.ReplaceAll(strings.Trim(o, "/"), "/", "_"))
}

// Command returns name args... wrapped to run inside the sandbox.
func (s *Sandbox) Command(name string, args ...string) (*exec.Cmd, error) {
	hosts := filepath.Join(s.Dir, "hosts")
	var b strings.Builder
	b.WriteString("127.0.0.1 localhost\n::1 localhost\n")
	for _, h := range s.Hosts {
		fmt.Fprintf(&b, "127.0.0.1 %s\n", h)
	}
	if err := os.WriteFile(hosts, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	mounts := []string{hosts, "/etc/hosts"}
	for _, o := range s.Overlays {
		d := s.overlayDir(o)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		// Workers drop to www-data/haproxy and must reach their temp files.
		if err := os.Chmod(d, 0o755); err != nil {
			return nil, err
		}
		mounts = append(mounts, d, o)
	}
	// unshare -m makes mounts private to the new namespace, so the bind
	// mounts vanish with the process and never touch the host.
	const script = `set -e
while [ "$1" != "--" ]; do mount --bind "$1" "$2"; shift 2; done
shift
exec "$@"`
	argv := append([]string{"-m", "--", "sh", "-c", script, "sh"}, mounts...)
	argv = append(argv, "--", name)
	argv = append(argv, args...)
	return exec.Command("unshare", argv...), nil
}
