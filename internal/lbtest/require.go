package lbtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// missing skips the test, or fails it under CI.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set and "+format, args...)
	}
	t.Skipf(format, args...)
}

// RequireTool returns the path of a program, or skips (fails under CI).
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s is not installed: %v", name, err)
	}
	return path
}

// RequireSandbox checks what Sandbox needs: root (to bind-mount in a
// private mount namespace) and unshare(1).
func RequireSandbox(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, "the balancer tests bind-mount /etc/hosts in a private mount namespace and need root")
	}
	RequireTool(t, "unshare")
	RequireTool(t, "mount")
}

// RequireNginx checks for nginx and the sandbox.
func RequireNginx(t testing.TB) {
	t.Helper()
	RequireSandbox(t)
	RequireTool(t, "nginx")
}

// RequireNginxStream also checks that the Debian stream module (package
// libnginx-mod-stream) is enabled, which configs with a stream {} block
// need.
func RequireNginxStream(t testing.TB) {
	t.Helper()
	RequireNginx(t)
	m, _ := filepath.Glob("/etc/nginx/modules-enabled/*stream*.conf")
	if len(m) == 0 {
		missing(t, "the nginx stream module is not enabled (apt-get install libnginx-mod-stream)")
	}
}

// RequireHAProxy checks for haproxy and the sandbox.
func RequireHAProxy(t testing.TB) {
	t.Helper()
	RequireSandbox(t)
	RequireTool(t, "haproxy")
}

// RequireBalancer checks for the balancer of kind (Nginx, HAProxy or Apache, as the
// answers spell them) and the sandbox; stream asks for NGINX's stream
// module too, which polling configs need.
func RequireBalancer(t testing.TB, kind string, stream bool) {
	t.Helper()
	switch {
	case kind == Apache:
		RequireApache(t)
	case kind == Nginx && stream:
		RequireNginxStream(t)
	case kind == Nginx:
		RequireNginx(t)
	default:
		RequireHAProxy(t)
	}
}
