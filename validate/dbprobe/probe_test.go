package dbprobe_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/tdsfake"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/dbprobe"
)

const password = "S3cret!pass'word"

// answersFor points SQL-auth answers at the fake; the database exists and
// is attached to (create false) unless a test says otherwise.
func answersFor(fake *tdsfake.FakeServer) steps.Answers {
	a := steps.Defaults()
	a.Database.Server = fake.Host()
	a.Database.Port = fake.Port()
	a.Database.Auth = steps.AuthSQL
	a.Database.User = "octo"
	a.Database.Encrypt = false
	a.Database.Create = false
	a.Nodes = []steps.Node{{Name: "OCTO1", Host: "octo1.corp.local"}, {Name: "OCTO2", Host: "octo2.corp.local"}}
	return a
}

func run(t *testing.T, fake *tdsfake.FakeServer, a steps.Answers, opts dbprobe.Options) validate.Findings {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = 3 * time.Second
	}
	if opts.Dialer == nil {
		opts.Dialer = fake.Dialer()
	}
	fs := dbprobe.Probe(context.Background(), a, password, opts)
	for _, f := range fs {
		if strings.Contains(f.String(), password) {
			t.Errorf("finding leaks the password: %s", f)
		}
		if strings.Contains(f.Message, "tdsfake") {
			t.Errorf("the probe sent SQL the fake does not know: %s", f)
		}
	}
	return fs
}

// want asserts that exactly one finding has the ID and that it has the
// severity, and returns it.
func want(t *testing.T, fs validate.Findings, id string, sev validate.Severity) validate.Finding {
	t.Helper()
	return testkit.One(t, fs, id, sev)
}

func none(t *testing.T, fs validate.Findings, id string) {
	t.Helper()
	testkit.None(t, fs, id)
}

func dump(fs validate.Findings) string { return testkit.Dump(fs) }

func TestConnectOK(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.Login, cfg.Password = "octo", password
	fake := tdsfake.Start(t, cfg)
	fs := run(t, fake, answersFor(fake), dbprobe.Options{})

	t.Logf("findings:\n%s", dump(fs))
	c := want(t, fs, "db.connect", validate.OK)
	if !strings.Contains(c.Message, "only the login encrypted") {
		t.Errorf("db.connect should say only the login was encrypted: %s", c)
	}
	want(t, fs, "db.version", validate.OK)
	want(t, fs, "db.edition", validate.OK)
	want(t, fs, "db.exists", validate.OK)
	want(t, fs, "db.collation", validate.OK)
	want(t, fs, "db.permissions", validate.OK)
	want(t, fs, "db.nodes", validate.OK)
	want(t, fs, "db.ha", validate.Warning) // a single instance
	none(t, fs, "db.tls")
	if fs.HasErrors() {
		t.Errorf("healthy server gave errors:\n%s", dump(fs))
	}
}

func TestLoginFailed(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.Login, cfg.Password = "octo", "another password"
	fake := tdsfake.Start(t, cfg)
	fs := run(t, fake, answersFor(fake), dbprobe.Options{})
	f := want(t, fs, "db.login", validate.Error)
	if f.Field != "database.user" || !strings.Contains(f.Message, "18456") || !strings.Contains(f.Message, `"octo"`) {
		t.Errorf("db.login should name the user, the field and error 18456: %+v", f)
	}
	if len(fs) != 1 {
		t.Errorf("a refused login should stop the probe, got:\n%s", dump(fs))
	}
}

// Without the SQL password the login must fail; that is a step not taken,
// not a wrong answer, so it is a warning that says how to check it. A
// wrong password stays an error (TestLoginFailed).
func TestNoPasswordIsNotAWrongPassword(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.Login, cfg.Password = "octo", password
	fake := tdsfake.Start(t, cfg)
	fs := dbprobe.Probe(context.Background(), answersFor(fake), "", dbprobe.Options{Timeout: 3 * time.Second, Dialer: fake.Dialer()})
	f := want(t, fs, "db.login", validate.Warning)
	if !strings.HasPrefix(f.Message, "The SQL login was not tried: no password was given") || !strings.Contains(f.Fix, "OCTOHA_SQL_PASSWORD") {
		t.Errorf("without a password: %+v", f)
	}
	want(t, fs, "db.connect", validate.OK)
}

