package render

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/lbtest"
	"github.com/octoha/octoha/steps"
)

// The issue "Guided node addition": the live balancer test, run again with
// the grown config: the new node receives traffic and nothing fails while
// the config is reloaded. Both tests apply the config octoha add-node wrote
// the way its checklist says an admin reloads (nginx: SIGHUP, what
// `nginx -s reload` sends; HAProxy: a new process with -sf <old pid>), keep
// traffic going until the old config's processes are gone, and count every
// failed request.

// TestLiveReloadWithAddedNode: web traffic, listening tentacles.
func TestLiveReloadWithAddedNode(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lbtest.RequireBalancer(t, kind, false)
			var nodes []*lbtest.FakeNode
			for _, name := range []string{"OCTO1", "OCTO2", "OCTO3"} {
				nodes = append(nodes, lbtest.StartFakeNode(t, name, steps.Defaults().LoadBalancer.HealthCheck))
			}
			a := steps.Defaults()
			a.LoadBalancer.Kind = kind
			a.LoadBalancer.PublicURL = "http://octopus.test"
			for _, n := range nodes[:2] {
				a.Nodes = append(a.Nodes, steps.Node{Name: n.Name, Host: "127.0.0.1", WebPort: n.Port()})
			}
			before, after, _ := growConfigs(t, a, steps.Node{Name: nodes[2].Name, Host: "127.0.0.1", WebPort: nodes[2].Port()})

			lb := startReloadable(t, kind, before)
			url := fmt.Sprintf("http://127.0.0.1:%d/app", lb.ports[80])
			var sent, failed atomic.Int64
			var lastErr atomic.Value
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range 4 { // four clients, fresh connection per request
				wg.Go(func() {
					hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
					for {
						select {
						case <-stop:
							return
						default:
						}
						sent.Add(1)
						req, _ := http.NewRequest("GET", url, nil)
						req.Host = "octopus.test"
						resp, err := hc.Do(req)
						if err == nil {
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							if resp.StatusCode != http.StatusOK {
								err = fmt.Errorf("status %s", resp.Status)
							}
						}
						if err != nil {
							failed.Add(1)
							lastErr.Store(err.Error())
						}
					}
				})
			}
			waitFor(t, "traffic on the first two nodes", func() bool { return nodes[0].Hits() > 20 && nodes[1].Hits() > 20 })
			if nodes[2].Hits() != 0 {
				t.Fatalf("the third node got traffic before it was added")
			}
			start := time.Now()
			oldGone := lb.reload(t, after)
			waitFor(t, "traffic on the added node", func() bool { return nodes[2].Hits() > 20 })
			t.Logf("the added node got traffic %v after the reload", time.Since(start).Round(time.Millisecond))
			// Keep the load on until the old config's workers have finished,
			// so requests they still held count too.
			oldGone(t)
			t.Logf("the old config's processes were gone %v after the reload", time.Since(start).Round(time.Millisecond))
			close(stop)
			wg.Wait()
			t.Logf("%d requests, %d failed; per node %d %d %d", sent.Load(), failed.Load(), nodes[0].Hits(), nodes[1].Hits(), nodes[2].Hits())
			if failed.Load() != 0 {
				t.Errorf("%d of %d requests failed across the reload; last: %v\n%s", failed.Load(), sent.Load(), lastErr.Load(), lb.output())
			}
		})
	}
}

