package dbprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// SQL Server error numbers the probe recognises.
const (
	errLoginFailed  = 18456 // Login failed for user
	errCannotOpenDB = 4060  // Cannot open database requested by the login
)

// hasSQLError reports whether err carries SQL Server error number n
// anywhere in its chain (a refused login sends 4060 then 18456).
func hasSQLError(err error, n int32) bool {
	var e mssql.Error
	if !errors.As(err, &e) {
		return false
	}
	if e.Number == n {
		return true
	}
	for _, x := range e.All {
		if x.Number == n {
			return true
		}
	}
	return false
}

// isTimeout reports a deadline hit anywhere: the context's, or a socket
// deadline the probe set.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isDialError reports whether err happened while opening the TCP
// connection, before SQL Server said anything.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// connectFinding turns a failed connection into one finding an admin can
// act on.
// serverFinding is why the answers' SQL Server address does not parse
// (steps.ParseSQLServer), at the answer at fault: the probe connects to
// nothing the pure check would refuse.
func serverFinding(err error) validate.Finding {
	field := steps.FieldDatabaseServer
	var e *steps.SQLServerError
	if errors.As(err, &e) {
		field = e.Field
	}
	return errorf("db.connect", field, "Give the SQL Server host, AlwaysOn listener or host\\INSTANCE as the nodes reach it, optionally with ,port.",
		"%s.", err)
}

func connectFinding(err error, t steps.SQLServer, a steps.Answers) validate.Finding {
	msg := err.Error()
	var dns *net.DNSError
	switch {
	case errors.Is(err, context.Canceled):
		return warnf("db.connect", steps.FieldDatabaseServer, "", "The database check was cancelled before it finished.")
	case tooMuch(err):
		return errorf("db.connect", steps.FieldDatabaseServer, "Check that database.server and database.port name SQL Server itself, not a proxy or another service.",
			"%s while connecting to %s.", errTooMuch, t)
	case hasSQLError(err, errLoginFailed):
		return errorf("db.login", userField(a), "Check the user name and password. SQL Server must also allow SQL Server logins (mixed-mode authentication); its error log gives the exact reason for the refusal.",
			"SQL Server %s refused the login for %s (error 18456).", t, loginName(a))
	case strings.Contains(msg, "no instance matching"):
		return errorf("db.instance", steps.FieldDatabaseServer,
			"Check the instance name (SELECT @@SERVICENAME on the server shows it). If it is right, start the SQL Server Browser service and open UDP 1434, or set database.port to the instance's fixed TCP port.",
			"The SQL Server Browser on %s did not list an instance named %q.", t.Host, t.Instance)
	case strings.Contains(msg, "server does not support encryption"):
		return errorf("db.tls", steps.FieldDatabaseEncrypt,
			"Install a certificate on the SQL Server (SQL Server Configuration Manager, Protocols, Certificate), or set database.encrypt to false to encrypt only the login.",
			"database.encrypt is true but SQL Server %s has no certificate to encrypt with.", t)
	case strings.Contains(msg, "TLS Handshake failed"):
		return tlsFinding(msg, t)
	case errors.As(err, &dns):
		return errorf("db.connect", steps.FieldDatabaseServer, "Check the spelling, or use the server's fully qualified name or IP address; this machine's DNS must resolve it.",
			"The name %q does not resolve from this machine.", t.Host)
	case errors.Is(err, syscall.ECONNREFUSED):
		return errorf("db.connect", steps.FieldDatabaseServer,
			"Check database.server and database.port, that SQL Server's TCP/IP protocol is enabled, and that its firewall allows this machine.",
			"Nothing accepts connections at %s (connection refused).", t)
	case isTimeout(err) && isDialError(err):
		return errorf("db.timeout", steps.FieldDatabaseServer,
			"A firewall is probably dropping the packets: open the SQL Server port from this machine and from every node.",
			"%s did not accept a connection in time.", t)
	case isTimeout(err):
		return errorf("db.timeout", steps.FieldDatabaseServer,
			"Check that the port belongs to SQL Server (not another service), and that nothing between here and the server holds connections open.",
			"%s accepted the connection but did not answer in time.", t)
	}
	return errorf("db.connect", steps.FieldDatabaseServer, "", "Could not connect to SQL Server %s: %s.", t, strings.TrimSuffix(msg, "."))
}

// tlsFinding explains a failed TLS handshake. go-mssqldb formats the x509
// error into text (%v), so the cause is matched in the message.
func tlsFinding(msg string, t steps.SQLServer) validate.Finding {
	switch {
	case strings.Contains(msg, "unknown authority"), strings.Contains(msg, "not trusted"):
		return errorf("db.tls", steps.FieldDatabaseTrustServerCertificate,
			"Install the CA that issued the SQL Server certificate on this machine and on every node, or set trustServerCertificate only for a lab.",
			"The certificate of SQL Server %s is not trusted.", t)
	case strings.Contains(msg, "not valid for"), strings.Contains(msg, "doesn't contain any IP SANs"):
		return errorf("db.tls", steps.FieldDatabaseServer,
			"Connect with a name the certificate lists (its subject or alternative names), or reissue the certificate with this name.",
			"The certificate of SQL Server %s does not match the name %q.", t, t.Host)
	case strings.Contains(msg, "expired"):
		return errorf("db.tls", steps.FieldDatabaseServer, "Renew the SQL Server certificate and restart SQL Server.",
			"The certificate of SQL Server %s has expired or is not yet valid.", t)
	}
	return errorf("db.tls", steps.FieldDatabaseEncrypt, "Check the SQL Server certificate and the TLS versions both sides allow.",
		"The TLS handshake with SQL Server %s failed: %s.", t, strings.TrimPrefix(msg, "TLS Handshake failed: "))
}

func errorf(id, field, fix, format string, args ...any) validate.Finding {
	return validate.Finding{ID: id, Severity: validate.Error, Field: field, Message: fmt.Sprintf(format, args...), Fix: fix}
}

func warnf(id, field, fix, format string, args ...any) validate.Finding {
	return validate.Finding{ID: id, Severity: validate.Warning, Field: field, Message: fmt.Sprintf(format, args...), Fix: fix}
}

func okf(id, field, format string, args ...any) validate.Finding {
	return validate.Finding{ID: id, Severity: validate.OK, Field: field, Message: fmt.Sprintf(format, args...)}
}
