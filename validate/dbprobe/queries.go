package dbprobe

import "strings"

// Every SQL statement the probe sends lives in this file so it can be
// reviewed in one place. All of them only read.
//
// Written for SQL Server 2016 (13.x) through SQL Server 2025 (17.x), the
// versions Octopus accepts (docs/octopus-facts.md §4.1), and checked against the
// catalog views as documented for those versions: SERVERPROPERTY
// ('IsHadrEnabled', 2012+), sys.availability_* views (2012+),
// IS_ROLEMEMBER (2012+), SYSDATETIMEOFFSET (2008+). They also run on older
// servers far enough for the probe to report the version as too old.
// Only the fake server in internal/tdsfake checks them in this repository,
// never a real SQL Server; see README.md.
//
// The statements take no parameters: parameterised queries go out as RPC
// packets, which the fake does not speak (test-infra §2). None embeds a
// value from the answers either: the database name travels in the login
// packet (the connection's database), and lists are matched in Go.

// serverFactsQuery reads the server's version, edition, HA mode and the
// login's server-level rights. CASTs keep SERVERPROPERTY values out of
// sql_variant. IsHadrEnabled is NULL where AlwaysOn does not apply.
const serverFactsQuery = `SELECT
  CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS ProductVersion,
  CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS Edition,
  CAST(SERVERPROPERTY('EngineEdition') AS int) AS EngineEdition,
  CAST(SERVERPROPERTY('IsClustered') AS int) AS IsClustered,
  CAST(SERVERPROPERTY('IsHadrEnabled') AS int) AS IsHadrEnabled,
  CAST(SERVERPROPERTY('ServerName') AS nvarchar(256)) AS ServerName,
  IS_SRVROLEMEMBER('sysadmin') AS IsSysadmin,
  HAS_PERMS_BY_NAME(NULL, NULL, 'CREATE ANY DATABASE') AS CanCreateDatabase`

// databasesQuery lists the databases the login can see (VIEW ANY DATABASE
// is granted to public by default), to tell a missing database from one
// the login cannot open.
const databasesQuery = `SELECT name, collation_name FROM sys.databases`

// listenersQuery lists the AlwaysOn availability group listeners; only run
// when IsHadrEnabled is 1.
const listenersQuery = `SELECT ag.name AS GroupName, l.dns_name AS DnsName, l.port AS Port
FROM sys.availability_group_listeners AS l
JOIN sys.availability_groups AS ag ON ag.group_id = l.group_id`

// agDatabasesQuery lists which databases belong to which availability
// group; only run when IsHadrEnabled is 1.
const agDatabasesQuery = `SELECT ag.name AS GroupName, adc.database_name AS DatabaseName
FROM sys.availability_databases_cluster AS adc
JOIN sys.availability_groups AS ag ON ag.group_id = adc.group_id`

// currentDatabaseQuery runs on a connection opened on the Octopus
// database: its collation and whether the login is db_owner there.
const currentDatabaseQuery = `SELECT
  DB_NAME() AS DatabaseName,
  CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS nvarchar(128)) AS Collation,
  IS_ROLEMEMBER('db_owner') AS IsDbOwner`

// nodeColumnsQuery feature-detects dbo.OctopusServerNode: no rows means no
// table (a database that Octopus has not set up yet). The column list is
// from an old Octopus 3.x schema (docs/octopus-facts.md §4.5), so each is optional.
const nodeColumnsQuery = `SELECT name FROM sys.columns WHERE object_id = OBJECT_ID(N'dbo.OctopusServerNode')`

// nodeColumnExpr is what the nodes query selects for each known column,
// in order. LastSeen also brings its age measured by the SQL Server's own
// clock, so the jump box's clock does not matter.
var nodeColumnExpr = []struct{ column, expr string }{
	{"Id", "[Id]"},
	{"Name", "[Name]"},
	{"LastSeen", "[LastSeen], DATEDIFF(SECOND, [LastSeen], SYSDATETIMEOFFSET()) AS SecondsSinceSeen"},
	{"MaxConcurrentTasks", "[MaxConcurrentTasks]"},
	{"IsInMaintenanceMode", "[IsInMaintenanceMode]"},
}

// nodesQuery selects the known columns present in the table; have says
// which are. Id and Name must be among them.
func nodesQuery(have map[string]bool) string {
	var exprs []string
	for _, c := range nodeColumnExpr {
		if have[c.column] {
			exprs = append(exprs, c.expr)
		}
	}
	return "SELECT " + strings.Join(exprs, ", ") + " FROM dbo.OctopusServerNode ORDER BY [Name]"
}
