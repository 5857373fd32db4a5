package steps

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestParseSQLServer(t *testing.T) {
	cases := []struct {
		server     string
		port       int
		want       SQLServer
		dataSource string
		tcpPort    int
	}{
		{"sql01.corp.local", 0, SQLServer{Host: "sql01.corp.local"}, "sql01.corp.local", 1433},
		{"sql01.corp.local", 1433, SQLServer{Host: "sql01.corp.local", Port: 1433}, "tcp:sql01.corp.local,1433", 1433},
		{`sql01\OCTOPUS`, 0, SQLServer{Host: "sql01", Instance: "OCTOPUS"}, `sql01\OCTOPUS`, 0},
		{"sql01,1433", 0, SQLServer{Host: "sql01", Port: 1433}, "tcp:sql01,1433", 1433},
		{"tcp:sql01,1433", 0, SQLServer{Host: "sql01", Port: 1433, TCP: true}, "tcp:sql01,1433", 1433},
		{`tcp:AGListener`, 0, SQLServer{Host: "AGListener", TCP: true}, "tcp:AGListener", 1433},
		{`TCP:sql01\INST,14330`, 0, SQLServer{Host: "sql01", Instance: "INST", Port: 14330, TCP: true}, `tcp:sql01\INST,14330`, 14330},
		{`sql01\INST`, 14330, SQLServer{Host: "sql01", Instance: "INST", Port: 14330}, `tcp:sql01\INST,14330`, 14330},
		// The same port in both places says one thing.
		{"sql01,1433", 1433, SQLServer{Host: "sql01", Port: 1433}, "tcp:sql01,1433", 1433},
	}
	for _, c := range cases {
		got, err := ParseSQLServer(c.server, c.port)
		if err != nil {
			t.Errorf("ParseSQLServer(%q, %d): %v", c.server, c.port, err)
			continue
		}
		if got != c.want || got.DataSource() != c.dataSource || got.TCPPort() != c.tcpPort {
			t.Errorf("ParseSQLServer(%q, %d) = %+v, data source %q, port %d; want %+v, %q, %d",
				c.server, c.port, got, got.DataSource(), got.TCPPort(), c.want, c.dataSource, c.tcpPort)
		}
	}
}

// The data source of every example is what the scripts build from the
// answers today (common.ps1.tmpl: the server as written without a port,
// 'tcp:{server},{port}' with one), so wiring DataSource into them changes
// no emitted file.
func TestDataSourceMatchesScripts(t *testing.T) {
	for _, c := range []struct {
		server string
		port   int
	}{{"sql01.corp.local", 0}, {"sql01.corp.local", 1433}, {`sql01.corp.local\OCTOPUS`, 0}, {`sql01\OCTOPUS`, 14330}, {"sql-ag-listener.corp.local", 0}} {
		s, err := ParseSQLServer(c.server, c.port)
		if err != nil {
			t.Fatal(err)
		}
		want := c.server
		if c.port != 0 {
			want = "tcp:" + c.server + "," + strconv.Itoa(c.port)
		}
		if s.DataSource() != want {
			t.Errorf("%q port %d: data source %q, the script builds %q", c.server, c.port, s.DataSource(), want)
		}
	}
}

func TestParseSQLServerRefuses(t *testing.T) {
	cases := []struct {
		server string
		port   int
		field  string
		says   string
	}{
		{".", 0, FieldDatabaseServer, "each node would use its own SQL Server"},
		{`.\SQLEXPRESS`, 0, FieldDatabaseServer, "each node would use its own SQL Server"},
		{"(local)", 0, FieldDatabaseServer, "each node would use its own SQL Server"},
		{`(LocalDB)\MSSQLLocalDB`, 0, FieldDatabaseServer, "each node would use its own SQL Server"},
		{"localhost", 0, FieldDatabaseServer, "each node would use its own SQL Server"},
		{"tcp:localhost.,1433", 0, FieldDatabaseServer, "each node would use its own SQL Server"},
		{`db.localhost\INST`, 0, FieldDatabaseServer, "each node would use its own SQL Server"},
		{"sql01,1500", 1433, FieldDatabasePort, "give the port in one place"},
		{"sql01,", 0, FieldDatabaseServer, "not a TCP port"},
		{"sql01,0", 0, FieldDatabaseServer, "not a TCP port"},
		{"sql01,+1433", 0, FieldDatabaseServer, "not a TCP port"},
		{"sql01", 70000, FieldDatabasePort, "not a TCP port"},
		{`np:\\sql01\pipe\sql\query`, 0, FieldDatabaseServer, "over TCP"},
		{"lpc:sql01", 0, FieldDatabaseServer, "over TCP"},
		{`sql01\`, 0, FieldDatabaseServer, "instance name"},
		{`sql01\A;B`, 0, FieldDatabaseServer, "instance name"},
		{" sql01", 0, FieldDatabaseServer, "spaces around it"},
		{"", 0, FieldDatabaseServer, "empty"},
	}
	for _, c := range cases {
		_, err := ParseSQLServer(c.server, c.port)
		var e *SQLServerError
		if !errors.As(err, &e) || e.Field != c.field || !strings.Contains(e.Msg, c.says) {
			t.Errorf("ParseSQLServer(%q, %d) = %v, want an error at %s saying %q", c.server, c.port, err, c.field, c.says)
		}
	}
}

func TestSQLPort(t *testing.T) {
	a := Defaults()
	a.Database.Server = "sql01"
	if a.SQLPort() != 1433 {
		t.Errorf("default SQL port %d", a.SQLPort())
	}
	a.Database.Server = `sql01\OCTOPUS`
	if a.SQLPort() != 0 {
		t.Errorf("named instance without port should use the browser, got %d", a.SQLPort())
	}
	a.Database.Server = `sql01\OCTOPUS,14330`
	if a.SQLPort() != 14330 {
		t.Errorf("a port in the server text is lost: %d", a.SQLPort())
	}
	a.Database.Server, a.Database.Port = `sql01`, 14330
	if a.SQLPort() != 14330 {
		t.Errorf("explicit port lost: %d", a.SQLPort())
	}
}
