package render

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/lbtest"
	"github.com/octoha/octoha/steps"
)

// TestLiveReloadWithAddedNode runs the real balancer on a two-node config,
// sends requests without pause, applies the config octoha add-node wrote
// for a third node the way an admin reloads (nginx: SIGHUP, what
// `nginx -s reload` sends; HAProxy: a new process with -sf <old pid>), and
// checks that the third node gets traffic and no request failed.
func TestLiveReloadWithAddedNode(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{steps.LBNginx, steps.LBHAProxy} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			if kind == steps.LBNginx {
				lbtest.RequireNginx(t)
			} else {
				lbtest.RequireHAProxy(t)
			}
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
			grown, err := a.AddNode(steps.Node{Name: nodes[2].Name, Host: "127.0.0.1", WebPort: nodes[2].Port()})
			if err != nil {
				t.Fatal(err)
			}
			files, err := AddNodeFiles(grown, 2)
			if err != nil {
				t.Fatal(err)
			}
			_, before, err := LoadBalancer(a)
			if err != nil {
				t.Fatal(err)
			}
			var after []byte
			for _, f := range files {
				if f.Path == lbFileFor(kind) {
					after = f.Content
				}
			}

			lb := startReloadable(t, kind, before)
			url := fmt.Sprintf("http://127.0.0.1:%d/app", lb.ports[80])
			var sent, failed atomic.Int64
			var lastErr atomic.Value
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range 4 { // four clients, fresh connection per request
				wg.Add(1)
				go func() {
					defer wg.Done()
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
				}()
			}
			waitFor(t, "traffic on the first two nodes", func() bool { return nodes[0].Hits() > 20 && nodes[1].Hits() > 20 })
			if nodes[2].Hits() != 0 {
				t.Fatalf("the third node got traffic before it was added")
			}
			start := time.Now()
			lb.reload(t, after)
			waitFor(t, "traffic on the added node", func() bool { return nodes[2].Hits() > 20 })
			t.Logf("the added node got traffic %v after the reload", time.Since(start).Round(time.Millisecond))
			// Keep the load on a little longer so the old workers finish.
			time.Sleep(300 * time.Millisecond)
			close(stop)
			wg.Wait()
			t.Logf("%d requests, %d failed; per node %d %d %d", sent.Load(), failed.Load(), nodes[0].Hits(), nodes[1].Hits(), nodes[2].Hits())
			if failed.Load() != 0 {
				t.Errorf("%d of %d requests failed across the reload; last: %v\n%s", failed.Load(), sent.Load(), lastErr.Load(), lb.output())
			}
		})
	}
}

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
	procs []*exec.Cmd
	out   *lockedBuffer
}

var balancerOverlays = map[string][]string{
	steps.LBNginx:   {"/var/log/nginx", "/var/lib/nginx"},
	steps.LBHAProxy: {"/run/haproxy"},
}

var listenLines = map[string]*regexp.Regexp{
	steps.LBNginx:   regexp.MustCompile(`(?m)^(\s*listen\s+)(\d+)\b`),
	steps.LBHAProxy: regexp.MustCompile(`(?m)^(\s*bind\s+):(\d+)\b`),
}

func startReloadable(t *testing.T, kind string, config []byte) *reloadable {
	r := &reloadable{kind: kind, ports: map[int]int{}, out: &lockedBuffer{}}
	r.sb = lbtest.NewSandbox(t, []string{"octopus.test"}, balancerOverlays[kind]...)
	r.file = filepath.Join(r.sb.Dir, "lb.conf")
	r.write(t, config)
	args := []string{"-c", r.file, "-g", "daemon off; pid " + filepath.Join(r.sb.Dir, "nginx.pid") + ";"}
	if kind == steps.LBHAProxy {
		args = []string{"-db", "-f", r.file}
	}
	r.start(t, args...)
	for _, p := range r.ports {
		waitFor(t, fmt.Sprintf("%s listening on %d", kind, p), func() bool {
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", p))
			if err == nil {
				resp.Body.Close()
			}
			return err == nil
		})
	}
	return r
}

// write puts config in place with every listener on loopback: a port seen
// before keeps its loopback port, a new one gets a free port.
func (r *reloadable) write(t *testing.T, config []byte) {
	re := listenLines[r.kind]
	out := re.ReplaceAllFunc(config, func(m []byte) []byte {
		sub := re.FindSubmatch(m)
		port, _ := strconv.Atoi(string(sub[2]))
		if _, ok := r.ports[port]; !ok {
			r.ports[port] = lbtest.FreePort(t)
		}
		return fmt.Appendf(nil, "%s127.0.0.1:%d", sub[1], r.ports[port])
	})
	if err := os.WriteFile(r.file, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (r *reloadable) start(t *testing.T, args ...string) *exec.Cmd {
	cmd, err := r.sb.Command(r.kind, args...)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = r.out, r.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.procs = append(r.procs, cmd)
	go cmd.Wait()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	return cmd
}

// reload applies a new config the way the emitted file's header says:
// unshare and sh exec into the balancer, so the first process's pid is
// the nginx master or the first HAProxy.
func (r *reloadable) reload(t *testing.T, config []byte) {
	r.write(t, config)
	old := r.procs[len(r.procs)-1].Process.Pid
	switch r.kind {
	case steps.LBNginx:
		if err := syscall.Kill(old, syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	case steps.LBHAProxy:
		r.start(t, "-db", "-f", r.file, "-sf", strconv.Itoa(old))
	}
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