// TestLiveReloadWithAddedPollingNode: polling tentacles with a unique port
// per node (docs/octopus-facts.md §6.2 B). The balancer forwards one port per node to
// that node's comms port; growing the cluster adds a forward on the next
// port (basePort+2 here, 10945 with the default base) and must leave the
// existing forwards, and the tentacles connected through them, alone.
func TestLiveReloadWithAddedPollingNode(t *testing.T) {
	t.Parallel()
	// Each round trip sends bytes that start like a TLS ClientHello, as
	// Tentacle's do: a balancer that terminated TLS would answer them.
	payload := make([]byte, 16<<10)
	rand.Read(payload)
	copy(payload, []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01})
	big := make([]byte, 256<<10)
	rand.Read(big)
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lbtest.RequireBalancer(t, kind, true)
			names := []string{"OCTO1", "OCTO2", "OCTO3"}
			var web []*lbtest.FakeNode
			for _, name := range names {
				web = append(web, lbtest.StartFakeNode(t, name, steps.Defaults().LoadBalancer.HealthCheck))
			}
			// The comms ports are basePort, basePort+1, basePort+2, as the
			// answers derive them; the third node's echo already listens, as
			// a joined node does before the balancer is reloaded.
			comms := lbtest.StartTCPEchoes(t, names...)
			a := steps.Defaults()
			a.LoadBalancer.Kind = kind
			a.LoadBalancer.PublicURL = "http://octopus.test"
			a.Tentacles.Mode, a.Tentacles.Polling = steps.ModePolling, steps.PollingUniquePort
			a.Tentacles.BasePort = comms[0].Port()
			for _, n := range web[:2] {
				a.Nodes = append(a.Nodes, steps.Node{Name: n.Name, Host: "127.0.0.1", WebPort: n.Port()})
			}
			before, after, grown := growConfigs(t, a, steps.Node{Name: names[2], Host: "127.0.0.1", WebPort: web[2].Port()})
			added := grown.NodeCommsPort(2)
			if added != comms[2].Port() || grown.Nodes[2].CommsPort != 0 {
				t.Fatalf("add-node gave the new node comms port %d (written: %d), want the next one, %d, derived", added, grown.Nodes[2].CommsPort, comms[2].Port())
			}

			lb := startReloadable(t, kind, before)
			if _, ok := lb.ports[added]; ok {
				t.Fatalf("the config before the change already forwards port %d", added)
			}
			var (
				stop, stopKept = make(chan struct{}), make(chan struct{})
				wg, wgKept     sync.WaitGroup
				ports          []*forwardLoad
			)
			for i := range 2 {
				p := &forwardLoad{addr: fmt.Sprintf("127.0.0.1:%d", lb.ports[a.NodeCommsPort(i)]), node: names[i], payload: payload}
				ports = append(ports, p)
				for range 2 {
					wg.Go(func() { p.runFresh(stop) })
				}
				wgKept.Go(func() { p.runKept(stopKept) })
			}
			waitFor(t, "round trips through both forwards", func() bool {
				return ports[0].fresh.ok.Load() > 20 && ports[1].fresh.ok.Load() > 20 &&
					ports[0].kept.ok.Load() > 20 && ports[1].kept.ok.Load() > 20
			})
			if n := comms[2].Accepted(); n != 0 {
				t.Fatalf("the third node's comms port got %d connections before it was added", n)
			}

			freshAtReload, keptAtReload := make([]int64, len(ports)), make([]int64, len(ports))
			for i, p := range ports {
				freshAtReload[i], keptAtReload[i] = p.fresh.ok.Load(), p.kept.ok.Load()
			}
			start := time.Now()
			oldGone := lb.reload(t, after)

			// The new forward carries bytes unchanged to the new node. It
			// refuses connections until the reloaded balancer listens on it.
			newAddr := fmt.Sprintf("127.0.0.1:%d", lb.ports[added])
			var conn *lbtest.EchoConn
			waitFor(t, "the new forward accepting", func() bool {
				c, err := lbtest.DialEcho(newAddr, 5*time.Second)
				conn = c
				return err == nil
			})
			t.Logf("the new forward (port %d, here %s) answered %v after the reload", added, newAddr, time.Since(start).Round(time.Millisecond))
			back, err := conn.RoundTrip(big)
			conn.Close()
			if err != nil {
				t.Fatalf("the new forward: %v\n%s", err, lb.output())
			}
			if conn.Node != names[2] || !bytes.Equal(back, big) {
				t.Fatalf("the new forward reached %q and returned %d bytes (equal: %t), want %s and the 256 KB sent", conn.Node, len(back), bytes.Equal(back, big), names[2])
			}

			// The connections kept open across the reload are what pin the
			// old config's processes: end them, then keep the fresh
			// connections going until those processes are gone.
			waitFor(t, "round trips on the kept connections after the reload", func() bool {
				return ports[0].kept.ok.Load() > keptAtReload[0]+20 && ports[1].kept.ok.Load() > keptAtReload[1]+20
			})
			close(stopKept)
			wgKept.Wait()
			oldGone(t)
			t.Logf("the old config's processes were gone %v after the reload", time.Since(start).Round(time.Millisecond))
			close(stop)
			wg.Wait()

			for i, p := range ports {
				t.Logf("port %d (%s): %s", a.NodeCommsPort(i), p.node, p.summary())
				if d := p.fresh.ok.Load() - freshAtReload[i]; d < 20 {
					t.Errorf("port %d: only %d fresh round trips from the reload to the end; the load did not span the reload", a.NodeCommsPort(i), d)
				}
				if p.fresh.capped.Load() || p.kept.capped.Load() {
					t.Errorf("port %d: a client reached its cap of %d round trips before the test stopped it, so the load did not span the reload", a.NodeCommsPort(i), maxRoundTrips)
				}
				if p.fresh.failed.Load()+p.kept.failed.Load() != 0 {
					t.Errorf("port %d: %d round trips failed across the reload; last: %v\n%s", a.NodeCommsPort(i), p.fresh.failed.Load()+p.kept.failed.Load(), p.lastErr.Load(), lb.output())
				}
			}
		})
	}
}

