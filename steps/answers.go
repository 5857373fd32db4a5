// Package steps holds the answers model: what an admin tells octoha about an
// Octopus Server HA cluster, one type per wizard step, with defaults, the
// values derived from other steps, and the answers file on disk.
//
// It owns what each answer means, so that checks, probes and renderers ask
// it instead of reading a string again: the SQL Server address
// (ParseSQLServer, SQLServer.DataSource), Windows paths (ParseWindowsPath,
// UNCHost), Octopus versions and the features they gate (OctopusVersion,
// Feature), the polling predicates, and the field paths findings name
// (FieldDatabaseServer, NodeField). It imports no other octoha package
// (internal/archtest holds that).
//
// Every value here is a Windows name or path whatever OS octoha runs on, so
// nothing in this package passes them through path/filepath.
package steps

import (
	"strings"

	"github.com/goccy/go-yaml"
)

// FileVersion is the answers-file format this octoha reads and writes.
const FileVersion = 1

// DefaultOctopusVersion is assumed when octopus.version is left out: the
// first build that ships multi-node polling with Redis
// (docs/octopus-facts.md §6.5), a current release at the time of
// writing.
var DefaultOctopusVersion = VersionText(RedisPolling.Since.String())

// Answers is everything octoha knows about one cluster. It never holds a
// secret: passwords, the master key, API keys and the licence are asked for
// by the emitted scripts at run time.
type Answers struct {
	Version      int          `yaml:"version"`
	Octopus      Octopus      `yaml:"octopus"`
	Database     Database     `yaml:"database"`
	Storage      Storage      `yaml:"storage"`
	LoadBalancer LoadBalancer `yaml:"loadBalancer"`
	Nodes        []Node       `yaml:"nodes"`
	Tentacles    Tentacles    `yaml:"tentacles"`
}

// Octopus is what every node shares: the Octopus version, instance and the
// local folders and ports each node uses unless its own entry says otherwise.
type Octopus struct {
	Version    VersionText `yaml:"version"`
	Instance   string      `yaml:"instance"`
	InstallDir string      `yaml:"installDir"`
	// HomeDir is local to each node and never shared (docs/octopus-facts.md §0).
	HomeDir string `yaml:"homeDir"`
	// ServiceAccount is DOMAIN\user (or a gMSA ending in $); empty runs the
	// service as Local System.
	ServiceAccount string `yaml:"serviceAccount"`
	WebPort        int    `yaml:"webPort"`
	CommsPort      int    `yaml:"commsPort"`
	// AdminUsername and AdminEmail name the first administrator, created
	// once by the first node; the password is asked for by the script.
	AdminUsername string `yaml:"adminUsername"`
	AdminEmail    string `yaml:"adminEmail"`
	// TaskCap is each node's task cap (`node --taskCap`); 0 leaves Octopus's
	// default of 5.
	TaskCap int `yaml:"taskCap,omitempty"`
}

// Auth modes for the database.
const (
	AuthWindows = "windows"
	AuthSQL     = "sql"
)

// Database is the one SQL Server database every node shares.
type Database struct {
	// Server is a host name, an AlwaysOn listener, or host\instance.
	Server string `yaml:"server"`
	// Port 0 means the default, 1433, or the SQL Browser for a named instance.
	Port                   int    `yaml:"port"`
	Name                   string `yaml:"name"`
	Auth                   string `yaml:"auth"`
	User                   string `yaml:"user"`
	Encrypt                bool   `yaml:"encrypt"`
	TrustServerCertificate bool   `yaml:"trustServerCertificate"`
	MultiSubnetFailover    bool   `yaml:"multiSubnetFailover"`
	// Create makes the first node run `database --create`; false attaches to
	// a database a DBA made.
	Create bool `yaml:"create"`
}

// Storage holds the cluster-shared folders. Root is `path --clusterShared`;
// an empty sub-path falls under it.
type Storage struct {
	Root         string `yaml:"root"`
	Artifacts    string `yaml:"artifacts"`
	TaskLogs     string `yaml:"taskLogs"`
	Packages     string `yaml:"packages"`
	Imports      string `yaml:"imports"`
	EventExports string `yaml:"eventExports"`
}

