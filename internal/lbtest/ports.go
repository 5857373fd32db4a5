package lbtest

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Listen ports for balancers. A balancer binds its ports itself, so a test
// has to name them before the process starts; a port picked by binding :0
// and closing it could be taken again before the balancer binds it, by any
// listener or outgoing connection in the parallel tests (the kernel hands
// out :0 and client ports from the same ephemeral range). Worse, HAProxy
// binds with SO_REUSEPORT, so two HAProxies given one port both start and
// quietly share its traffic. So instead:
//
//   - ports come from below the kernel's ephemeral range
//     (/proc/sys/net/ipv4/ip_local_port_range), which the kernel never hands
//     out by itself;
//   - each test process claims its own block of them by holding an abstract
//     unix socket named after the block (gone when the process ends, no
//     file left behind), so the test binaries `go test ./...` runs at once
//     never share a port;
//   - inside the block a counter hands the ports out in turn, coming back
//     to one only after the other blockSize-1, and a port is only handed
//     out after binding it shows nothing else holds it.
const (
	portsFrom = 20000
	blockSize = 500
)

var portBlock struct {
	sync.Mutex
	claim net.Listener // held for the life of the process
	first int
	next  int
}

// FreePort returns a TCP port on 127.0.0.1 that is free and that no other
// FreePort call, in this process or another, has returned (see above).
func FreePort(t testing.TB) int {
	t.Helper()
	portBlock.Lock()
	defer portBlock.Unlock()
	if err := claimBlock(); err != nil {
		t.Fatal(err)
	}
	for range blockSize {
		p := portBlock.next
		portBlock.next++
		if portBlock.next == portBlock.first+blockSize {
			portBlock.next = portBlock.first
		}
		if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			ln.Close()
			return p
		}
	}
	t.Fatalf("no free port left in %d-%d", portBlock.first, portBlock.first+blockSize-1)
	return 0
}

// ListenRun binds n consecutive ports on 127.0.0.1 from the same block as
// FreePort, as unique-port polling numbers nodes' comms ports from
// tentacles.basePort. The listeners are the caller's to close.
func ListenRun(t testing.TB, n int) []net.Listener {
	t.Helper()
	portBlock.Lock()
	defer portBlock.Unlock()
	if err := claimBlock(); err != nil {
		t.Fatal(err)
	}
	for range blockSize {
		start := portBlock.next
		if start+n > portBlock.first+blockSize {
			start = portBlock.first
		}
		portBlock.next = start + n
		var lns []net.Listener
		for p := start; p < start+n; p++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				break
			}
			lns = append(lns, ln)
		}
		if len(lns) == n {
			return lns
		}
		for _, ln := range lns {
			ln.Close()
		}
	}
	t.Fatalf("no %d consecutive free ports in %d-%d", n, portBlock.first, portBlock.first+blockSize-1)
	return nil
}

// claimBlock takes the first block no other process holds; the caller
// holds portBlock's lock.
func claimBlock() error {
	if portBlock.claim != nil {
		return nil
	}
	blocks := (ephemeralFrom() - portsFrom) / blockSize
	for b := range max(blocks, 1) {
		ln, err := net.Listen("unix", fmt.Sprintf("@octoha-lbtest-ports-%d", b))
		if err != nil {
			continue // another test process has it
		}
		portBlock.claim = ln
		portBlock.first = portsFrom + b*blockSize
		portBlock.next = portBlock.first
		return nil
	}
	return fmt.Errorf("every block of %d ports from %d is held by another test process", blockSize, portsFrom)
}

// ephemeralFrom is the first port of the kernel's ephemeral range.
func ephemeralFrom() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if f := strings.Fields(string(b)); err == nil && len(f) == 2 {
		if p, err := strconv.Atoi(f[0]); err == nil {
			return p
		}
	}
	return 32768 // Linux's default
}

// Balancer kinds, as the answers spell them.
const (
	Nginx   = "nginx"
	HAProxy = "haproxy"
)

// The emitted configs write every listener as a bare port (`listen 443
// ssl;`, `bind :443 ssl ...`), which means every address.
// An Apache site names its ports twice, in <VirtualHost *:443> and in a
// Listen line (its own, or ports.conf's); both become 127.0.0.1:port.
var listenLine = map[string]*regexp.Regexp{
	Nginx:   regexp.MustCompile(`(?m)^(\s*listen\s+)(\d+)\b`),
	HAProxy: regexp.MustCompile(`(?m)^(\s*bind\s+):(\d+)\b`),
	Apache:  regexp.MustCompile(`(?m)^(\s*(?:Listen\s+|<VirtualHost\s+\*:))(\d+)\b`),
}

// Loopback moves every listener of a config to its own free port on
// 127.0.0.1 and returns the rewritten config and the map from the port
// the config listened on to the one it listens on now. Nothing else in
// the config changes.
func Loopback(t testing.TB, kind string, config []byte) ([]byte, map[int]int) {
	t.Helper()
	ports := map[int]int{}
	out := LoopbackKeeping(t, kind, config, ports)
	if len(ports) == 0 {
		t.Fatalf("the %s config has no listener to move to loopback", kind)
	}
	return out, ports
}

// LoopbackKeeping is Loopback for a config that replaces a running one:
// a port already in ports keeps its loopback port, as a reloaded balancer
// keeps its listeners; a new one gets a free port and is added to ports.
func LoopbackKeeping(t testing.TB, kind string, config []byte, ports map[int]int) []byte {
	t.Helper()
	re, ok := listenLine[kind]
	if !ok {
		t.Fatalf("unknown balancer kind %q", kind)
	}
	seen := map[string]bool{}
	return re.ReplaceAllFunc(config, func(m []byte) []byte {
		sub := re.FindSubmatch(m)
		port, _ := strconv.Atoi(string(sub[2]))
		// Each directive may name a port once: listen, bind, Listen or
		// <VirtualHost.
		key := strings.Fields(string(sub[1]))[0] + " " + string(sub[2])
		if seen[key] {
			t.Fatalf("the config listens on port %d twice", port)
		}
		seen[key] = true
		if kind == Apache && strings.HasPrefix(key, "<VirtualHost") {
			sub[1] = []byte(strings.TrimSuffix(string(sub[1]), "*:"))
		}
		if _, ok := ports[port]; !ok {
			ports[port] = FreePort(t)
		}
		return fmt.Appendf(nil, "%s127.0.0.1:%d", sub[1], ports[port])
	})
}
