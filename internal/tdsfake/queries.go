package tdsfake

import (
	"fmt"
	"strings"
	"time"
)

// sqlError is an error the fake reports as a SQL Server ERROR token.
type sqlError struct {
	number int32
	msg    string
}

func (e *sqlError) Error() string { return e.msg }

// The statements the fake knows, copied from validate/dbprobe/queries.go
// on purpose rather than imported: if the probe's SQL changes, the fake
// answers with an error until someone looks at the change here too.
// Whitespace is normalised before comparing.
const (
	qServerFacts     = `SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS ProductVersion, CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS Edition, CAST(SERVERPROPERTY('EngineEdition') AS int) AS EngineEdition, CAST(SERVERPROPERTY('IsClustered') AS int) AS IsClustered, CAST(SERVERPROPERTY('IsHadrEnabled') AS int) AS IsHadrEnabled, CAST(SERVERPROPERTY('ServerName') AS nvarchar(256)) AS ServerName, IS_SRVROLEMEMBER('sysadmin') AS IsSysadmin, HAS_PERMS_BY_NAME(NULL, NULL, 'CREATE ANY DATABASE') AS CanCreateDatabase`
	qDatabases       = `SELECT name, collation_name FROM sys.databases`
	qListeners       = `SELECT ag.name AS GroupName, l.dns_name AS DnsName, l.port AS Port FROM sys.availability_group_listeners AS l JOIN sys.availability_groups AS ag ON ag.group_id = l.group_id`
	qAGDatabases     = `SELECT ag.name AS GroupName, adc.database_name AS DatabaseName FROM sys.availability_databases_cluster AS adc JOIN sys.availability_groups AS ag ON ag.group_id = adc.group_id`
	qCurrentDatabase = `SELECT DB_NAME() AS DatabaseName, CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS nvarchar(128)) AS Collation, IS_ROLEMEMBER('db_owner') AS IsDbOwner`
	qNodeColumns     = `SELECT name FROM sys.columns WHERE object_id = OBJECT_ID(N'dbo.OctopusServerNode')`
	qNodesPrefix     = `SELECT `
	qNodesSuffix     = ` FROM dbo.OctopusServerNode ORDER BY [Name]`
)

func normalise(sql string) string { return strings.Join(strings.Fields(sql), " ") }

func (s *FakeServer) query(c *conn, sql string) (resultSet, error) {
	sv := s.cfg.Server
	switch q := normalise(sql); q {
	case "select 1;", "select 1": // database/sql's ping
		return resultSet{cols: []column{intCol("")}, rows: [][]any{{1}}}, nil
	case qServerFacts:
		var hadr any
		if sv.IsHadrEnabled != nil {
			hadr = boolInt(*sv.IsHadrEnabled)
		}
		return resultSet{
			cols: []column{nvarcharCol("ProductVersion"), nvarcharCol("Edition"), intCol("EngineEdition"),
				intCol("IsClustered"), intCol("IsHadrEnabled"), nvarcharCol("ServerName"), intCol("IsSysadmin"), intCol("CanCreateDatabase")},
			rows: [][]any{{sv.ProductVersion, sv.Edition, sv.EngineEdition, boolInt(sv.IsClustered), hadr,
				sv.ServerName, boolInt(sv.Sysadmin), boolInt(sv.CreateAnyDatabase || sv.Sysadmin)}},
		}, nil
	case qDatabases:
		rs := resultSet{cols: []column{nvarcharCol("name"), nvarcharCol("collation_name")}}
		rs.rows = append(rs.rows, []any{"master", "SQL_Latin1_General_CP1_CI_AS"})
		for _, db := range s.cfg.Databases {
			rs.rows = append(rs.rows, []any{db.Name, db.Collation})
		}
		return rs, nil
	case qListeners:
		rs := resultSet{cols: []column{nvarcharCol("GroupName"), nvarcharCol("DnsName"), intCol("Port")}}
		for _, l := range sv.Listeners {
			rs.rows = append(rs.rows, []any{l.Group, l.DNSName, l.Port})
		}
		return rs, nil
	case qAGDatabases:
		rs := resultSet{cols: []column{nvarcharCol("GroupName"), nvarcharCol("DatabaseName")}}
		for _, d := range sv.AGDatabases {
			rs.rows = append(rs.rows, []any{d.Group, d.Database})
		}
		return rs, nil
	case qCurrentDatabase:
		collation, owner := "SQL_Latin1_General_CP1_CI_AS", sv.Sysadmin
		if db := s.database(c.database); db != nil {
			collation, owner = db.Collation, db.Owner || sv.Sysadmin
		}
		return resultSet{
			cols: []column{nvarcharCol("DatabaseName"), nvarcharCol("Collation"), intCol("IsDbOwner")},
			rows: [][]any{{c.database, collation, boolInt(owner)}},
		}, nil
	case qNodeColumns:
		rs := resultSet{cols: []column{nvarcharCol("name")}}
		if t := s.nodeTable(c); t != nil {
			for _, col := range t.columns() {
				rs.rows = append(rs.rows, []any{col})
			}
		}
		return rs, nil
	default:
		if strings.HasPrefix(q, qNodesPrefix) && strings.HasSuffix(q, qNodesSuffix) {
			return s.nodes(c, strings.TrimSuffix(strings.TrimPrefix(q, qNodesPrefix), qNodesSuffix))
		}
	}
	return resultSet{}, &sqlError{number: 50000, msg: "tdsfake: unknown query: " + sql}
}

