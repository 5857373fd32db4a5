package ps

import (
	"fmt"
	"strings"

	"github.com/octoha/octoha/steps"
)

// MarkerFile is the file the first node writes on the shared root and every
// joining node reads: a joining node that cannot read it does not see the
// same share, and Octopus itself would not say so (reference §8.17).
const MarkerFile = "octoha-cluster.txt"

// FirstNode renders install-first-node.ps1 for a.Nodes[0].
func FirstNode(a steps.Answers) ([]byte, error) {
	if len(a.Nodes) == 0 {
		return nil, fmt.Errorf("the answers have no nodes, so there is no first node to install")
	}
	return execute("first-node.ps1.tmpl", newServerView(a, 0))
}

// JoinNode renders the join script for a.Nodes[i], i >= 1.
func JoinNode(a steps.Answers, i int) ([]byte, error) {
	if i < 1 || i >= len(a.Nodes) {
		return nil, fmt.Errorf("node %d is not a joining node: the answers have nodes 0 to %d and node 0 is the first node", i, len(a.Nodes)-1)
	}
	return execute("join-node.ps1.tmpl", newServerView(a, i))
}

// RebuildNode renders the first node's join script, which rebuilds
// a.Nodes[0] on a fresh machine while the cluster runs.
func RebuildNode(a steps.Answers) ([]byte, error) {
	if len(a.Nodes) == 0 {
		return nil, fmt.Errorf("the answers have no nodes, so there is no first node to rebuild")
	}
	v := newServerView(a, 0)
	v.Rebuild = true
	v.ScriptFile = v.RebuildScriptFile
	return execute("join-node.ps1.tmpl", v)
}

// RegisterTentacle renders register-tentacle.ps1.
func RegisterTentacle(a steps.Answers) ([]byte, error) {
	if a.UsesPolling() && len(a.Nodes) == 0 {
		return nil, fmt.Errorf("polling tentacles need the nodes' addresses, and the answers have no nodes")
	}
	return execute("register-tentacle.ps1.tmpl", newTentacleView(a))
}

// ConfigureARR renders iis-arr/configure-arr.ps1.
func ConfigureARR(a steps.Answers) ([]byte, error) {
	if len(a.Nodes) == 0 {
		return nil, fmt.Errorf("the server farm needs nodes, and the answers have none")
	}
	return execute("configure-arr.ps1.tmpl", newARRView(a))
}

// serverView is what the node templates read: the answers for one node,
// with every derived value worked out here so templates only print.
type serverView struct {
	// ScriptFile is the join script's own file name, for its help text.
	ScriptFile string
	// Rebuild makes the join script the first node's, which rebuilds it.
	Rebuild bool
	// RebuildScriptFile is the file name of the first node's join script.
	RebuildScriptFile string
	OctopusVersion    string
	Instance          string
	InstallDir        string
	HomeDir           string
	NodeName          string
	NodeHost          string
	WebPort           int
	CommsPort         int
	PublicHost        string
	ServiceName       string
	ServiceAccount    string
	// GMSA is a group managed service account (name ends in $): installed
	// as Local System, then switched with sc.exe (reference §1.3).
	GMSA bool

	SQLServer string
	// SQLPort 0 means no port in Data Source (default or SQL Browser).
	SQLPort int
	// SQLDataSource is the exact "Data Source" of the nodes' connection
	// string (steps.SQLServer.DataSource). The scripts still build theirs
	// from SQLServer and SQLPort; this is to replace that.
	SQLDataSource          string
	SQLDatabase            string
	SQLAuth                bool
	SQLUser                string
	Encrypt                bool
	TrustServerCertificate bool
	MultiSubnetFailover    bool
	CreateDatabase         bool

	TrustedProxies []string
	Redis          bool
	RedisHost      string
	RedisPort      int
	RedisSSL       bool

	// PollingComms says polling tentacles reach the comms port, which the
	// node's firewall then opens too; CommsFrom says from where.
	PollingComms bool
	CommsFrom    string
	// DrainOnJoin: the node joins a running cluster whose tentacles poll
	// every node, so it starts drained (JoinAddedNode).
	DrainOnJoin          bool
	TentacleUpdateScript string

	StorageRoot   string
	SharedFolders []steps.SharedFolder
	MarkerFile    string
	TaskCap       int
	AdminUsername string
	AdminEmail    string

	// ShowMasterKey is the exact command that prints the master key on the
	// first node, for help text (already quoted).
	ShowMasterKey string
}

