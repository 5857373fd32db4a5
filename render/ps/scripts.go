package ps

import (
	"fmt"
	"strings"

	"github.com/octoha/octoha/internal/docs"
	"github.com/octoha/octoha/steps"
)

// MarkerFile is the file the first node writes on the shared root and every
// joining node reads: a joining node that cannot read it does not see the
// same share, and Octopus itself would not say so (docs/octopus-facts.md §8.17).
const MarkerFile = "octoha-cluster.txt"

// FirstNode renders install-first-node.ps1 for a.Nodes[0].
func FirstNode(a steps.Answers) ([]byte, error) {
	if len(a.Nodes) == 0 {
		return nil, fmt.Errorf("the answers have no nodes, so there is no first node to install")
	}
	return newServerView(a, 0).firstNode().render()
}

// JoinNode renders the join script for a.Nodes[i], i >= 1.
func JoinNode(a steps.Answers, i int) ([]byte, error) {
	if i < 1 || i >= len(a.Nodes) {
		return nil, fmt.Errorf("node %d is not a joining node: the answers have nodes 0 to %d and node 0 is the first node", i, len(a.Nodes)-1)
	}
	return newServerView(a, i).joinNode().render()
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
	return v.joinNode().render()
}

// RegisterTentacle renders register-tentacle.ps1.
func RegisterTentacle(a steps.Answers) ([]byte, error) {
	if a.UsesPolling() && len(a.Nodes) == 0 {
		return nil, fmt.Errorf("polling tentacles need the nodes' addresses, and the answers have no nodes")
	}
	return newTentacleView(a).script().render()
}

// ConfigureARR renders iis-arr/configure-arr.ps1.
func ConfigureARR(a steps.Answers) ([]byte, error) {
	if len(a.Nodes) == 0 {
		return nil, fmt.Errorf("the server farm needs nodes, and the answers have none")
	}
	return newARRView(a).script().render()
}

// serverView is what the node scripts read: the answers for one node,
// with every derived value worked out here so the scripts only print.
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
	// as Local System, then switched with sc.exe (docs/octopus-facts.md §1.3).
	GMSA bool

	SQLServer string
	// SQLDataSource is the exact "Data Source" of the nodes' connection
	// string (steps.SQLServer.DataSource): the server as written, or
	// tcp:server,port with a port answer.
	SQLDataSource string
	SQLDatabase   string
	// ConnectsAs is who the node's service connects to SQL Server as
	// (steps.Answers.DatabaseLoginKind); SQLAuth is its LoginSQL.
	ConnectsAs             string
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
		GMSA:                   a.IsGMSA(),
		SQLServer:              a.Database.Server,
		SQLDataSource:          sqlDataSource(a),
		SQLDatabase:            a.Database.Name,
		ConnectsAs:             a.DatabaseLoginKind(),
		SQLAuth:                a.DatabaseLoginKind() == steps.LoginSQL,
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
	v.ShowMasterKey = ShowMasterKeyCommand(a)
	return v
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

// firstNode is install-first-node.ps1 for the view.
func (v serverView) firstNode() scriptFile {
	vals := v.values().
		str("AdminUsername", v.AdminUsername).
		str("AdminEmail", v.AdminEmail).
		str("RebuildScriptFile", v.RebuildScriptFile)
	var folders []string
	for _, f := range v.SharedFolders {
		folders = append(folders, "    $pathArguments += @("+vals.quoted(f.Flag).code+", "+vals.quoted(f.Path).code+")")
	}
	secrets := "    to pass it. Here that applies to the admin password"
	if !v.CreateDatabase {
		secrets += ", the master key\n    this script makes for the database"
	}
	return v.script("first-node.ps1", vals, map[string][]string{
		"SharedFolders":    folders,
		"secret-arguments": v.secretArguments(secrets),
	})
}

// joinNode is the join script (or, with Rebuild, the rebuild script) for
// the view.
func (v serverView) joinNode() scriptFile {
	vals := v.values()
	return v.script("join-node.ps1", vals, map[string][]string{
		"secret-arguments": v.secretArguments("    to pass it. Here that applies to the master key"),
	})
}

