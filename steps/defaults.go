package steps

import (
	"net/url"
	"strconv"
	"strings"
)

// Defaults returns the answers a new cluster starts from: Octopus's own
// defaults (docs/octopus-facts.md §0) and no nodes.
func Defaults() Answers {
	return Answers{
		Version: FileVersion,
		Octopus: Octopus{
			Version:       DefaultOctopusVersion,
			Instance:      "OctopusServer",
			InstallDir:    `C:\Program Files\Octopus Deploy\Octopus`,
			HomeDir:       `C:\Octopus`,
			WebPort:       80,
			CommsPort:     DefaultCommsPort,
			AdminUsername: "admin",
		},
		Database: Database{
			// Port 0: 1433, or the SQL Browser for a named instance
			// (see SQLPort).
			Name:    "Octopus",
			Auth:    AuthWindows,
			Encrypt: true,
			Create:  true,
		},
		LoadBalancer: LoadBalancer{
			Kind:        LBNginx,
			Persistence: PersistenceNone,
			HealthCheck: HealthCheckPath,
		},
		Tentacles: Tentacles{
			Mode:     ModeListening,
			Polling:  PollingUniqueAddress,
			BasePort: DefaultCommsPort,
			Instance: "Tentacle",
			Redis:    Redis{Port: 6379, SSL: true},
		},
	}
}

// fillDefaults puts a default into every field a file left empty where
// empty has no meaning of its own. Node ports stay 0: they are derived.
func (a *Answers) fillDefaults() {
	d := Defaults()
	if strings.TrimSpace(string(a.Octopus.Version)) == "" {
		a.Octopus.Version = d.Octopus.Version
	}
	setString(&a.Octopus.Instance, d.Octopus.Instance)
	setString(&a.Octopus.InstallDir, d.Octopus.InstallDir)
	setString(&a.Octopus.HomeDir, d.Octopus.HomeDir)
	setString(&a.Octopus.AdminUsername, d.Octopus.AdminUsername)
	setInt(&a.Octopus.WebPort, d.Octopus.WebPort)
	setInt(&a.Octopus.CommsPort, d.Octopus.CommsPort)
	setString(&a.Database.Name, d.Database.Name)
	setString(&a.Database.Auth, d.Database.Auth)
	setString(&a.LoadBalancer.Kind, d.LoadBalancer.Kind)
	setString(&a.LoadBalancer.Persistence, d.LoadBalancer.Persistence)
	setString(&a.LoadBalancer.HealthCheck, d.LoadBalancer.HealthCheck)
	setString(&a.Tentacles.Mode, d.Tentacles.Mode)
	setString(&a.Tentacles.Polling, d.Tentacles.Polling)
	setInt(&a.Tentacles.BasePort, d.Tentacles.BasePort)
	setString(&a.Tentacles.Instance, d.Tentacles.Instance)
	setInt(&a.Tentacles.Redis.Port, d.Tentacles.Redis.Port)
}

func setString(v *string, def string) {
	if strings.TrimSpace(*v) == "" {
		*v = def
	}
}