func newServerView(a steps.Answers, i int) serverView {
	node := a.Nodes[i]
	v := serverView{
		OctopusVersion:         string(a.Octopus.Version),
		Instance:               a.Octopus.Instance,
		InstallDir:             a.Octopus.InstallDir,
		HomeDir:                a.Octopus.HomeDir,
		NodeName:               node.Name,
		ScriptFile:             JoinScriptName(node.Name),
		RebuildScriptFile:      RebuildScriptName(a.Nodes[0].Name),
		NodeHost:               node.Host,
		WebPort:                a.NodeWebPort(i),
		CommsPort:              a.NodeCommsPort(i),
		PublicHost:             a.PublicHost(),
		ServiceName:            a.ServiceName(),
		ServiceAccount:         a.Octopus.ServiceAccount,
		GMSA:                   strings.HasSuffix(a.Octopus.ServiceAccount, "$"),
		SQLServer:              a.Database.Server,
		SQLPort:                scriptSQLPort(a),
		SQLDataSource:          sqlDataSource(a),
		SQLDatabase:            a.Database.Name,
		SQLAuth:                a.Database.Auth == steps.AuthSQL,
		SQLUser:                a.Database.User,
		Encrypt:                a.Database.Encrypt,
		TrustServerCertificate: a.Database.TrustServerCertificate,
		MultiSubnetFailover:    a.Database.MultiSubnetFailover,
		CreateDatabase:         a.Database.Create,
		TrustedProxies:         a.LoadBalancer.TrustedProxies,
		Redis:                  a.UsesRedis(),
		RedisHost:              a.Tentacles.Redis.Host,
		RedisPort:              a.Tentacles.Redis.Port,
		RedisSSL:               a.Tentacles.Redis.SSL,
		PollingComms:           a.UsesPolling(),
		TentacleUpdateScript:   TentacleUpdateScript,
		StorageRoot:            a.Storage.Root,
		MarkerFile:             MarkerFile,
		TaskCap:                a.Octopus.TaskCap,
		AdminUsername:          a.Octopus.AdminUsername,
		AdminEmail:             a.Octopus.AdminEmail,
	}
	switch a.PollingMode() {
	case steps.PollingUniqueAddress:
		v.CommsFrom = "polling tentacles"
	case steps.PollingUniquePort, steps.PollingRedis:
		v.CommsFrom = "polling tentacles through the load balancer"
	}
	for _, f := range a.SharedFolders() {
		if f.Path != "" {
			v.SharedFolders = append(v.SharedFolders, f)
		}
	}
	v.ShowMasterKey = serverCommand(a, "show-master-key")
	return v
}

// scriptSQLPort is the port the scripts append to the server as written
// ('tcp:{server},{port}', common.ps1.tmpl): database.port, but 0 when the
// server text carries its own (sql01,1433), which SqlClient reads as it is.
func scriptSQLPort(a steps.Answers) int {
	if s, err := steps.ParseSQLServer(a.Database.Server, 0); err == nil && s.Port != 0 {
		return 0
	}
	return a.Database.Port
}

// sqlDataSource is the answers' SQL Server as a Data Source. Answers that
// reach a renderer have passed validate.Check, which refuses a server that
// does not parse; "" stands for one that does not.
func sqlDataSource(a steps.Answers) string {
	s, err := a.SQLServer()
	if err != nil {
		return ""
	}
	return s.DataSource()
}

// UndrainCommand is the command, run on a node, that undrains it: node
// --drain=false (reference §1.3, §2.4), every value quoted.
func UndrainCommand(a steps.Answers) string { return serverCommand(a, "node", "--drain=false") }

// serverCommand is an Octopus.Server.exe command on the cluster's instance
// as an admin types it in PowerShell, every value through Quote, for the
// help and the checklists. (A script's own messages build theirs at run
// time with ConvertTo-PowerShellLiteral, so that every value stays whole
// in one literal of the script.)
func serverCommand(a steps.Answers, command string, args ...string) string {
	line := "& " + Quote(steps.JoinWindowsPath(a.Octopus.InstallDir, "Octopus.Server.exe")) + " " + command +
		" --instance " + Quote(a.Octopus.Instance)
	for _, arg := range args {
		line += " " + arg
	}
	return line
}