func (s *FakeServer) nodeTable(c *conn) *NodeTable {
	if db := s.database(c.database); db != nil {
		return db.Nodes
	}
	return nil
}

func (t *NodeTable) columns() []string {
	if t.Columns == nil {
		return AllNodeColumns
	}
	return t.Columns
}

func (t *NodeTable) has(col string) bool {
	for _, c := range t.columns() {
		if c == col {
			return true
		}
	}
	return false
}

// nodeExprs are the select-list items the nodes query may use, each with
// the column it needs and how to read a row's value.
var nodeExprs = []struct {
	expr, column string
	col          column
	value        func(Node) any
}{
	{"[Id]", "Id", nvarcharCol("Id"), func(n Node) any { return n.ID }},
	{"[Name]", "Name", nvarcharCol("Name"), func(n Node) any { return n.Name }},
	{"[LastSeen]", "LastSeen", datetimeCol("LastSeen"), func(n Node) any { return n.LastSeen }},
	{"DATEDIFF(SECOND, [LastSeen], SYSDATETIMEOFFSET()) AS SecondsSinceSeen", "LastSeen", intCol("SecondsSinceSeen"),
		func(n Node) any { return int(time.Since(n.LastSeen) / time.Second) }},
	{"[MaxConcurrentTasks]", "MaxConcurrentTasks", intCol("MaxConcurrentTasks"), func(n Node) any { return n.MaxConcurrentTasks }},
	{"[IsInMaintenanceMode]", "IsInMaintenanceMode", bitCol("IsInMaintenanceMode"), func(n Node) any { return n.IsInMaintenanceMode }},
}

// nodes answers SELECT <list> FROM dbo.OctopusServerNode, where the list
// is made of nodeExprs items; a missing table or column fails as SQL
// Server fails it (errors 208 and 207).
func (s *FakeServer) nodes(c *conn, list string) (resultSet, error) {
	t := s.nodeTable(c)
	if t == nil {
		return resultSet{}, &sqlError{number: 208, msg: "Invalid object name 'dbo.OctopusServerNode'."}
	}
	var rs resultSet
	var values []func(Node) any
	for list != "" {
		found := false
		for _, e := range nodeExprs {
			if rest, ok := strings.CutPrefix(list, e.expr); ok && (rest == "" || strings.HasPrefix(rest, ", ")) {
				if !t.has(e.column) {
					return resultSet{}, &sqlError{number: 207, msg: fmt.Sprintf("Invalid column name '%s'.", e.column)}
				}
				rs.cols = append(rs.cols, e.col)
				values = append(values, e.value)
				list = strings.TrimPrefix(rest, ", ")
				found = true
				break
			}
		}
		if !found {
			return resultSet{}, &sqlError{number: 50000, msg: "tdsfake: unknown select-list item in: " + list}
		}
	}
	for _, n := range t.Rows {
		row := make([]any, len(values))
		for i, v := range values {
			row[i] = v(n)
		}
		rs.rows = append(rs.rows, row)
	}
	return rs, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
