package live

import (
	"slices"
	"testing"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate/netprobe/probetest"
	"github.com/octoha/octoha/validate/redisprobe/redistest"
)

// TestRedisPasswordReachesRedis checks the runner hands Secrets.RedisPassword
// to the Redis probe, and only for multi-node polling.
func TestRedisPasswordReachesRedis(t *testing.T) {
	port := redistest.Start(t, append([]string{"--requirepass", "pw-for-test"}, redistest.OctopusReady...)...)
	a := steps.Defaults()
	a.Tentacles.Mode = steps.ModePolling
	a.Tentacles.Polling = steps.PollingRedis
	a.Tentacles.Redis = steps.Redis{Host: "127.0.0.1", Port: port}

	ids := func(opts Options) []string {
		var out []string
		for _, f := range RunField(t.Context(), a, "tentacles.redis.host", opts) {
			t.Log(f)
			out = append(out, f.ID+" "+f.Severity.String())
		}
		return out
	}
	if got := ids(Options{}); !slices.Equal(got, []string{"redis.login error"}) {
		t.Errorf("without the password: %q", got)
	}
	got := ids(Options{Secrets: Secrets{RedisPassword: "pw-for-test"}})
	if !slices.Contains(got, "redis.reach ok") || !slices.Contains(got, "redis.config ok") {
		t.Errorf("with the password: %q", got)
	}

	a.Tentacles.Polling = steps.PollingUniqueAddress
	if ps := ProbesFor(a, "tentacles.redis.host", Options{}); len(ps) != 0 {
		t.Errorf("Redis probed without multi-node polling: %q", summary(ps))
	}
}

// TestAbandonedRedisProbeStops is the wizard's case of a hostile Redis: one
// that answers with a two-billion-element array. The live check returns at
// its timeout, and the probe it abandons has stopped too: it hung up, and
// the heap is back where it was.
func TestAbandonedRedisProbeStops(t *testing.T) {
	const timeout, margin = 500 * time.Millisecond, 250 * time.Millisecond
	for _, tc := range []struct {
		name string
		head string
		then probetest.Then
	}{
		{"array header, then nothing", "*2147483000\r\n", probetest.Hold},
		{"bulk header, then a trickle", "$100\r\n", probetest.Trickle},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := probetest.Redis(t, 0, tc.head, tc.then)
			a := steps.Defaults()
			a.Tentacles.Mode = steps.ModePolling
			a.Tentacles.Polling = steps.PollingRedis
			a.Tentacles.Redis = steps.Redis{Host: "127.0.0.1", Port: s.Port}

			returned := false
			use := probetest.Measure(func() {
				returned = probetest.Within(timeout+margin, func() {
					RunField(t.Context(), a, "tentacles.redis.host", Options{Timeout: timeout})
				})
			})
			t.Logf("took %v, heap peak %.2f MB, %.2f MB left", use.Took, probetest.MB(use.Peak), probetest.MB(use.Left))
			if !returned {
				t.Fatalf("the live check did not return at its %v timeout", timeout)
			}
			if !s.HungUp(time.Second) {
				t.Errorf("the abandoned probe still holds its connection")
			}
			if use.Peak > 4<<20 || use.Left > 1<<20 {
				t.Errorf("the heap grew by %.1f MB, and still held %.1f MB once the probe was abandoned", probetest.MB(use.Peak), probetest.MB(use.Left))
			}
		})
	}
}