// pollingServer is one address a polling tentacle polls.
type pollingServer struct {
	Host string
	Port int
}

// tentacleView is what register-tentacle.ps1 reads.
type tentacleView struct {
	Instance     string
	ServiceName  string
	ServerURL    string
	Space        string
	Environments []string
	Roles        []string
	Polling      bool
	PollingMode  string
	// First is the address register-with gets; Others each get poll-server.
	First  pollingServer
	Others []pollingServer
	// ShowThumbprint is the exact show-thumbprint command for the Octopus
	// Server, for the help that says where to read its thumbprint (already
	// quoted).
	ShowThumbprint string
}

func newTentacleView(a steps.Answers) tentacleView {
	v := tentacleView{
		Instance:     a.Tentacles.Instance,
		ServiceName:  tentacleServiceName(a.Tentacles.Instance),
		ServerURL:    a.LoadBalancer.PublicURL,
		Space:        a.Tentacles.Space,
		Environments: a.Tentacles.Environments,
		Roles:        a.Tentacles.Roles,
		Polling:      a.UsesPolling(),
		PollingMode:  a.PollingMode(),
		ShowThumbprint: "& " + Quote(steps.JoinWindowsPath(a.Octopus.InstallDir, "Octopus.Server.exe")) +
			" show-thumbprint --instance " + Quote(a.Octopus.Instance),
	}
	switch a.PollingMode() {
	case steps.PollingUniqueAddress: // reference §6.2 A: each node at its own name
		for i, n := range a.Nodes {
			v.Others = append(v.Others, pollingServer{Host: n.Host, Port: a.NodeCommsPort(i)})
		}
	case steps.PollingUniquePort: // §6.2 B: one name, a port per node
		for i := range a.Nodes {
			v.Others = append(v.Others, pollingServer{Host: a.PollingAddress(), Port: a.NodeCommsPort(i)})
		}
	case steps.PollingRedis: // §6.5: one address, Redis hands work to the right node
		v.Others = []pollingServer{{Host: a.PollingAddress(), Port: a.Tentacles.BasePort}}
	}
	if len(v.Others) > 0 {
		v.First, v.Others = v.Others[0], v.Others[1:]
	}
	return v
}

// tentacleServiceName is the Windows service Tentacle installs (reference
// §0: "OctopusDeploy Tentacle" for instance Tentacle, else
// "OctopusDeploy Tentacle: <name>").
func tentacleServiceName(instance string) string {
	if instance == "Tentacle" {
		return "OctopusDeploy Tentacle"
	}
	return "OctopusDeploy Tentacle: " + instance
}

// farmServer is one node in the ARR server farm.
type farmServer struct {
	Host    string
	WebPort int
}

// arrView is what configure-arr.ps1 reads.
type arrView struct {
	Servers               []farmServer
	PublicHost            string
	PublicPort            int
	PublicTLS             bool
	CertificateThumbprint string
	HealthCheck           string
	Persistence           string
	PollingMode           string
}

func newARRView(a steps.Answers) arrView {
	v := arrView{
		PublicHost:            a.PublicHost(),
		PublicPort:            a.PublicPort(),
		PublicTLS:             a.PublicTLS(),
		CertificateThumbprint: a.LoadBalancer.CertificateThumbprint,
		HealthCheck:           a.LoadBalancer.HealthCheck,
		Persistence:           a.LoadBalancer.Persistence,
		PollingMode:           a.PollingMode(),
	}
	for i, n := range a.Nodes {
		v.Servers = append(v.Servers, farmServer{Host: n.Host, WebPort: a.NodeWebPort(i)})
	}
	return v
}

// JoinScriptName is the join script's file name for a node: one per node,
// so each carries its own name and ports and cannot be run on the wrong box
// with the wrong values.
func JoinScriptName(node string) string { return "join-node-" + node + ".ps1" }

// RebuildScriptName is the file name of the first node's join script,
// which rebuilds it on a fresh machine: install-first-node.ps1 refuses a
// machine once the cluster runs without it, and add-node refuses a name the
// cluster has.
func RebuildScriptName(node string) string { return "rebuild-node-" + node + ".ps1" }
