package validate

import (
	"slices"
	"strings"
)

// IDs are every finding ID a check or probe can report, sorted. A command
// refuses `--ignore` with any other, so a typo (dns.hots) is caught instead
// of silently ignoring nothing; TestIDsListEveryFindingID holds the table
// to the sources.
var IDs = []string{
	"db.auth",
	"db.collation",
	"db.connect",
	"db.edition",
	"db.encrypt",
	"db.exists",
	"db.ha",
	"db.instance",
	"db.listener",
	"db.login",
	"db.name",
	"db.node-limit",
	"db.node-name",
	"db.node-stale",
	"db.node-unknown",
	"db.nodes",
	"db.permissions",
	"db.reach",
	"db.server",
	"db.timeout",
	"db.tls",
	"db.trust",
	"db.user",
	"db.version",
	"dns.host",
	"http.ping",
	"http.version",
	"lb.certificate",
	"lb.healthCheck",
	"lb.kind",
	"lb.passthrough",
	"lb.persistence",
	"lb.public",
	"lb.publicUrl",
	"lb.trustedProxies",
	"nodes.commsPort",
	"nodes.empty",
	"nodes.endpoint",
	"nodes.host",
	"nodes.name",
	"nodes.single",
	"octopus.adminEmail",
	"octopus.adminUsername",
	"octopus.homeDir",
	"octopus.installDir",
	"octopus.instance",
	"octopus.serviceAccount",
	"octopus.taskCap",
	"octopus.version",
	"port",
	"port.https",
	"redis.config",
	"redis.eviction",
	"redis.persistence",
	"redis.reach",
	"redis.replication",
	"redis.version",
	"smb.reach",
	"storage.drive",
	"storage.path",
	"storage.root",
	"storage.version",
	"tcp.comms",
	"tcp.web",
	"tentacles.mode",
	"tentacles.polling",
	"tentacles.pollingAddress",
	"tentacles.redis",
	"tentacles.version",
	"text.control",
	"tls.comms",
	"tls.polling",
}

// KnownID is true when id is one of IDs.
func KnownID(id string) bool {
	_, found := slices.BinarySearch(IDs, id)
	return found
}

// SimilarIDs are the IDs in the same group as id (the part before the
// first dot: "dns" for "dns.hots"), for an error about an unknown one.
func SimilarIDs(id string) []string {
	group, _, _ := strings.Cut(id, ".")
	var out []string
	for _, known := range IDs {
		if g, _, _ := strings.Cut(known, "."); g == group {
			out = append(out, known)
		}
	}
	return out
}