func TestHangTimesOut(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.Hang = true
	fake := tdsfake.Start(t, cfg)
	const timeout = 400 * time.Millisecond
	start := time.Now()
	fs := run(t, fake, answersFor(fake), dbprobe.Options{Timeout: timeout})
	took := time.Since(start)
	f := want(t, fs, "db.timeout", validate.Error)
	if !strings.Contains(f.Message, "accepted the connection but did not answer") {
		t.Errorf("a server that accepts and never answers should say so: %s", f)
	}
	if took > timeout+300*time.Millisecond {
		t.Errorf("probe took %s with a %s timeout", took, timeout)
	}
}

// stuckDialer ignores its context, as a step the deadline cannot reach
// would (a DNS lookup inside the driver).
type stuckDialer struct{ release chan struct{} }

func (d stuckDialer) DialContext(context.Context, string, string) (net.Conn, error) {
	<-d.release
	return nil, errors.New("released")
}

func TestGuardEndsAStuckProbe(t *testing.T) {
	d := stuckDialer{release: make(chan struct{})}
	defer close(d.release)
	a := steps.Defaults()
	a.Database.Server, a.Database.Auth, a.Database.User = "127.0.0.1", steps.AuthSQL, "octo"
	const timeout = 300 * time.Millisecond
	start := time.Now()
	fs := dbprobe.Probe(context.Background(), a, password, dbprobe.Options{Timeout: timeout, Dialer: d})
	if took := time.Since(start); took > timeout+400*time.Millisecond {
		t.Errorf("a stuck probe returned after %s with a %s timeout", took, timeout)
	}
	f := want(t, fs, "db.timeout", validate.Error)
	if !strings.Contains(f.Message, "within 300ms") {
		t.Errorf("the guard's finding should give the timeout: %s", f)
	}
}

func TestUnreachablePort(t *testing.T) {
	port := testkit.FreePort(t)
	a := steps.Defaults()
	a.Database.Server, a.Database.Port = "127.0.0.1", port
	a.Database.Auth, a.Database.User = steps.AuthSQL, "octo"
	fs := dbprobe.Probe(context.Background(), a, password, dbprobe.Options{Timeout: 2 * time.Second})
	f := want(t, fs, "db.connect", validate.Error)
	if !strings.Contains(f.Message, "connection refused") || f.Fix == "" {
		t.Errorf("closed port should read as connection refused with a fix: %+v", f)
	}
}

func TestTLS(t *testing.T) {
	cases := []struct {
		name       string
		server     tdsfake.Encryption
		encrypt    bool
		trust      bool
		connect    validate.Severity
		tls        validate.Severity
		tlsField   string
		tlsMessage string
	}{
		{"forced, untrusted", tdsfake.EncryptionRequired, true, false, -1, validate.Error, "database.trustServerCertificate", "not trusted"},
		{"forced, trustServerCertificate", tdsfake.EncryptionRequired, true, true, validate.OK, validate.Warning, "database.trustServerCertificate", "not checked"},
		{"optional, client encrypts", tdsfake.EncryptionOptional, true, true, validate.OK, validate.Warning, "database.trustServerCertificate", "not checked"},
		{"no certificate, client encrypts", tdsfake.EncryptionNotSupported, true, false, -1, validate.Error, "database.encrypt", "no certificate"},
		{"no certificate, login unencrypted", tdsfake.EncryptionNotSupported, false, false, validate.OK, -1, "", ""},
		{"forced, login-only client", tdsfake.EncryptionRequired, false, false, validate.OK, -1, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tdsfake.Typical()
			cfg.Encryption = tc.server
			fake := tdsfake.Start(t, cfg)
			a := answersFor(fake)
			a.Database.Encrypt, a.Database.TrustServerCertificate = tc.encrypt, tc.trust
			fs := run(t, fake, a, dbprobe.Options{})
			if tc.connect >= 0 {
				want(t, fs, "db.connect", tc.connect)
				want(t, fs, "db.collation", validate.OK) // queries ran over the connection
			} else {
				none(t, fs, "db.connect")
			}
			if tc.tls < 0 {
				none(t, fs, "db.tls")
				return
			}
			f := want(t, fs, "db.tls", tc.tls)
			if f.Field != tc.tlsField || !strings.Contains(f.Message, tc.tlsMessage) || f.Fix == "" {
				t.Errorf("db.tls: want field %s and %q with a fix, got %+v", tc.tlsField, tc.tlsMessage, f)
			}
		})
	}
}

