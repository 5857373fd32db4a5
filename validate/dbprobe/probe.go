// Package dbprobe checks the SQL Server an Octopus HA cluster will share,
// live, from the machine octoha runs on: that it answers, lets the login
// in, is a version and edition Octopus supports, is itself highly
// available, and that the Octopus database is in the state the answers
// expect (docs/octopus-facts.md §4). Every network step runs under one deadline.
package dbprobe

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// DefaultTimeout bounds a whole probe when Options.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Options tune a probe.
type Options struct {
	// Timeout bounds the whole probe, every connection and query included;
	// zero means DefaultTimeout.
	Timeout time.Duration
	// Dialer opens the TCP connection to SQL Server and the UDP exchange
	// with the SQL Browser, to an address the Resolver gave; nil uses the
	// network directly. Tests point it at a fake server.
	Dialer mssql.Dialer
	// Resolver looks up the server's name; nil is the system's. Tests
	// give a fixed table.
	Resolver Resolver
	// InstalledNodes are nodes already running in this cluster (check
	// gives every node of its answers; the "add a node" flow the nodes
	// that are there); a live row with one of these names is the node
	// itself, not a name clash.
	InstalledNodes []string
	// StaleAfter is how long a row may go unseen before it is stale; zero
	// means DefaultStaleAfter.
	StaleAfter time.Duration
	// NodeLimit is the licence's node limit (its <NodeLimit>), 0 when not
	// known: the database keeps the licence where no document says, so
	// the admin gives it (see licenceSource).
	NodeLimit int
}

func (o Options) resolver() Resolver {
	if o.Resolver != nil {
		return o.Resolver
	}
	return net.DefaultResolver
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = DefaultStaleAfter
	}
	return o
}

// Probe checks the database described by a.Database. password is used
// only when database.auth is "sql"; it never appears in a finding.
func Probe(ctx context.Context, a steps.Answers, password string, opts Options) validate.Findings {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	// Every socket carries the deadline, so the probe normally ends on
	// its own with a precise finding; this guard only covers a step that
	// ignores both (such as a stuck DNS lookup inside the driver).
	done := make(chan validate.Findings, 1)
	go func() { done <- probe(ctx, a, password, opts) }()
	select {
	case fs := <-done:
		return fs
	case <-ctx.Done():
	}
	grace := time.NewTimer(200 * time.Millisecond)
	defer grace.Stop()
	select {
	case fs := <-done:
		return fs
	case <-grace.C:
		name := a.Database.Server
		if t, err := a.SQLServer(); err == nil {
			name = t.String()
		}
		return validate.Findings{errorf("db.timeout", steps.FieldDatabaseServer,
			"Check that this machine can reach the server and resolve its name.",
			"SQL Server %s did not answer within %s.", name, opts.Timeout)}
	}
}

// windowsAuthUntestable is true where Windows authentication cannot be
// tried: go-mssqldb has SSPI only on Windows, and Kerberos elsewhere needs
// a configured realm and ticket that a jump box rarely has.
func windowsAuthUntestable(a steps.Answers) bool {
	return a.Database.Auth != steps.AuthSQL && runtime.GOOS != "windows"
}