func setInt(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

// UsesPolling reports whether tentacles poll the cluster.
func (a *Answers) UsesPolling() bool { return a.Tentacles.Mode == ModePolling }

// PollingMode is the way polling tentacles reach nodes, or "" for listening.
func (a *Answers) PollingMode() string {
	if !a.UsesPolling() {
		return ""
	}
	return a.Tentacles.Polling
}

// PollsEveryNode reports whether each polling tentacle holds one address
// per node (unique-address and unique-port, docs/octopus-facts.md §6.2), so adding or
// removing a node changes every tentacle. Listening tentacles are reached
// by the nodes; with Redis (§6.5) tentacles poll one address.
func (a *Answers) PollsEveryNode() bool {
	switch a.PollingMode() {
	case PollingUniqueAddress, PollingUniquePort:
		return true
	}
	return false
}

// AgentsPollEveryNode reports whether a Kubernetes agent polls each node
// at its own address. An agent always polls ("Polling Tentacles and
// Kubernetes agents ... poll", FACTS.md), so it does with listening
// Tentacles too; only Redis polling (§6.5) gives it one address.
func (a *Answers) AgentsPollEveryNode() bool { return !a.UsesRedis() }

// PollsOneAddress reports whether polling tentacles poll one address (the
// balancer's) for every node: unique-port and redis polling.
func (a *Answers) PollsOneAddress() bool {
	switch a.PollingMode() {
	case PollingUniquePort, PollingRedis:
		return true
	}
	return false
}

// UsesUniquePorts reports unique-port polling: one address forwards a port
// per node.
func (a *Answers) UsesUniquePorts() bool { return a.PollingMode() == PollingUniquePort }

// UsesRedis reports multi-node polling through Redis (docs/octopus-facts.md §6.5).
func (a *Answers) UsesRedis() bool { return a.PollingMode() == PollingRedis }

// PollingForward is one port the balancer forwards on the polling address.
type PollingForward struct {
	// Port is the port on the polling address.
	Port int
	// Node is the index of the node the port reaches, or -1 for a port
	// balanced over every node.
	Node int
}

// PollingForwards are the ports the balancer forwards on the polling
// address: for unique-port polling each node's own comms port, to that
// node (docs/octopus-facts.md §6.2 B), which stays put when other nodes leave; for
// Redis polling tentacles.basePort, balanced over every node (§6.5); none
// otherwise.
func (a *Answers) PollingForwards() []PollingForward {
	switch a.PollingMode() {
	case PollingUniquePort:
		out := make([]PollingForward, len(a.Nodes))
		for i := range a.Nodes {
			out[i] = PollingForward{Port: a.NodeCommsPort(i), Node: i}
		}
		return out
	case PollingRedis:
		return []PollingForward{{Port: a.Tentacles.BasePort, Node: -1}}
	}
	return nil
}

// NodeWebPort is node i's HTTP port: its own, else octopus.webPort.
func (a *Answers) NodeWebPort(i int) int {
	if p := a.Nodes[i].WebPort; p != 0 {
		return p
	}
	return a.Octopus.WebPort
}

// ExpectedCommsPort is the comms port node i must listen on: basePort+i for
// unique-port polling, where one address forwards a port per node
// (docs/octopus-facts.md §6.2 B), else octopus.commsPort.
func (a *Answers) ExpectedCommsPort(i int) int {
	if a.UsesUniquePorts() {
		return a.Tentacles.BasePort + i
	}
	return a.Octopus.CommsPort
}

// NodeCommsPort is node i's comms port: its own when set, else the expected
// one. Validation reports an explicit value that differs from the expected.
func (a *Answers) NodeCommsPort(i int) int {
	if p := a.Nodes[i].CommsPort; p != 0 {
		return p
	}
	return a.ExpectedCommsPort(i)
}

// PublicHost is the host name in loadBalancer.publicUrl, or "" when the URL
// does not parse.
func (a *Answers) PublicHost() string {
	u, err := url.Parse(a.LoadBalancer.PublicURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// PublicPort is the port users reach the balancer on: the URL's own, else
// HTTPSPort for https and HTTPPort for http.
func (a *Answers) PublicPort() int {
	u, err := url.Parse(a.LoadBalancer.PublicURL)
	if err != nil {
		return 0
	}
	if p := u.Port(); p != "" {
		n, _ := strconv.Atoi(p)
		return n
	}
	if strings.EqualFold(u.Scheme, "https") {
		return HTTPSPort
	}
	return HTTPPort
}

// PublicTLS reports whether users reach the balancer over https.
func (a *Answers) PublicTLS() bool {
	u, err := url.Parse(a.LoadBalancer.PublicURL)
	return err == nil && strings.EqualFold(u.Scheme, "https")
}

// PollingAddress is the one name unique-port and redis tentacles poll.
func (a *Answers) PollingAddress() string {
	if a.Tentacles.PollingAddress != "" {
		return a.Tentacles.PollingAddress
	}
	return a.PublicHost()
}

// SharedFolder is one cluster-shared folder: its `path` flag and where it
// lives.
type SharedFolder struct {
	// Label is the admin's word for it; Flag is the Octopus.Server.exe path
	// flag (docs/octopus-facts.md §3.1).
	Label, Flag string
	// Field is the answer's field path (FieldStorageArtifacts, ...).
	Field string
	// Path is the answer as given, "" when it falls under the root.
	Path string
	// Effective is where the folder ends up: Path, or Root\Default.
	Effective string
}

// SharedFolders lists the folders Octopus keeps on shared storage, with
// the sub-folder names the Octopus docs use under --clusterShared.
func (a *Answers) SharedFolders() []SharedFolder {
	s := a.Storage
	list := []SharedFolder{
		{Label: "Artifacts", Flag: "--artifacts", Field: FieldStorageArtifacts, Path: s.Artifacts},
		{Label: "Task logs", Flag: "--taskLogs", Field: FieldStorageTaskLogs, Path: s.TaskLogs},
		{Label: "Packages", Flag: "--nugetRepository", Field: FieldStoragePackages, Path: s.Packages},
		{Label: "Imports", Flag: "--imports", Field: FieldStorageImports, Path: s.Imports},
		{Label: "Event exports", Flag: "--eventExports", Field: FieldStorageEventExports, Path: s.EventExports},
	}
	defaults := []string{"Artifacts", "TaskLogs", "Packages", "Imports", "EventExports"}
	for i := range list {
		list[i].Effective = list[i].Path
		if list[i].Path == "" {
			list[i].Effective = JoinWindowsPath(s.Root, defaults[i])
		}
	}
	return list
}

// StorageAnswer is one storage answer and its field path.
type StorageAnswer struct{ Field, Path string }

// StorageAnswers lists storage.root and every sub-folder answer, in the
// order of the answers file, empty ones included.
func (a *Answers) StorageAnswers() []StorageAnswer {
	out := []StorageAnswer{{FieldStorageRoot, a.Storage.Root}}
	for _, f := range a.SharedFolders() {
		out = append(out, StorageAnswer{f.Field, f.Path})
	}
	return out
}

// JoinWindowsPath joins a Windows directory and a name with one backslash.
func JoinWindowsPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return strings.TrimRight(dir, `\/`) + `\` + name
}

// ServerExe is Octopus.Server.exe in octopus.installDir, where the node
// scripts run it (common.ps1 joins the same two at run time), for the
// commands octoha prints for an admin.
func (a *Answers) ServerExe() string {
	return JoinWindowsPath(a.Octopus.InstallDir, "Octopus.Server.exe")
}

// ServiceName is the Windows service Octopus installs for the instance
// (docs/octopus-facts.md §0: "OctopusDeploy" for OctopusServer, else
// "OctopusDeploy: <name>").
func (a *Answers) ServiceName() string {
	if a.Octopus.Instance == "OctopusServer" {
		return "OctopusDeploy"
	}
	return "OctopusDeploy: " + a.Octopus.Instance
}
