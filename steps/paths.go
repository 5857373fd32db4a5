package steps

import (
	"fmt"
	"strconv"
	"sync"
)

// Field paths: where an answer lives in the answers file, as findings, live
// checks and the wizard name it ("database.server", "nodes[2].host").
// They follow the yaml tags of Answers.
const (
	FieldOctopus               = "octopus"
	FieldOctopusVersion        = "octopus.version"
	FieldOctopusInstance       = "octopus.instance"
	FieldOctopusInstallDir     = "octopus.installDir"
	FieldOctopusHomeDir        = "octopus.homeDir"
	FieldOctopusServiceAccount = "octopus.serviceAccount"
	FieldOctopusWebPort        = "octopus.webPort"
	FieldOctopusCommsPort      = "octopus.commsPort"
	FieldOctopusAdminUsername  = "octopus.adminUsername"
	FieldOctopusAdminEmail     = "octopus.adminEmail"
	FieldOctopusTaskCap        = "octopus.taskCap"

	FieldDatabase                       = "database"
	FieldDatabaseServer                 = "database.server"
	FieldDatabasePort                   = "database.port"
	FieldDatabaseName                   = "database.name"
	FieldDatabaseAuth                   = "database.auth"
	FieldDatabaseUser                   = "database.user"
	FieldDatabaseEncrypt                = "database.encrypt"
	FieldDatabaseTrustServerCertificate = "database.trustServerCertificate"
	FieldDatabaseMultiSubnetFailover    = "database.multiSubnetFailover"
	FieldDatabaseCreate                 = "database.create"

	FieldStorage             = "storage"
	FieldStorageRoot         = "storage.root"
	FieldStorageArtifacts    = "storage.artifacts"
	FieldStorageTaskLogs     = "storage.taskLogs"
	FieldStoragePackages     = "storage.packages"
	FieldStorageImports      = "storage.imports"
	FieldStorageEventExports = "storage.eventExports"

	FieldLoadBalancer                      = "loadBalancer"
	FieldLoadBalancerKind                  = "loadBalancer.kind"
	FieldLoadBalancerPublicURL             = "loadBalancer.publicUrl"
	FieldLoadBalancerPersistence           = "loadBalancer.persistence"
	FieldLoadBalancerHealthCheck           = "loadBalancer.healthCheck"
	FieldLoadBalancerTrustedProxies        = "loadBalancer.trustedProxies"
	FieldLoadBalancerCertificate           = "loadBalancer.certificate"
	FieldLoadBalancerCertificateKey        = "loadBalancer.certificateKey"
	FieldLoadBalancerCertificateThumbprint = "loadBalancer.certificateThumbprint"

	FieldNodes = "nodes"

	FieldTentacles               = "tentacles"
	FieldTentaclesMode           = "tentacles.mode"
	FieldTentaclesPolling        = "tentacles.polling"
	FieldTentaclesBasePort       = "tentacles.basePort"
	FieldTentaclesPollingAddress = "tentacles.pollingAddress"
	FieldTentaclesRedisHost      = "tentacles.redis.host"
	FieldTentaclesRedisPort      = "tentacles.redis.port"
	FieldTentaclesRedisSSL       = "tentacles.redis.ssl"
	FieldTentaclesInstance       = "tentacles.instance"
	FieldTentaclesSpace          = "tentacles.space"
	FieldTentaclesEnvironments   = "tentacles.environments"
	FieldTentaclesRoles          = "tentacles.roles"
)

// NodeFields are the field paths of node i's answers.
type NodeFields struct {
	// Node is "nodes[i]" itself.
	Node, Name, Host, WebPort, CommsPort string
}

// NodeField gives the field paths of node i (from 0). The checks ask for
// every node's on every keystroke, so each node's are built once and kept.
func NodeField(i int) NodeFields {
	if i < 0 || i >= MaxNodes {
		return nodeField(i)
	}
	nodeFields.Lock()
	defer nodeFields.Unlock()
	for n := len(nodeFields.paths); n <= i; n++ {
		nodeFields.paths = append(nodeFields.paths, nodeField(n))
	}
	return nodeFields.paths[i]
}

// nodeFields are the NodeFields built so far, by node.
var nodeFields struct {
	sync.Mutex
	paths []NodeFields
}

func nodeField(i int) NodeFields {
	n := "nodes[" + strconv.Itoa(i) + "]"
	return NodeFields{Node: n, Name: n + ".name", Host: n + ".host", WebPort: n + ".webPort", CommsPort: n + ".commsPort"}
}

// TrustedProxyField is the field path of loadBalancer.trustedProxies[i].
func TrustedProxyField(i int) string {
	return fmt.Sprintf("%s[%d]", FieldLoadBalancerTrustedProxies, i)
}