// maxRoundTrips bounds each load client, so a test that never stops it
// still ends; a client that reaches it fails the test.
const maxRoundTrips = 20000

// forwardLoad is the traffic through one existing polling forward: two
// clients opening a fresh connection per round trip, and one keeping its
// connection open, as a polling tentacle does.
type forwardLoad struct {
	addr, node string
	payload    []byte

	fresh, kept clientCount
	// dropped counts kept connections that the balancer closed after at
	// least one good round trip.
	dropped atomic.Int64
	lastErr atomic.Value
}

type clientCount struct {
	ok, failed atomic.Int64
	capped     atomic.Bool
}

// runFresh connects anew for every round trip: each one must succeed.
func (p *forwardLoad) runFresh(stop <-chan struct{}) {
	for range maxRoundTrips {
		select {
		case <-stop:
			return
		default:
		}
		c, err := lbtest.DialEcho(p.addr, 5*time.Second)
		if err == nil {
			err = p.roundTrip(c)
			c.Close()
		}
		p.count(&p.fresh, err)
	}
	p.fresh.capped.Store(true)
}

// runKept round-trips on one connection. A reload may hand a connection that
// was open across it to the old process, which is allowed to close it
// once it stops (a tentacle then polls again): such a drop is counted in
// dropped, not as a failure, and the client reconnects. A connection that
// fails before its first good round trip, or returns wrong bytes, is a
// failure.
func (p *forwardLoad) runKept(stop <-chan struct{}) {
	var c *lbtest.EchoConn
	good := 0 // good round trips on c
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	for range maxRoundTrips {
		select {
		case <-stop:
			return
		default:
		}
		var err error
		if c == nil {
			c, err = lbtest.DialEcho(p.addr, 5*time.Second)
			good = 0
			if err != nil {
				c = nil
				p.count(&p.kept, err)
				continue
			}
		}
		switch err = p.roundTrip(c); {
		case err == nil:
			good++
			p.count(&p.kept, nil)
		case good > 0 && !errors.Is(err, errChanged):
			p.dropped.Add(1)
			c.Close()
			c = nil
		default:
			p.count(&p.kept, err)
			c.Close()
			c = nil
		}
	}
	p.kept.capped.Store(true)
}

var errChanged = errors.New("the bytes came back changed")

func (p *forwardLoad) roundTrip(c *lbtest.EchoConn) error {
	if c.Node != p.node {
		return fmt.Errorf("%s reached %s, want %s", p.addr, c.Node, p.node)
	}
	back, err := c.RoundTrip(p.payload)
	if err != nil {
		return err
	}
	if !bytes.Equal(back, p.payload) {
		return errChanged
	}
	return nil
}

func (p *forwardLoad) count(c *clientCount, err error) {
	if err != nil {
		c.failed.Add(1)
		p.lastErr.Store(err.Error())
		return
	}
	c.ok.Add(1)
}

func (p *forwardLoad) summary() string {
	return fmt.Sprintf("%d fresh round trips, %d failed; %d on kept connections, %d failed, %d kept connections closed by the balancer",
		p.fresh.ok.Load()+p.fresh.failed.Load(), p.fresh.failed.Load(),
		p.kept.ok.Load()+p.kept.failed.Load(), p.kept.failed.Load(), p.dropped.Load())
}

// growConfigs adds n to a with the real add-node path and returns the
// balancer file before and after, and the grown answers.
func growConfigs(t *testing.T, a steps.Answers, n steps.Node) (before, after []byte, grown steps.Answers) {
	t.Helper()
	grown, err := a.AddNode(n)
	if err != nil {
		t.Fatal(err)
	}
	files, err := AddNodeFiles(grown, len(grown.Nodes)-1)
	if err != nil {
		t.Fatal(err)
	}
	_, before, err = LoadBalancer(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == lbFileFor(a.LoadBalancer.Kind) {
			after = f.Content
		}
	}
	if after == nil {
		t.Fatalf("add-node wrote no %s", lbFileFor(a.LoadBalancer.Kind))
	}
	return before, after, grown
}