func TestNamedInstance(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.Instances = map[string]int{"OCTOPUS": 0} // the browser lists the fake's own port
	fake := tdsfake.Start(t, cfg)
	dialer := fake.Dialer() // sends the browser's UDP 1434 request to the fake

	a := answersFor(fake)
	a.Database.Server, a.Database.Port = `127.0.0.1\octopus`, 0
	fs := run(t, fake, a, dbprobe.Options{Dialer: dialer})
	want(t, fs, "db.connect", validate.OK)

	a.Database.Server = `127.0.0.1\NOPE`
	fs = run(t, fake, a, dbprobe.Options{Dialer: dialer})
	f := want(t, fs, "db.instance", validate.Error)
	if !strings.Contains(f.Message, `"NOPE"`) {
		t.Errorf("db.instance should name the instance: %s", f)
	}
}

func TestWindowsAuthFromJumpBox(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows the driver signs in with SSPI, which the fake does not speak")
	}
	cfg := tdsfake.Typical()
	cfg.Login, cfg.Password = "octo", password // an empty user name is refused
	fake := tdsfake.Start(t, cfg)
	a := answersFor(fake)
	a.Database.Auth, a.Database.User = steps.AuthWindows, ""
	fs := run(t, fake, a, dbprobe.Options{})
	want(t, fs, "db.connect", validate.OK)
	f := want(t, fs, "db.login", validate.Warning)
	if !strings.Contains(f.Message, "Kerberos") || f.Field != "database.auth" {
		t.Errorf("Windows auth from %s should be a Kerberos warning on database.auth: %+v", runtime.GOOS, f)
	}
	if fs.HasErrors() {
		t.Errorf("untestable Windows auth is not an error:\n%s", dump(fs))
	}
}

func TestConcurrentProbes(t *testing.T) {
	cfg := tdsfake.Typical()
	cfg.Hold = time.Second
	// No TLS: this test measures whether probes wait on each other, and 20
	// handshakes under the race detector on a busy 2-core machine take a
	// few hundred milliseconds on their own (TestTLS covers TLS).
	cfg.Encryption = tdsfake.EncryptionNotSupported
	fake := tdsfake.Start(t, cfg)
	a := answersFor(fake)
	const probes = 20
	results := make([]validate.Findings, probes)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = dbprobe.Probe(context.Background(), a, password, dbprobe.Options{Timeout: 3 * time.Second, Dialer: fake.Dialer()})
		}()
	}
	wg.Wait()
	took := time.Since(start)
	for i, fs := range results {
		if fs.HasErrors() {
			t.Fatalf("probe %d failed:\n%s", i, dump(fs))
		}
	}
	if took < time.Second {
		t.Errorf("probes took %s, less than the fake's 1 s hold: the hold is not working", took)
	}
	if took > 1500*time.Millisecond {
		t.Errorf("%d concurrent probes held 1 s each took %s, want under 1.5 s", probes, took)
	}
}

// The probe takes every form of database.server the pure check accepts
// (validate TestSQLServerFormsAccepted), port in the server text included,
// and refuses what it refuses, with the same reason.
func TestProbeTakesServerForms(t *testing.T) {
	fake := tdsfake.Start(t, tdsfake.Typical())
	port := strconv.Itoa(fake.Port())
	for _, server := range []string{fake.Host() + "," + port, "tcp:" + fake.Host() + "," + port, "TCP:" + fake.Host() + "," + port} {
		a := answersFor(fake)
		a.Database.Server, a.Database.Port = server, 0
		want(t, run(t, fake, a, dbprobe.Options{}), "db.connect", validate.OK)
	}
	for server, says := range map[string]string{
		".":                      "each node would use its own SQL Server",
		`(local)\SQLEXPRESS`:     "each node would use its own SQL Server",
		"localhost," + port:      "each node would use its own SQL Server",
		fake.Host() + ",1":       "give the port in one place",
		"np:" + fake.Host():      "over TCP",
		fake.Host() + ",notport": "not a TCP port",
	} {
		a := answersFor(fake)
		a.Database.Server = server
		before := len(fake.Queries())
		f := want(t, run(t, fake, a, dbprobe.Options{}), "db.connect", validate.Error)
		if !strings.Contains(f.Message, says) {
			t.Errorf("%q: %s, want it to say %q", server, f, says)
		}
		if len(fake.Queries()) != before {
			t.Errorf("%q: the probe connected to a server the pure check refuses", server)
		}
	}
	for _, server := range []string{".", "sql01,1"} {
		a := answersFor(fake)
		a.Database.Server = server
		if _, err := dbprobe.Nodes(context.Background(), a, password, dbprobe.Options{Dialer: fake.Dialer()}); err == nil {
			t.Errorf("Nodes(%q) connected", server)
		}
	}
}