// Load balancer kinds.
const (
	LBNginx    = "nginx"
	LBHAProxy  = "haproxy"
	LBIISARR   = "iis-arr"
	LBExternal = "external"
	// LBApache is Apache httpd 2.4 with mod_proxy_balancer: HTTP only, it
	// cannot pass a polling tentacle's TCP through.
	LBApache = "apache"
)

// Session persistence choices.
const (
	PersistenceNone     = "none"
	PersistenceCookie   = "cookie"
	PersistenceSourceIP = "source-ip"
)

// LoadBalancer is how users (and, for some polling modes, tentacles) reach
// the nodes.
type LoadBalancer struct {
	Kind        string `yaml:"kind"`
	PublicURL   string `yaml:"publicUrl"`
	Persistence string `yaml:"persistence"`
	HealthCheck string `yaml:"healthCheck"`
	// TrustedProxies are the balancer's own IP addresses, passed to every
	// node as `configure --trustedProxies` so audit events show client IPs.
	TrustedProxies []string `yaml:"trustedProxies,omitempty"`
	// Certificate and CertificateKey are PEM files on the balancer host
	// (NGINX, HAProxy) for an https publicUrl; HAProxy wants key and chain in
	// Certificate. CertificateThumbprint is the IIS certificate for iis-arr.
	Certificate           string `yaml:"certificate,omitempty"`
	CertificateKey        string `yaml:"certificateKey,omitempty"`
	CertificateThumbprint string `yaml:"certificateThumbprint,omitempty"`
}

// Node is one Octopus Server node. WebPort and CommsPort 0 mean derived
// (see Answers.NodeWebPort and Answers.NodeCommsPort).
type Node struct {
	Name      string `yaml:"name"`
	Host      string `yaml:"host"`
	WebPort   int    `yaml:"webPort,omitempty"`
	CommsPort int    `yaml:"commsPort,omitempty"`
}

// Tentacle communication modes and the ways polling tentacles reach nodes.
const (
	ModeListening        = "listening"
	ModePolling          = "polling"
	PollingUniqueAddress = "unique-address"
	PollingUniquePort    = "unique-port"
	PollingRedis         = "redis"
)

// Tentacles says how deployment targets talk to the cluster.
type Tentacles struct {
	Mode    string `yaml:"mode"`
	Polling string `yaml:"polling"`
	// BasePort is the first node's comms port for unique-port polling; node
	// i (from 0) listens on BasePort+i.
	BasePort int `yaml:"basePort"`
	// PollingAddress is the one name tentacles poll for unique-port and
	// redis; empty means the host of loadBalancer.publicUrl.
	PollingAddress string `yaml:"pollingAddress"`
	Redis          Redis  `yaml:"redis"`
	// Instance, Space, Environments and Roles prefill the registration
	// script's parameters.
	Instance     string   `yaml:"instance"`
	Space        string   `yaml:"space,omitempty"`
	Environments []string `yaml:"environments,omitempty"`
	Roles        []string `yaml:"roles,omitempty"`
}

// Redis is the store behind multi-node polling (docs/octopus-facts.md §6.5). Its
// password is never saved.
type Redis struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	SSL  bool   `yaml:"ssl"`
}

// VersionText is a version as the admin wrote it. It keeps the text of an
// unquoted number, so `version: 2025.10` stays "2025.10" instead of the
// float 2025.1.
type VersionText string

// UnmarshalYAML takes the node's source text; only quoted scalars are decoded.
func (v *VersionText) UnmarshalYAML(raw []byte) error {
	text := strings.TrimSpace(string(raw))
	if strings.HasPrefix(text, "'") || strings.HasPrefix(text, `"`) {
		var s string
		if err := yaml.Unmarshal(raw, &s); err != nil {
			return err
		}
		text = s
	}
	*v = VersionText(text)
	return nil
}