// waitFor polls ok until it holds, for at most 15 s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 15s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// reloadable is a balancer whose config file can be replaced and reloaded
// in place, its listeners kept on the same loopback ports.
type reloadable struct {
	kind  string
	sb    *lbtest.Sandbox
	file  string
	ports map[int]int
	procs []*process
	out   *lockedBuffer
}

type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

func startReloadable(t *testing.T, kind string, config []byte) *reloadable {
	t.Helper()
	r := &reloadable{kind: kind, ports: map[int]int{}, out: &lockedBuffer{}}
	r.sb = lbtest.NewBalancerSandbox(t, kind, []string{"octopus.test"})
	r.file = filepath.Join(r.sb.Dir, "lb.conf")
	r.write(t, config)
	args := []string{"-c", r.file, "-g", "daemon off; pid " + filepath.Join(r.sb.Dir, "nginx.pid") + ";"}
	if kind == steps.LBHAProxy {
		// Master-worker mode, as Debian's and RHEL's units start it
		// (haproxy -Ws): the emitted header's systemctl reload sends the
		// master SIGUSR2.
		args = []string{"-W", "-db", "-f", r.file}
	}
	p := r.start(t, args...)
	for _, port := range r.ports {
		waitFor(t, fmt.Sprintf("%s listening on %d", kind, port), func() bool {
			select {
			case <-p.exited:
				t.Fatalf("%s exited at start:\n%s", kind, r.output())
			default:
			}
			conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err == nil {
				conn.Close()
			}
			return err == nil
		})
	}
	return r
}

// write puts config in place with every listener on loopback: a port seen
// before keeps its loopback port, a new one gets a free port.
func (r *reloadable) write(t *testing.T, config []byte) {
	t.Helper()
	out := lbtest.LoopbackKeeping(t, r.kind, config, r.ports)
	if err := os.WriteFile(r.file, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (r *reloadable) start(t *testing.T, args ...string) *process {
	t.Helper()
	cmd, err := r.sb.Command(r.kind, args...)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = r.out, r.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	r.procs = append(r.procs, p)
	go func() { cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
	})
	return p
}

// reload applies a new config the way the emitted file's header says, and
// returns a function that waits until the processes serving the old config
// have ended. unshare and sh exec into the balancer, so the first
// process's pid is the nginx master or the first HAProxy.
func (r *reloadable) reload(t *testing.T, config []byte) (oldGone func(*testing.T)) {
	t.Helper()
	r.write(t, config)
	old := r.procs[len(r.procs)-1]
	// The master stays (nginx's, and HAProxy's in master-worker mode): its
	// workers at the time of the signal serve the old config and exit once
	// their connections are done. nginx rereads on SIGHUP; HAProxy's master
	// on SIGUSR2, which systemctl reload sends (ExecReload=kill -USR2).
	master := old.cmd.Process.Pid
	workers := children(t, master)
	if len(workers) == 0 {
		t.Fatalf("the %s master has no workers:\n%s", r.kind, r.output())
	}
	sig := syscall.SIGHUP
	if r.kind == steps.LBHAProxy {
		sig = syscall.SIGUSR2
	}
	if err := syscall.Kill(master, sig); err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T) {
		t.Helper()
		waitFor(t, "end of the old "+r.kind+" workers", func() bool {
			select {
			case <-old.exited:
				t.Fatalf("the %s master exited on reload:\n%s", r.kind, r.output())
			default:
			}
			for _, w := range workers {
				if _, err := os.Stat(fmt.Sprintf("/proc/%d", w)); err == nil {
					return false
				}
			}
			return true
		})
	}
}

// children lists the processes whose parent is pid.
func children(t *testing.T, pid int) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var kids []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the process ended
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(strings.Fields(s)[0])
			kids = append(kids, child)
		}
	}
	return kids
}

func (r *reloadable) output() string {
	s := r.out.String()
	if log, err := os.ReadFile(r.sb.Path("/var/log/nginx/error.log")); err == nil && r.kind == steps.LBNginx {
		s += "\n--- error.log\n" + string(log)
	}
	return s
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
