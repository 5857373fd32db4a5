package live

import (
	"slices"
	"testing"

	"github.com/octoha/octoha/steps"
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
