package steps

import (
	"fmt"
	"strconv"
	"strings"
)

// SQLServer is database.server and database.port read as one address, the
// way SqlClient reads a connection string's Data Source (FACTS.md, "SQL
// Server address"): host, host\INSTANCE, either with an optional "tcp:"
// prefix and ",port" suffix, and the port answer.
type SQLServer struct {
	// Host is the name or IPv4 address the nodes resolve and connect to.
	Host string
	// Instance is the named instance, "" for the default one.
	Instance string
	// Port is the TCP port given in either place, 0 when none is: then the
	// default instance listens on 1433 and a named one is found through the
	// SQL Browser. With both an instance and a port, the port is used.
	Port int
	// TCP is set when the admin wrote the "tcp:" prefix.
	TCP bool
}

// SQLServerError is why database.server and database.port do not read as
// one SQL Server address, with the answer at fault.
type SQLServerError struct {
	Field string
	Msg   string
}

func (e *SQLServerError) Error() string { return e.Msg }

// SQLServer reads the answers' database.server and database.port.
func (a *Answers) SQLServer() (SQLServer, error) {
	return ParseSQLServer(a.Database.Server, a.Database.Port)
}

// ParseSQLServer reads a SQL Server address and the separate port answer
// (0 for none). A port given in both places must be the same number: two
// different ports leave no way to tell which one the admin meant. It checks
// the shape only; whether Host is a usable host name is validate's.
func ParseSQLServer(server string, port int) (SQLServer, error) {
	fail := func(field, format string, args ...any) (SQLServer, error) {
		return SQLServer{}, &SQLServerError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if port != 0 && (port < 1 || port > 65535) {
		return fail(FieldDatabasePort, "%d is not a TCP port (1 to 65535)", port)
	}
	if server == "" {
		return fail(FieldDatabaseServer, "SQL Server is empty")
	}
	if strings.TrimSpace(server) != server {
		return fail(FieldDatabaseServer, "SQL Server %q has spaces around it; remove them", server)
	}
	var s SQLServer
	rest := server
	if head, tail, ok := strings.Cut(rest, ":"); ok && isProtocolPrefix(head) {
		if !strings.EqualFold(head, "tcp") {
			return fail(FieldDatabaseServer, "SQL Server %q asks for protocol %s:, but the nodes reach SQL Server over TCP; write it without the prefix, or with tcp:", server, head)
		}
		s.TCP, rest = true, tail
	}
	if i := strings.LastIndexByte(rest, ','); i >= 0 {
		p, err := strconv.Atoi(rest[i+1:])
		if err != nil || p < 1 || p > 65535 || rest[i+1:] != strconv.Itoa(p) {
			return fail(FieldDatabaseServer, "SQL Server %q ends in %q, which is not a TCP port (1 to 65535)", server, rest[i:])
		}
		if port != 0 && port != p {
			return fail(FieldDatabasePort, "database.server names port %d and database.port is %d; give the port in one place", p, port)
		}
		s.Port, rest = p, rest[:i]
	} else {
		s.Port = port
	}
	s.Host, s.Instance, _ = strings.Cut(rest, `\`)
	if strings.Contains(rest, `\`) && !isInstanceName(s.Instance) {
		return fail(FieldDatabaseServer, "SQL Server %q is not a valid instance name (up to 16 letters, digits, _ or $)", s.Instance)
	}
	if isThisMachine(s.Host) {
		return fail(FieldDatabaseServer, "SQL Server %q means the machine the script runs on: each node would use its own SQL Server, not the one database the cluster shares", server)
	}
	return s, nil
}

// isProtocolPrefix reports whether head is one of SqlClient's protocol
// prefixes (tcp:, np:, lpc:, admin:).
func isProtocolPrefix(head string) bool {
	switch strings.ToLower(head) {
	case "tcp", "np", "lpc", "admin":
		return true
	}
	return false
}

// isInstanceName accepts a SQL Server instance name: up to 16 letters,
// digits, '_', '$' (and, as before, '-' and '.').
func isInstanceName(s string) bool { return IsWindowsName(s, 16) }

// IsWindowsName accepts the characters Windows allows in NetBIOS-style
// names: letters, digits, '_', '-', '$' and '.', at most maxLen of them.
func IsWindowsName(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-$.", r)) {
			return false
		}
	}
	return true
}

// isThisMachine reports a name that means the machine the connection is
// made from: ".", "(local)" and "(localdb)" (SqlClient's, FACTS.md) and
// localhost (RFC 6761 §6.3). Loopback addresses such as 127.0.0.1 are
// left to the admin: the probes' tests run SQL Server fakes on them.
func isThisMachine(host string) bool {
	h := strings.ToLower(host)
	return host == "." || h == "(local)" || h == "(localdb)" ||
		h == "localhost" || h == "localhost." || strings.HasSuffix(strings.TrimSuffix(h, "."), ".localhost")
}

// TCPPort is the port the nodes reach SQL Server on: the one given, else
// 1433 for the default instance; 0 for a named instance without one, whose
// port the SQL Browser (UDP 1434) tells.
func (s SQLServer) TCPPort() int {
	switch {
	case s.Port != 0:
		return s.Port
	case s.Instance != "":
		return 0
	}
	return 1433
}

// DataSource is the exact value a .NET SqlConnectionStringBuilder's
// "Data Source" gets: host or host\INSTANCE, as "tcp:host,port" (or
// "tcp:host\INSTANCE,port") when a port is given, with "tcp:" kept when the
// admin wrote it.
func (s SQLServer) DataSource() string {
	d := s.Host
	if s.Instance != "" {
		d += `\` + s.Instance
	}
	if s.Port != 0 {
		return "tcp:" + d + "," + strconv.Itoa(s.Port)
	}
	if s.TCP {
		return "tcp:" + d
	}
	return d
}

// String is how findings name the server: host\INSTANCE,port.
func (s SQLServer) String() string {
	d := s.Host
	if s.Instance != "" {
		d += `\` + s.Instance
	}
	if s.Port != 0 {
		d += "," + strconv.Itoa(s.Port)
	}
	return d
}

// SQLPort is the TCP port nodes reach SQL Server on (SQLServer.TCPPort),
// 0 when the address does not parse, which validation reports.
func (a *Answers) SQLPort() int {
	s, err := a.SQLServer()
	if err != nil {
		return 0
	}
	return s.TCPPort()
}