// secretArguments ends the help's sentence that lists the secrets the
// Octopus CLI takes as arguments, which start begins.
func (v serverView) secretArguments(start string) []string {
	if v.SQLAuth {
		start += ", the SQL password inside\n    the connection string"
	}
	if v.Redis {
		start += ", the Redis password"
	}
	return strings.Split(start+".", "\n")
}

// values is the node scripts' values block.
func (v serverView) values() *values {
	vals := newValues().
		note("Values from the octoha answers file. Change the answers and render again").
		note("rather than editing them here: every node's script must agree.").
		str("OctopusVersion", v.OctopusVersion).
		str("Instance", v.Instance).
		str("InstallDir", v.InstallDir).
		note("The home folder is local to each node and never shared ("+docs.CreateInstance+").").
		str("HomeDir", v.HomeDir).
		str("NodeName", v.NodeName).
		str("NodeHost", v.NodeHost).
		integer("WebPort", v.WebPort).
		integer("CommsPort", v.CommsPort)
	if v.PublicHost != "" {
		vals.str("PublicHost", v.PublicHost)
	}
	vals.str("ServiceName", v.ServiceName)
	if v.ServiceAccount != "" {
		vals.str("ServiceAccount", v.ServiceAccount)
	}
	vals.text("SqlServer", v.SQLServer).
		note("The SQL Server as SqlClient's Data Source: the server as written, or").
		note("tcp:server,port for a port answer.").
		str("SqlDataSource", v.SQLDataSource).
		str("SqlDatabase", v.SQLDatabase)
	if v.SQLAuth {
		vals.str("SqlUser", v.SQLUser)
	}
	vals.boolean("SqlEncrypt", v.Encrypt).
		boolean("SqlTrustServerCertificate", v.TrustServerCertificate).
		boolean("SqlMultiSubnetFailover", v.MultiSubnetFailover).
		list("TrustedProxies", v.TrustedProxies)
	if v.Redis {
		vals.str("RedisHost", v.RedisHost).
			integer("RedisPort", v.RedisPort).
			boolean("RedisSsl", v.RedisSSL)
	}
	return vals.str("StorageRoot", v.StorageRoot).
		str("MarkerFileName", v.MarkerFile).
		integer("TaskCap", v.TaskCap).
		text("ScriptFile", v.ScriptFile).
		text("ShowMasterKey", v.ShowMasterKey).
		text("CommsFrom", v.CommsFrom).
		text("TentacleUpdateScript", v.TentacleUpdateScript)
}

