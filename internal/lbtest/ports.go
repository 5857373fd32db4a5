package lbtest

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"testing"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Balancer kinds, as the answers spell them.
const (
	Nginx   = "nginx"
	HAProxy = "haproxy"
)

// The emitted configs write every listener as a bare port (`listen 443
// ssl;`, `bind :443 ssl ...`), which means every address.
var listenLine = map[string]*regexp.Regexp{
	Nginx:   regexp.MustCompile(`(?m)^(\s*listen\s+)(\d+)\b`),
	HAProxy: regexp.MustCompile(`(?m)^(\s*bind\s+):(\d+)\b`),
}

// Loopback moves every listener of a config to its own free port on
// 127.0.0.1 and returns the rewritten config and the map from the port
// the config listened on to the one it listens on now. Nothing else in
// the config changes.
func Loopback(t testing.TB, kind string, config []byte) ([]byte, map[int]int) {
	t.Helper()
	re, ok := listenLine[kind]
	if !ok {
		t.Fatalf("unknown balancer kind %q", kind)
	}
	ports := map[int]int{}
	out := re.ReplaceAllFunc(config, func(m []byte) []byte {
		sub := re.FindSubmatch(m)
		port, _ := strconv.Atoi(string(sub[2]))
		if _, dup := ports[port]; dup {
			t.Fatalf("the config listens on port %d twice", port)
		}
		ports[port] = FreePort(t)
		return fmt.Appendf(nil, "%s127.0.0.1:%d", sub[1], ports[port])
	})
	if len(ports) == 0 {
		t.Fatalf("the %s config has no listener to move to loopback", kind)
	}
	return out, ports
}