func probe(ctx context.Context, a steps.Answers, password string, opts Options) validate.Findings {
	if strings.TrimSpace(a.Database.Server) == "" {
		return validate.Findings{errorf("db.connect", steps.FieldDatabaseServer, "Enter the SQL Server host name, AlwaysOn listener, or host\\instance.",
			"No SQL Server is given.")}
	}
	if a.Database.Auth == steps.AuthSQL && strings.TrimSpace(a.Database.User) == "" {
		return validate.Findings{errorf("db.login", steps.FieldDatabaseUser, "Enter the SQL login Octopus connects as, or choose Windows authentication.",
			"SQL authentication needs a user name.")}
	}
	t, err := a.SQLServer()
	if err != nil {
		return validate.Findings{serverFinding(err)}
	}
	if f, ok := resolve(ctx, t, opts.resolver()); !ok {
		return validate.Findings{f}
	}

	var fs validate.Findings
	dbOpen := true
	s, err := open(ctx, a, t, password, a.Database.Name, opts)
	if err != nil && hasSQLError(err, errCannotOpenDB) {
		// SQL Server refuses a login whose database is missing or closed to
		// it (4060, then 18456). Sign in to the default database to find
		// out which.
		dbOpen = false
		s, err = open(ctx, a, t, password, "", opts)
	}
	if err != nil {
		if a.Database.Auth == steps.AuthSQL && password == "" && hasSQLError(err, errLoginFailed) {
			// The wizard and check never keep a password: without one the
			// login is a step not taken, not a wrong answer.
			return validate.Findings{
				okf("db.connect", steps.FieldDatabaseServer, "SQL Server %s answered: the network path and the encryption settings work.", t),
				warnf("db.login", steps.FieldDatabaseUser,
					"Set OCTOHA_SQL_PASSWORD before starting octoha (it is never saved), or run octoha check with it.",
					"The SQL login was not tried: no password was given, so the version, HA and database checks were skipped."),
			}
		}
		if windowsAuthUntestable(a) && hasSQLError(err, errLoginFailed) {
			return validate.Findings{
				okf("db.connect", steps.FieldDatabaseServer, "SQL Server %s answered: the network path and the encryption settings work.", t),
				warnf("db.login", steps.FieldDatabaseAuth,
					"Run `octoha check` on a domain-joined Windows machine as the Octopus service account to test the login, the database and its permissions.",
					"Windows authentication cannot be tested from %s without Kerberos, so the login, version, HA and database checks were skipped (SQL Server logged one failed login for an empty user name).", runtime.GOOS),
			}
		}
		return validate.Findings{connectFinding(err, t, a)}
	}
	defer s.Close()
	fs = append(fs, okf("db.connect", steps.FieldDatabaseServer, "Connected to SQL Server %s as %s%s.", t, loginName(a), encryptionNote(a)))
	if a.Database.Encrypt && a.Database.TrustServerCertificate {
		fs = append(fs, warnf("db.tls", steps.FieldDatabaseTrustServerCertificate,
			"Install the CA that issued the SQL Server certificate on every node and set trustServerCertificate to false; keep it true only for a lab.",
			"trustServerCertificate is true: the connection is encrypted but the server's certificate is not checked."))
	}

	c := checker{ctx: ctx, s: s, a: a, t: t, opts: opts}
	fs = append(fs, c.server()...)
	if dbOpen {
		fs = append(fs, c.openDatabase()...)
	} else {
		fs = append(fs, c.missingDatabase()...)
	}
	fs = append(fs, c.ha()...)
	return fs
}

// resolve looks the host up under the deadline, for a plain finding when
// the name is wrong, before the driver tries.
func resolve(ctx context.Context, t steps.SQLServer, r Resolver) (validate.Finding, bool) {
	if net.ParseIP(t.Host) != nil {
		return validate.Finding{}, true
	}
	if _, err := r.LookupHost(ctx, t.Host); err != nil {
		if isTimeout(err) {
			return errorf("db.timeout", steps.FieldDatabaseServer, "Check this machine's DNS servers.",
				"Looking up %q took too long.", t.Host), false
		}
		return errorf("db.connect", steps.FieldDatabaseServer, "Check the spelling, or use the server's fully qualified name or IP address; this machine's DNS must resolve it.",
			"The name %q does not resolve from this machine.", t.Host), false
	}
	return validate.Finding{}, true
}

// loginName is how findings name the identity the probe used.
func loginName(a steps.Answers) string {
	if a.Database.Auth == steps.AuthSQL {
		return fmt.Sprintf("SQL login %q", a.Database.User)
	}
	return "the Windows account running octoha"
}

func userField(a steps.Answers) string {
	if a.Database.Auth == steps.AuthSQL {
		return steps.FieldDatabaseUser
	}
	return steps.FieldDatabaseAuth
}

func encryptionNote(a steps.Answers) string {
	if a.Database.Encrypt {
		return ", encrypted"
	}
	return ", with only the login encrypted"
}
