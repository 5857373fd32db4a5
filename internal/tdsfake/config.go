// Package tdsfake is a fake SQL Server for tests: it speaks enough TDS for
// github.com/microsoft/go-mssqldb (PRELOGIN, TLS inside TDS, LOGIN7, SQL
// batches) and answers the database probe's queries from canned facts.
// A query it does not know gets a SQL error, so a change to the probe's SQL
// shows up as a failing test rather than a silent pass.
//
// It listens on 127.0.0.1 only. It is test support: nothing in the octoha
// binary imports it.
package tdsfake

import "time"

// Encryption is what the fake says in its PRELOGIN answer.
type Encryption int

const (
	// EncryptionOptional is SQL Server's default: a client that asks for
	// encryption gets it; one that does not gets only its login packet
	// encrypted.
	EncryptionOptional Encryption = iota
	// EncryptionNotSupported is a server without a certificate.
	EncryptionNotSupported
	// EncryptionRequired is "Force Encryption" with the fake's self-signed
	// certificate.
	EncryptionRequired
)

// Config is the fake server's behaviour and the facts it reports.
type Config struct {
	Encryption Encryption
	// Login and Password, when Login is set, are the only SQL login that
	// gets in; anything else fails with error 18456.
	Login, Password string
	// RefuseLogins fails every login with 18456.
	RefuseLogins bool
	// Hang accepts connections and never answers.
	Hang bool
	// Hold delays the answer to every login by this long (for
	// concurrency tests).
	Hold time.Duration
	// Instances is what the fake SQL Browser (UDP) lists: instance name →
	// TCP port, where 0 means the fake's own port. Nil means no browser is
	// started.
	Instances map[string]int

	Server    Server
	Databases []Database
}

// Server is what SERVERPROPERTY and the server catalog report.
type Server struct {
	ProductVersion string // e.g. "16.0.4135.4"
	Edition        string // e.g. "Standard Edition (64-bit)"
	EngineEdition  int    // 2 Standard, 3 Enterprise, 4 Express, 5 Azure SQL Database, 8 Managed Instance
	ServerName     string
	IsClustered    bool
	// IsHadrEnabled nil reports NULL, as editions without AlwaysOn do.
	IsHadrEnabled *bool
	// Sysadmin and CreateAnyDatabase are the login's server-level rights.
	Sysadmin          bool
	CreateAnyDatabase bool
	Listeners         []Listener
	AGDatabases       []AGDatabase
}

// Listener is a row of sys.availability_group_listeners.
type Listener struct {
	Group, DNSName string
	Port           int
}

// AGDatabase is a database in an availability group.
type AGDatabase struct {
	Group, Database string
}

// Database is one database on the fake server.
type Database struct {
	Name      string
	Collation string
	// NoAccess makes a login that names this database fail with 4060, as
	// SQL Server does when the login has no user in it.
	NoAccess bool
	// Owner is IS_ROLEMEMBER('db_owner') for the login.
	Owner bool
	// Nodes is dbo.OctopusServerNode; nil means the table does not exist.
	Nodes *NodeTable
}

// NodeTable is dbo.OctopusServerNode.
type NodeTable struct {
	// Columns present; nil means all of AllNodeColumns.
	Columns []string
	Rows    []Node
}

// AllNodeColumns are the columns docs/octopus-facts.md §4.5 lists for the nodes table.
var AllNodeColumns = []string{"Id", "Name", "LastSeen", "MaxConcurrentTasks", "IsInMaintenanceMode"}

// Node is one row of dbo.OctopusServerNode.
type Node struct {
	ID, Name            string
	LastSeen            time.Time
	MaxConcurrentTasks  int
	IsInMaintenanceMode bool
}

// Typical is a healthy SQL Server 2022 Standard with an empty Octopus
// database that the login owns and may create databases on.
func Typical() Config {
	return Config{
		Server: Server{
			ProductVersion:    "16.0.4135.4",
			Edition:           "Standard Edition (64-bit)",
			EngineEdition:     2,
			ServerName:        "SQL01",
			CreateAnyDatabase: true,
		},
		Databases: []Database{{Name: "Octopus", Collation: "Latin1_General_CI_AS", Owner: true}},
	}
}

// Bool is a helper for Server.IsHadrEnabled.
func Bool(b bool) *bool { return &b }
