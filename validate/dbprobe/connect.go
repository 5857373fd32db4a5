package dbprobe

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/octoha/octoha/steps"
)

// target is where the probe connects, split out of database.server.
type target struct {
	host     string
	instance string // named instance, "" for the default one
	port     int    // 0: 1433, or the SQL Browser for a named instance
}

// String is how findings name the server: host\instance,port.
func (t target) String() string {
	s := t.host
	if t.instance != "" {
		s += `\` + t.instance
	}
	if t.port != 0 {
		s += "," + strconv.Itoa(t.port)
	}
	return s
}

// parseServer reads database.server as admins write it for SqlClient:
// host, host\instance, optionally with a "tcp:" prefix or ",port" suffix.
// database.port, when set, wins over a port in the server text.
func parseServer(server string, port int) target {
	s := strings.TrimSpace(server)
	if len(s) > 4 && strings.EqualFold(s[:4], "tcp:") {
		s = s[4:]
	}
	var t target
	if i := strings.LastIndexByte(s, ','); i >= 0 {
		if p, err := strconv.Atoi(strings.TrimSpace(s[i+1:])); err == nil {
			t.port = p
		}
		s = s[:i]
	}
	t.host, t.instance, _ = strings.Cut(s, `\`)
	if port != 0 {
		t.port = port
	}
	return t
}

// config builds go-mssqldb's settings for the answers, through msdsn.Parse
// of a sqlserver:// URL that net/url escapes, so no value is spliced into
// a connection string by hand. database "" connects to the login's default
// database.
func config(a steps.Answers, t target, password, database string) (msdsn.Config, error) {
	u := url.URL{Scheme: "sqlserver", Host: t.host}
	if strings.Contains(t.host, ":") { // IPv6 literal
		u.Host = "[" + t.host + "]"
	}
	if t.port != 0 {
		u.Host = net.JoinHostPort(t.host, strconv.Itoa(t.port))
	}
	if t.instance != "" {
		u.Path = "/" + t.instance
	}
	if a.Database.Auth == steps.AuthSQL {
		u.User = url.UserPassword(a.Database.User, password)
	}
	// With no user, go-mssqldb signs in with Windows (SSPI) on Windows;
	// elsewhere it has no Kerberos ticket and the login fails (see probe).
	q := url.Values{}
	q.Set("app name", "octoha")
	if database != "" {
		q.Set("database", database)
	}
	q.Set("multisubnetfailover", strconv.FormatBool(a.Database.MultiSubnetFailover))
	if a.Database.Encrypt {
		q.Set("encrypt", "true")
		q.Set("trustservercertificate", strconv.FormatBool(a.Database.TrustServerCertificate))
	} else {
		// encrypt=false still encrypts the login packet. SqlClient, which
		// Octopus uses, checks the server certificate only when Encrypt is
		// true [INFER from SqlClient behaviour, not an Octopus source], so
		// the probe does not check it here either.
		q.Set("encrypt", "false")
		q.Set("trustservercertificate", "true")
	}
	u.RawQuery = q.Encode()
	cfg, err := msdsn.Parse(u.String())
	if err != nil {
		// msdsn's errors never echo the password; u.String() would.
		return cfg, fmt.Errorf("cannot build connection settings for %s: %w", t, err)
	}
	return cfg, nil
}

// session is one open connection and the pool that owns it.
type session struct {
	db   *sql.DB
	conn *sql.Conn
}

func (s *session) Close() {
	s.conn.Close()
	s.db.Close()
}

// open connects once; the caller classifies the error.
func open(ctx context.Context, a steps.Answers, t target, password, database string, opts Options) (*session, error) {
	cfg, err := config(a, t, password, database)
	if err != nil {
		return nil, err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(opts.Timeout)
	}
	var next mssql.Dialer = &net.Dialer{}
	if opts.Dialer != nil {
		next = opts.Dialer
	}
	connector := mssql.NewConnectorConfig(cfg)
	connector.Dialer = probeDialer{ctx: ctx, next: next, resolver: opts.resolver(), deadline: deadline,
		parallel: a.Database.MultiSubnetFailover}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &session{db: db, conn: conn}, nil
}
