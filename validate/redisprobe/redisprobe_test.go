package redisprobe

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe/probetest"
	"github.com/octoha/octoha/validate/redisprobe/redistest"
)

func TestMain(m *testing.M) {
	probetest.ForbidMachineDNS()
	os.Exit(m.Run())
}

func local(port int) steps.Redis { return steps.Redis{Host: "127.0.0.1", Port: port} }

// find is the first finding with the ID, severity and words (testkit.Find).
func find(t *testing.T, fs validate.Findings, id string, sev validate.Severity, words ...string) validate.Finding {
	t.Helper()
	return testkit.Find(t, fs, id, sev, words...)
}

func logAll(t *testing.T, fs validate.Findings) {
	t.Helper()
	testkit.LogAll(t, fs)
}

func TestConfiguredAsOctopusRequires(t *testing.T) {
	port := redistest.Start(t, redistest.OctopusReady...)
	fs := Probe(probeCtx(t), local(port), "", Options{})
	logAll(t, fs)
	if fs.HasErrors() {
		t.Errorf("a Redis set up as Octopus asks gave errors: %v", fs)
	}
	find(t, fs, "redis.reach", validate.OK, "answers PING")
	find(t, fs, "redis.config", validate.OK, `save ""`, "appendonly no", "noeviction")
	// Debian's redis-server is 7.x here; 8.0+ would be OK.
	if v := fs[len(fs)-1]; v.ID != "redis.version" {
		t.Errorf("last finding %v, want redis.version", v)
	} else if strings.HasPrefix(versionOf(t, port), "7.") && v.Severity != validate.Warning {
		t.Errorf("Redis 7 should be a warning: %v", v)
	}
}

// info reads one INFO section from the Redis on port, through the probe's
// own client.
func info(t *testing.T, port int, section string) string {
	t.Helper()
	conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rep, err := newClient(t.Context(), conn).do("INFO", section)
	if err != nil {
		t.Fatal(err)
	}
	return rep.text
}

func versionOf(t *testing.T, port int) string {
	for line := range strings.Lines(info(t, port, "server")) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			return v
		}
	}
	return ""
}

func TestPersistenceOn(t *testing.T) {
	port := redistest.Start(t, "--save", "3600 1 300 100", "--appendonly", "yes", "--maxmemory-policy", "allkeys-lru")
	fs := Probe(probeCtx(t), local(port), "", Options{})
	logAll(t, fs)
	find(t, fs, "redis.persistence", validate.Error, `save "3600 1 300 100"`, `save ""`)
	find(t, fs, "redis.persistence", validate.Error, "appendonly yes", "appendonly no")
	find(t, fs, "redis.eviction", validate.Error, "allkeys-lru", "maxmemory-policy noeviction")
}

func TestPasswordRequired(t *testing.T) {
	port := redistest.Start(t, append([]string{"--requirepass", "right-horse-battery"}, redistest.OctopusReady...)...)

	fs := Probe(probeCtx(t), local(port), "", Options{})
	logAll(t, fs)
	if len(fs) != 1 {
		t.Fatalf("want one login finding, got %v", fs)
	}
	find(t, fs, "redis.login", validate.Error, "wants a password and none was given")

	fs = Probe(probeCtx(t), local(port), "wrong-password", Options{})
	logAll(t, fs)
	f := find(t, fs, "redis.login", validate.Error, "refused the password")
	if strings.Contains(f.String(), "wrong-password") {
		t.Errorf("the finding repeats the password: %s", f)
	}

	fs = Probe(probeCtx(t), local(port), "right-horse-battery", Options{})
	if fs.HasErrors() {
		t.Errorf("the right password: %v", fs)
	}
}

func TestPasswordGivenButNoneSet(t *testing.T) {
	port := redistest.Start(t, redistest.OctopusReady...)
	fs := Probe(probeCtx(t), local(port), "not-needed", Options{})
	logAll(t, fs)
	find(t, fs, "redis.login", validate.Warning, "has none set")
}

func TestConfigBlockedLikeManagedRedis(t *testing.T) {
	port := redistest.Start(t, append([]string{"--rename-command", "CONFIG", ""}, redistest.OctopusReady...)...)
	fs := Probe(probeCtx(t), local(port), "", Options{})
	logAll(t, fs)
	find(t, fs, "redis.config", validate.Warning, "would not show its settings", "Check by hand", `save ""`, "noeviction")
	if fs.HasErrors() {
		t.Errorf("a blocked CONFIG is a warning, not an error: %v", fs)
	}
}

func TestReplication(t *testing.T) {
	primary := redistest.Start(t, redistest.OctopusReady...)
	replica := redistest.Start(t, append([]string{"--replicaof", "127.0.0.1", strconv.Itoa(primary)}, redistest.OctopusReady...)...)

	fs := Probe(probeCtx(t), local(replica), "", Options{})
	logAll(t, fs)
	find(t, fs, "redis.replication", validate.Warning, "is a replica of 127.0.0.1:"+strconv.Itoa(primary))

	// The primary counts the replica once it has connected.
	deadline := time.Now().Add(5 * time.Second)
	for {
		repl := info(t, primary, "replication")
		if strings.Contains(repl, "connected_slaves:1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica never connected:\n%s", repl)
		}
		time.Sleep(10 * time.Millisecond) // polling INFO: no event to wait on
	}
	fs = Probe(probeCtx(t), local(primary), "", Options{})
	logAll(t, fs)
	find(t, fs, "redis.replication", validate.Warning, "1 connected replica")
}

func TestNotReachable(t *testing.T) {
	fs := Probe(probeCtx(t), local(redistest.FreePort(t)), "", Options{})
	logAll(t, fs)
	find(t, fs, "redis.reach", validate.Error, "refused the connection")
}

func TestHungServer(t *testing.T) {
	hung := testkit.HungServer(t)

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	fs := Probe(ctx, local(hung), "", Options{})
	logAll(t, fs)
	if took := time.Since(start); took > time.Second {
		t.Errorf("a hung Redis held the probe for %s", took)
	}
	find(t, fs, "redis.reach", validate.Error, "did not answer in time")
}

func probeCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	t.Cleanup(cancel)
	return ctx
}