// script is a node script with the view's regions.
func (v serverView) script(file string, vals *values, lines map[string][]string) scriptFile {
	return scriptFile{
		file: file,
		flags: map[string]bool{
			"rebuild":          v.Rebuild,
			"drain-on-join":    v.DrainOnJoin,
			"create-database":  v.CreateDatabase,
			"sql-auth":         v.SQLAuth,
			"redis":            v.Redis,
			"public-host":      v.PublicHost != "",
			"polling-comms":    v.PollingComms,
			"task-cap":         v.TaskCap != 0,
			"service-account":  v.ServiceAccount != "",
			"gmsa":             v.GMSA,
			"service-password": v.ServiceAccount != "" && !v.GMSA,
			"computer-account": v.ConnectsAs == steps.LoginComputer,
		},
		values: vals,
		lines:  lines,
	}
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
		Instance:       a.Tentacles.Instance,
		ServiceName:    tentacleServiceName(a.Tentacles.Instance),
		ServerURL:      a.LoadBalancer.PublicURL,
		Space:          a.Tentacles.Space,
		Environments:   a.Tentacles.Environments,
		Roles:          a.Tentacles.Roles,
		Polling:        a.UsesPolling(),
		PollingMode:    a.PollingMode(),
		ShowThumbprint: ShowThumbprintCommand(a),
	}
	switch a.PollingMode() {
	case steps.PollingUniqueAddress: // docs/octopus-facts.md §6.2 A: each node at its own name
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

// script is register-tentacle.ps1 for the view. The param block's
// defaults (environments, roles, space) are values too, named there as
// ${octoha:NAME}, so that -Environments and the others still override them.
func (v tentacleView) script() scriptFile {
	vals := newValues().
		note("Values from the octoha answers file.").
		str("Instance", v.Instance).
		str("ServiceName", v.ServiceName).
		note("--server is the cluster's public web URL, behind the balancer ("+docs.TentacleExe+").").
		str("ServerUrl", v.ServerURL).
		text("PollingMode", v.PollingMode).
		text("ShowThumbprint", v.ShowThumbprint).
		text("Space", v.Space).
		text("FirstHost", v.First.Host).
		number("FirstPort", v.First.Port)
	vals.textList("Environments", v.Environments).textList("Roles", v.Roles)
	// The listening port is digits only, so the script names it inside
	// its messages' strings too.
	vals.number("ListenPort", steps.TentacleListenPort)
	var others []string
	for _, s := range v.Others {
		others = append(others, "Add-PollingServer -CommsHost "+vals.quoted(s.Host).code+" -CommsPort "+Int(s.Port))
	}
	return scriptFile{
		file: "register-tentacle.ps1",
		flags: map[string]bool{
			"polling":            v.Polling,
			"polling-mode-redis": v.PollingMode == steps.PollingRedis,
			"others":             len(v.Others) > 0,
		},
		values: vals,
		lines:  map[string][]string{"Others": others},
	}
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
	// PersistenceFixedIn is the first Octopus build that needs no session
	// persistence (steps.NoAffinityNeeded), for the comments.
	PersistenceFixedIn string
	PollingMode        string
}

func newARRView(a steps.Answers) arrView {
	v := arrView{
		PublicHost:            a.PublicHost(),
		PublicPort:            a.PublicPort(),
		PublicTLS:             a.PublicTLS(),
		CertificateThumbprint: a.LoadBalancer.CertificateThumbprint,
		HealthCheck:           a.LoadBalancer.HealthCheck,
		Persistence:           a.LoadBalancer.Persistence,
		PersistenceFixedIn:    steps.NoAffinityNeeded.Since.String(),
		PollingMode:           a.PollingMode(),
	}
	for i, n := range a.Nodes {
		v.Servers = append(v.Servers, farmServer{Host: n.Host, WebPort: a.NodeWebPort(i)})
	}
	return v
}

// script is configure-arr.ps1 for the view.
func (v arrView) script() scriptFile {
	vals := newValues().
		note("Values from the octoha answers file.").
		line("$Nodes = @(")
	for _, s := range v.Servers {
		vals.line("    @{ Host = " + vals.quoted(s.Host).code + "; WebPort = " + Int(s.WebPort) + " }")
	}
	vals.line(")").
		str("PublicHost", v.PublicHost).
		integer("PublicPort", v.PublicPort).
		boolean("PublicTls", v.PublicTLS)
	if v.PublicTLS {
		vals.str("CertificateThumbprint", v.CertificateThumbprint)
	}
	vals.str("HealthCheckPath", v.HealthCheck).
		text("PersistenceFixedIn", v.PersistenceFixedIn)
	return scriptFile{
		file: "configure-arr.ps1",
		flags: map[string]bool{
			"public-tls":                  v.PublicTLS,
			"persistence-cookie":          v.Persistence == "cookie",
			"persistence-source-ip":       v.Persistence == "source-ip",
			"round-robin":                 v.Persistence != "cookie" && v.Persistence != "source-ip",
			"polling-mode-unique-address": v.PollingMode == steps.PollingUniqueAddress,
			"polling-mode-unique-port":    v.PollingMode == steps.PollingUniquePort,
			"polling-mode-redis":          v.PollingMode == steps.PollingRedis,
			"listening":                   v.PollingMode == "",
		},
		values: vals,
	}
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
