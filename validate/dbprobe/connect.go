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

// config builds go-mssqldb's settings for the answers, through msdsn.Parse
// of a sqlserver:// URL that net/url escapes, so no value is spliced into
// a connection string by hand. database "" connects to the login's default
// database.
func config(a steps.Answers, t steps.SQLServer, password, database string) (msdsn.Config, error) {
	u := url.URL{Scheme: "sqlserver", Host: t.Host}
	if strings.Contains(t.Host, ":") { // IPv6 literal
		u.Host = "[" + t.Host + "]"
	}
	if t.Port != 0 {
		u.Host = net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
	}
	if t.Instance != "" {
		u.Path = "/" + t.Instance
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
func open(ctx context.Context, a steps.Answers, t steps.SQLServer, password, database string, opts Options) (*session, error) {
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
