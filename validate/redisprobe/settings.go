package redisprobe

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/netprobe"
)

// checkConfig reads the settings Octopus needs (docs/octopus-facts.md §6.5). Managed
// Redis services often refuse CONFIG; then the admin has to check by hand.
func checkConfig(c *client, addr string) validate.Findings {
	settings := map[string]string{}
	for _, key := range []string{"save", "appendonly", "maxmemory-policy"} {
		rep, err := c.do("CONFIG", "GET", key)
		var refused serverError
		switch {
		case errors.As(err, &refused):
			return validate.Findings{configUnreadable(addr, err.Error())}
		case err != nil:
			return validate.Findings{unanswered(addr, "CONFIG GET "+key, err)}
		}
		// The answer is [key, value], or [] for a setting this Redis lacks.
		if len(rep.items) != 2 || !strings.EqualFold(rep.items[0].text, key) {
			return validate.Findings{configUnreadable(addr, "CONFIG GET "+key+" answered nothing")}
		}
		settings[key] = netprobe.Shown(rep.items[1].text)
	}

	var out validate.Findings
	if save := strings.TrimSpace(settings["save"]); save != "" {
		out = append(out, validate.Finding{ID: "redis.persistence", Severity: validate.Error, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s saves snapshots to disk (save %q); Octopus wants no persistence.", addr, save),
			Fix:     `Set save "" in redis.conf (and now: CONFIG SET save "").`})
	}
	if strings.EqualFold(settings["appendonly"], "yes") {
		out = append(out, validate.Finding{ID: "redis.persistence", Severity: validate.Error, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s writes an append-only file (appendonly yes); Octopus wants no persistence.", addr),
			Fix:     "Set appendonly no in redis.conf (and now: CONFIG SET appendonly no)."})
	}
	if p := settings["maxmemory-policy"]; p != "noeviction" {
		out = append(out, validate.Finding{ID: "redis.eviction", Severity: validate.Error, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s may evict keys when full (maxmemory-policy %s); Octopus needs noeviction.", addr, p),
			Fix:     "Set maxmemory-policy noeviction in redis.conf (and now: CONFIG SET maxmemory-policy noeviction)."})
	}
	if len(out) == 0 {
		out = append(out, validate.Finding{ID: "redis.config", Severity: validate.OK, Field: fieldHost,
			Message: fmt.Sprintf(`Redis at %s has no persistence (save "", appendonly no) and maxmemory-policy noeviction.`, addr)})
	}
	return out
}

// unanswered is a command that got no usable answer once the login
// worked: a timeout, a reply beyond the limits, a closed connection.
func unanswered(addr, command string, err error) validate.Finding {
	return validate.Finding{ID: "redis.config", Severity: validate.Error, Field: fieldHost,
		Message: fmt.Sprintf("Redis at %s answered PING but not %s: %v.", addr, command, err),
		Fix:     "Check that redis-server itself listens on this port, not a proxy or another service."}
}

func configUnreadable(addr, why string) validate.Finding {
	return validate.Finding{ID: "redis.config", Severity: validate.Warning, Field: fieldHost,
		Message: fmt.Sprintf("Redis at %s would not show its settings (%s); managed Redis services often block CONFIG.", addr, why),
		Fix:     `Check by hand, in the service's settings: persistence off (save "" and appendonly no), maxmemory-policy noeviction, no replication or failover.`}
}

// checkInfo reads the version and the replication role from INFO.
func checkInfo(c *client, addr string) validate.Findings {
	var out validate.Findings
	server, err := infoSection(c, "server")
	if err != nil {
		return validate.Findings{{ID: "redis.version", Severity: validate.Warning, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s would not answer INFO server: %v.", addr, err),
			Fix:     "Check by hand that it runs Redis 8.0 or later."}}
	}
	version := server["redis_version"]
	switch major, ok := majorVersion(version); {
	case !ok:
		out = append(out, validate.Finding{ID: "redis.version", Severity: validate.Warning, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s reports no version octoha can read (%q).", addr, version),
			Fix:     "Check by hand that it runs Redis 8.0 or later."})
	case major < 8:
		out = append(out, validate.Finding{ID: "redis.version", Severity: validate.Warning, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s is version %s; Octopus recommends 8.0 or later for multi-node polling.", addr, version),
			Fix:     "Plan an upgrade to Redis 8.0 or later."})
	default:
		out = append(out, validate.Finding{ID: "redis.version", Severity: validate.OK, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s is version %s.", addr, version)})
	}

	repl, err := infoSection(c, "replication")
	if err != nil {
		return append(out, validate.Finding{ID: "redis.replication", Severity: validate.Warning, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s would not answer INFO replication: %v.", addr, err),
			Fix:     "Check by hand that it has no replicas and no failover (Sentinel, cluster)."})
	}
	replicas, _ := strconv.Atoi(repl["connected_slaves"])
	switch {
	case repl["role"] == "slave" || repl["role"] == "replica":
		out = append(out, validate.Finding{ID: "redis.replication", Severity: validate.Warning, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s is a replica of %s:%s; Octopus wants one Redis with no replication or failover.", addr, repl["master_host"], repl["master_port"]),
			Fix:     "Point every node at a standalone Redis (remove replicaof), not a replica."})
	case replicas > 0:
		out = append(out, validate.Finding{ID: "redis.replication", Severity: validate.Warning, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s has %d connected replica(s); Octopus wants one Redis with no replication or failover.", addr, replicas),
			Fix:     "Detach the replicas (REPLICAOF NO ONE on each, and remove replicaof from their config)."})
	}
	if server["redis_mode"] == "cluster" {
		out = append(out, validate.Finding{ID: "redis.replication", Severity: validate.Warning, Field: fieldHost,
			Message: fmt.Sprintf("Redis at %s runs in cluster mode; Octopus wants one standalone Redis.", addr),
			Fix:     "Use a standalone Redis (cluster-enabled no)."})
	}
	return out
}

// infoSection reads one INFO section into key/value pairs, each value as a
// finding may show it.
func infoSection(c *client, section string) (map[string]string, error) {
	rep, err := c.do("INFO", section)
	if err != nil {
		return nil, err
	}
	kv := map[string]string{}
	for line := range strings.Lines(rep.text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			kv[k] = netprobe.Shown(v)
		}
	}
	return kv, nil
}

// majorVersion reads the 7 of "7.0.15".
func majorVersion(v string) (int, bool) {
	head, _, _ := strings.Cut(strings.TrimSpace(v), ".")
	n, err := strconv.Atoi(head)
	return n, err == nil
}
