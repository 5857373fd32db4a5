// Package winsim runs octoha's emitted PowerShell for real, in a real
// PowerShell, on machines simulated on this one: each machine has its own
// C: to F: drives (PowerShell drives over folders), its own services,
// firewall and Octopus instances, kept in a state file; the UNC shares are
// folders every machine sees; Octopus.Server.exe, Tentacle.exe and sc.exe
// are stand-ins that record their arguments and change that state the way
// the real tools do, as far as octoha's scripts rely on it; and a loopback
// web API answers the Octopus endpoints the scripts call.
//
// It proves that a script runs to its end under Set-StrictMode, that
// -WhatIf changes nothing, that a second run skips what is done and that
// each .exe gets the arguments it should. It does not prove Windows-only
// behaviour: services, the firewall, IIS, SMB permissions, Windows
// PowerShell 5.1's own cmdlets and .NET Framework types.
package winsim

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Machine is one simulated Windows machine's state, kept in its
// state.json. Only the stand-ins and the web API change it; tests read it.
type Machine struct {
	// Name is the machine's COMPUTERNAME.
	Name string
	// Drives maps a drive letter to the folder that stands for it.
	Drives map[string]string
	// Versions are the FileVersion of each installed .exe, by file name.
	Versions map[string]string
	Server   map[string]*ServerInstance
	Tentacle map[string]*TentacleInstance
	Services map[string]*Service
	Firewall []FirewallRule
	// Fail lists commands that exit 1 on request ("Octopus.Server.exe
	// database"), to test a run that stops half way.
	Fail []string
	// Inert lists commands that exit 0 on request but change nothing, to
	// test that a script checks a command's outcome, not only its exit code.
	Inert []string
	// Domain is the NetBIOS name of the machine's domain ("CORP" when
	// empty): its computer account is Domain\Name$.
	Domain string
}

// ServerInstance is one Octopus Server instance's configuration.
type ServerInstance struct {
	Config, Home, NodeName string
	ConnectionString       string
	MasterKey              string
	WebListenPrefixes      string
	CommsListenPort        string
	WebForceSSL            string
	TrustedProxies         string
	RedisConnectionString  string
	TaskCap                string
}

// TentacleInstance is one Tentacle instance's configuration.
type TentacleInstance struct {
	Config, Home, App string
	Thumbprint        string
	Port              string
	NoListen          bool
	Trusted           []TrustedServer
}

// TrustedServer is one server a Tentacle trusts; Address is set for a
// polling Tentacle.
type TrustedServer struct {
	Thumbprint string
	Address    string `json:",omitempty"`
}

// FirewallRule is one Windows Firewall rule, as New-NetFirewallRule made it.
type FirewallRule struct {
	Name, DisplayName, Direction, Protocol, Action string
	LocalPort                                      []string
}

// Service is one Windows service.
type Service struct {
	Status    string // Running or Stopped
	StartType string // Automatic or Disabled
	Account   string
	// Instance is the instance the service runs, for Octopus and Tentacle.
	Instance string
	Tool     string
}

// Cluster is the state every machine shares: the SQL Server databases,
// the spaces and the targets registered with the cluster.
type Cluster struct {
	Databases map[string]*Database
	// Spaces are the cluster's spaces; a world starts with the one default
	// space, Spaces-1 "Default", as a new Octopus Server does.
	Spaces []Space
	// Machines are the deployment targets registered with register-with,
	// by name (a test world keeps every name unique across its spaces).
	Machines map[string]*Target
	// Redis are the Redis servers the nodes can reach, by host:port.
	Redis map[string]*RedisServer
	// MaintenanceMode is what GET /api/maintenanceconfiguration reports
	// and PUT sets (IsInMaintenanceMode).
	MaintenanceMode bool
}

// RedisServer is one Redis server of the world.
type RedisServer struct {
	Password string
	SSL      bool
}

// Space is one Octopus space, as GET /api/spaces/all lists it.
type Space struct {
	Id, Name  string
	IsDefault bool
}

// Database is one Octopus database.
type Database struct {
	// Schema says the Octopus schema is in it (database --create or
	// --upgrade made it); a database a DBA made for Octopus has none yet.
	Schema bool
	// SchemaVersion is the Octopus version whose Octopus.Server.exe last
	// made or upgraded the schema ("" before any did).
	SchemaVersion string
	MasterKey     string
	// Grants are the Windows logins database --grant made db_owner.
	Grants  []string
	Admins  []string
	Licence string
	// Paths are the path command's flags and values.
	Paths map[string]string
	// Nodes are the node rows, by node name.
	Nodes map[string]*NodeRow
}

// NodeRow is one row of the database's node table.
type NodeRow struct {
	Drain bool
	// RunningTasks is what the node summary reports.
	RunningTasks int
	TaskCap      string
}

// Target is one registered deployment target: what register-with sets,
// or what an admin changed in the portal since.
type Target struct {
	Thumbprint   string
	Style        string
	Address      string
	Environments []string
	Roles        []string
	// Space is the name of the space it is registered in.
	Space      string
	Tenants    []string `json:",omitempty"`
	TenantTags []string `json:",omitempty"`
	// TenantedDeploymentParticipation is Untenanted, TenantedOrUntenanted
	// or Tenanted.
	TenantedDeploymentParticipation string
}

