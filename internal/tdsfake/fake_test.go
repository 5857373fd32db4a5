package tdsfake_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/octoha/octoha/internal/tdsfake"
)

func open(t *testing.T, fake *tdsfake.FakeServer, query string) *sql.DB {
	t.Helper()
	dsn := fmt.Sprintf("sqlserver://octo:pw@%s:%d?encrypt=false&trustservercertificate=true%s", fake.Host(), fake.Port(), query)
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestUnknownQueryIsAnError(t *testing.T) {
	fake := tdsfake.Start(t, tdsfake.Typical())
	db := open(t, fake, "")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var n int
	err := db.QueryRowContext(ctx, "SELECT 42").Scan(&n)
	var se mssql.Error
	if !errors.As(err, &se) || !strings.Contains(se.Message, "unknown query") {
		t.Fatalf("want a SQL error naming the unknown query, got %v", err)
	}
	if q := fake.Queries(); len(q) != 1 || q[0] != "SELECT 42" {
		t.Errorf("the fake should record the query, got %q", q)
	}
}

func TestParameterisedQueryIsAnError(t *testing.T) {
	fake := tdsfake.Start(t, tdsfake.Typical())
	db := open(t, fake, "")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var n int
	err := db.QueryRowContext(ctx, "SELECT @p1", 1).Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "parameter-free") {
		t.Fatalf("an RPC packet should fail with a hint, got %v", err)
	}
}

func TestLoginChecksPassword(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.Login, cfg.Password = "octo", "pw"
	fake := tdsfake.Start(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := open(t, fake, "").PingContext(ctx); err != nil {
		t.Fatalf("right password: %v", err)
	}
	cfg.Password = "other"
	fake = tdsfake.Start(t, cfg)
	err := open(t, fake, "").PingContext(ctx)
	var se mssql.Error
	if !errors.As(err, &se) || se.Number != 18456 {
		t.Fatalf("wrong password: want error 18456, got %v", err)
	}
}

func TestMissingDatabaseIs4060(t *testing.T) {
	fake := tdsfake.Start(t, tdsfake.Typical())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err := open(t, fake, "&database=Nope").PingContext(ctx)
	var se mssql.Error
	if !errors.As(err, &se) || len(se.All) != 2 || se.All[0].Number != 4060 || se.All[1].Number != 18456 {
		t.Fatalf("want 4060 then 18456, as SQL Server sends them, got %v", err)
	}
}

func TestHangNeverAnswers(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.Hang = true
	fake := tdsfake.Start(t, cfg)
	c, err := net.Dial("tcp", net.JoinHostPort(fake.Host(), strconv.Itoa(fake.Port())))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A PRELOGIN header with an empty body: a real server would answer.
	if _, err := c.Write([]byte{0x12, 0x01, 0x00, 0x08, 0, 0, 1, 0}); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	n, err := c.Read(make([]byte, 1))
	var ne net.Error
	if n != 0 || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a read timeout from a hanging fake, got %d bytes, %v", n, err)
	}
}