// serviceName is the Windows service name of an instance: Octopus names
// the default instance's service without the instance, others with it.
func serviceName(tool, instance string) string {
	if tool == toolServer {
		if instance == "OctopusServer" {
			return "OctopusDeploy"
		}
		return "OctopusDeploy: " + instance
	}
	if instance == "Tentacle" {
		return "OctopusDeploy Tentacle"
	}
	return "OctopusDeploy Tentacle: " + instance
}

// masterKey is the key database --create makes for a database: made from
// its name, so runs of the same answers get the same key.
func masterKey(db string) string {
	sum := sha256.Sum256([]byte("master key " + db))
	return base64.StdEncoding.EncodeToString(sum[:16])
}

// thumbprint is a certificate thumbprint made from what it names.
func thumbprint(of string) string {
	sum := sha1.Sum([]byte(of))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// readJSON reads path into v; a missing file leaves v as it is.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// writeJSON writes v to path atomically, so a reader never sees half.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".state-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// LoadMachine reads the state of the machine in dir.
func LoadMachine(dir string) (*Machine, error) {
	m := &Machine{}
	if err := readJSON(filepath.Join(dir, "state.json"), m); err != nil {
		return nil, fmt.Errorf("machine state in %s: %w", dir, err)
	}
	if m.Server == nil {
		m.Server = map[string]*ServerInstance{}
	}
	if m.Tentacle == nil {
		m.Tentacle = map[string]*TentacleInstance{}
	}
	if m.Services == nil {
		m.Services = map[string]*Service{}
	}
	return m, nil
}

// save writes the machine's state to dir.
func (m *Machine) save(dir string) error { return writeJSON(filepath.Join(dir, "state.json"), m) }

// LoadCluster reads the shared state of the world in dir.
func LoadCluster(dir string) (*Cluster, error) {
	c := &Cluster{}
	if err := readJSON(filepath.Join(dir, "cluster.json"), c); err != nil {
		return nil, fmt.Errorf("cluster state in %s: %w", dir, err)
	}
	if c.Databases == nil {
		c.Databases = map[string]*Database{}
	}
	if c.Machines == nil {
		c.Machines = map[string]*Target{}
	}
	if c.Redis == nil {
		c.Redis = map[string]*RedisServer{}
	}
	if c.Spaces == nil {
		c.Spaces = []Space{{Id: "Spaces-1", Name: "Default", IsDefault: true}}
	}
	return c, nil
}

func (c *Cluster) save(dir string) error { return writeJSON(filepath.Join(dir, "cluster.json"), c) }

// space is the space register-with and the API take name for: by name,
// trimmed and in any case, or the default space for "" (OctopusTentacle
// SpaceRepositoryFactory.CreateSpaceRepository).
func (c *Cluster) space(name string) (Space, error) {
	for _, sp := range c.Spaces {
		if name == "" && sp.IsDefault || name != "" && strings.EqualFold(strings.TrimSpace(sp.Name), name) {
			return sp, nil
		}
	}
	if name == "" {
		return Space{}, fmt.Errorf(`No "space" was specified, and the default space is disabled or inaccessible to this user. Please select a space using the "space" parameter.`)
	}
	return Space{}, fmt.Errorf(`A space with name "%s" could not be found. Ensure you have spelled the space name correctly and that the user has access to this space.`, name)
}

// machineNamed is the key of the target named name in the space, matched
// as Octopus.Client's FindByName does (trimmed, in any case), or "".
func (c *Cluster) machineNamed(space, name string) string {
	for key, t := range c.Machines {
		if strings.EqualFold(t.Space, space) && strings.EqualFold(strings.TrimSpace(key), strings.TrimSpace(name)) {
			return key
		}
	}
	return ""
}

// filePath maps a Windows path to a folder here: a UNC path to the
// world's share, any other to the machine's drive.
func (m *Machine) filePath(windows string) (string, bool) {
	if dir, err := UNCFolder(windows); err == nil {
		return dir, true
	}
	return m.localPath(windows)
}

// localPath maps a Windows path on one of the machine's drives to the
// folder that stands for it; ok is false for any other path.
func (m *Machine) localPath(windows string) (string, bool) {
	if len(windows) < 2 || windows[1] != ':' {
		return "", false
	}
	root, ok := m.Drives[strings.ToUpper(windows[:1])]
	if !ok {
		return "", false
	}
	rest := strings.ReplaceAll(windows[2:], `\`, "/")
	return filepath.Join(root, filepath.FromSlash(rest)), true
}

// failing says whether the machine was told to fail this command.
func (m *Machine) failing(tool, command string) bool {
	return slices.Contains(m.Fail, tool+" "+command)
}

// firewallRule is the machine's firewall rule called name, or nil.
func (m *Machine) firewallRule(name string) *FirewallRule {
	for i := range m.Firewall {
		if m.Firewall[i].Name == name {
			return &m.Firewall[i]
		}
	}
	return nil
}

// inert says whether the machine was told to make this command a no-op.
func (m *Machine) inert(tool, command string) bool {
	return slices.Contains(m.Inert, tool+" "+command)
}

// ComputerAccount is the machine's account in its domain, as which a
// service running as Local System reaches a remote SQL Server.
func (m *Machine) ComputerAccount() string {
	domain := m.Domain
	if domain == "" {
		domain = "CORP"
	}
	return domain + `\` + m.Name + "$"
}

// opens says whether a node with this configuration can open the
// database: it has the Octopus schema and the node has its master key.
func (db *Database) opens(in *ServerInstance) bool {
	return db != nil && db.Schema && db.MasterKey == in.MasterKey
}
