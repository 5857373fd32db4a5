package testkit

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that keeps what a helper reports instead of
// failing the test, so the helpers' failures can be tested.
type recorder struct {
	testing.TB
	errs   []string
	fatal  bool
	logged int
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(f, a...)) }
func (r *recorder) Log(a ...any)              { r.logged++ }
func (r *recorder) Fatalf(f string, a ...any) {
	r.Errorf(f, a...)
	r.fatal = true
	runtime.Goexit()
}
func (r *recorder) Fatal(a ...any) { r.Fatalf("%s", fmt.Sprint(a...)) }

// record runs f against a recorder in its own goroutine, since Fatal ends
// the goroutine it is called in.
func record(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestExamples(t *testing.T) {
	names, answers := Examples(t)
	if len(names) < 7 || !slices.Equal(names, ExampleNames(t)) || len(answers) != len(names) {
		t.Fatalf("names %v, %d answers", names, len(answers))
	}
	for _, name := range names {
		if len(answers[name].Nodes) < 2 {
			t.Errorf("%s: %d nodes", name, len(answers[name].Nodes))
		}
		if ExamplePath(t, name) != ExamplePath(t, name+".yaml") {
			t.Errorf("%s: the path depends on the .yaml", name)
		}
	}
	t.Chdir(t.TempDir())
	if _, err := os.Stat(ExamplePath(t, names[0])); err != nil {
		t.Errorf("after a change of folder: %v", err)
	}
	if r := record(t, func(tb testing.TB) { Example(tb, "no-such-example") }); !r.fatal {
		t.Error("a missing example loaded")
	}
}

func TestFreePortRefuses(t *testing.T) {
	if c, err := net.Dial("tcp", net.JoinHostPort(Loopback, strconv.Itoa(FreePort(t)))); err == nil {
		c.Close()
		t.Error("a free port accepted a connection")
	}
}

func TestOpenPortAcceptsAndDrops(t *testing.T) {
	c, err := net.Dial("tcp", net.JoinHostPort(Loopback, strconv.Itoa(OpenPort(t))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("read %v, want the end of a dropped connection", err)
	}
}

func TestHungServerNeverAnswers(t *testing.T) {
	c, err := net.Dial("tcp", net.JoinHostPort(Loopback, strconv.Itoa(HungServer(t))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	var ne net.Error
	if _, err := c.Read(make([]byte, 1)); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("read %v, want a timeout", err)
	}
}

func TestSelfSignedServesTLS(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "octopus.test"} {
		c := SelfSigned(t, host)
		pair, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tls.LoadX509KeyPair(c.Combined, c.Combined); err != nil {
			t.Errorf("%s: the combined file: %v", host, err)
		}
		ln, err := tls.Listen("tcp", Loopback+":0", &tls.Config{Certificates: []tls.Certificate{pair}})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			if s, err := ln.Accept(); err == nil {
				s.(*tls.Conn).Handshake()
				s.Close()
			}
		}()
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: c.Pool, ServerName: host})
		if err != nil {
			t.Errorf("%s: %v", host, err)
		} else {
			conn.Close()
		}
		ln.Close()
	}
}

func TestGolden(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "out.txt")
	if r := record(t, func(tb testing.TB) { Golden(tb, path, []byte("x\n")) }); !r.fatal {
		t.Error("a missing golden file passed")
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte("one\ntwo\n"), 0o644)
	if r := record(t, func(tb testing.TB) { Golden(tb, path, []byte("one\ntwo\n")) }); len(r.errs) > 0 {
		t.Errorf("the same content failed: %v", r.errs)
	}
	r := record(t, func(tb testing.TB) { Golden(tb, path, []byte("one\nTWO\n")) })
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], `want: "two"`) || !strings.Contains(r.errs[0], "go test ./internal/testkit -update") {
		t.Errorf("a changed line: %v", r.errs)
	}
	os.WriteFile(filepath.Join(dir, "a", "stale.txt"), nil, 0o644)
	r = record(t, func(tb testing.TB) { GoldenDir(tb, dir, map[string][]byte{"a/out.txt": []byte("one\ntwo\n")}) })
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "stale.txt") {
		t.Errorf("a stale golden file: %v", r.errs)
	}

	*update = true
	defer func() { *update = false }()
	GoldenDir(t, dir, map[string][]byte{"b/new.txt": []byte("new")})
	if got, err := os.ReadFile(filepath.Join(dir, "b", "new.txt")); string(got) != "new" || err != nil {
		t.Errorf("-update wrote %q, %v", got, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("-update kept a file nothing makes: %v", err)
	}
}

// finding has the fields of validate.Finding the matchers read.
type finding struct {
	ID, Field    string
	Severity     int
	Message, Fix string
}

func (f finding) String() string { return f.ID + ": " + f.Message }

func TestFindingMatchers(t *testing.T) {
	fs := []finding{
		{ID: "db.connect", Field: "database.server", Severity: 2, Message: "refused", Fix: "Open port 1433."},
		{ID: "db.ha", Field: "database.server", Severity: 1, Message: "single instance"},
		{ID: "db.ha", Field: "database.name", Severity: 1, Message: "second"},
	}
	if f := Find(t, fs, "db.connect", 2, "refused", "1433"); f.Fix == "" {
		t.Errorf("Find returned %v", f)
	}
	if r := record(t, func(tb testing.TB) { Find(tb, fs, "db.connect", 1) }); len(r.errs) != 1 || r.fatal {
		t.Errorf("Find with another severity: %+v", r)
	}
	if r := record(t, func(tb testing.TB) { Find(tb, fs, "db.connect", 2, "accepted") }); len(r.errs) != 1 {
		t.Errorf("Find with a missing word: %+v", r)
	}
	if One(t, fs, "db.connect", 2).Message != "refused" {
		t.Error("One")
	}
	for name, f := range map[string]func(testing.TB){
		"two":            func(tb testing.TB) { One(tb, fs, "db.ha", 1) },
		"none":           func(tb testing.TB) { One(tb, fs, "db.collation", 1) },
		"other severity": func(tb testing.TB) { One(tb, fs, "db.connect", 1) },
		"None":           func(tb testing.TB) { None(tb, fs, "db.ha") },
		"Only":           func(tb testing.TB) { Only(tb, fs) },
	} {
		if r := record(t, f); !r.fatal {
			t.Errorf("%s passed", name)
		}
	}
	None(t, fs, "db.collation")
	Is(t, Only(t, fs[:1]), "db.connect", 2, "Open port")
	if r := record(t, func(tb testing.TB) { Is(tb, fs[1], "db.ha", 2, "cluster") }); len(r.errs) != 2 || r.logged != 1 {
		t.Errorf("Is with another severity and a missing word: %+v", r)
	}
	if !Has(fs, 1, "database.name", "sec") || Has(fs, 2, "database.name", "sec") || Has(fs, 1, "database.user", "") {
		t.Error("Has")
	}
	if d := Dump(fs[:1]); d != "  db.connect db.connect: refused\n" {
		t.Errorf("Dump %q", d)
	}
	if r := record(t, func(tb testing.TB) { LogAll(tb, fs) }); r.logged != 3 {
		t.Errorf("LogAll logged %d", r.logged)
	}
}

// goodScript is the smallest script ScriptLayout accepts.
const goodScript = "#Requires -Version 5.1\r\n#Requires -RunAsAdministrator\r\n<#\r\n.SYNOPSIS\r\nS\r\n.DESCRIPTION\r\nD\r\n" +
	".PARAMETER Name\r\nN\r\n.EXAMPLE\r\nE\r\n#>\r\n[CmdletBinding(SupportsShouldProcess)]\r\nparam(\r\n    [string] $Name\r\n)\r\n" +
	"Set-StrictMode -Version Latest\r\n$ErrorActionPreference = 'Stop'\r\nStart-Transcript\r\nif ($PSCmdlet.ShouldProcess($Name)) {}\r\nStop-Transcript\r\n"

func TestScriptLayout(t *testing.T) {
	if r := record(t, func(tb testing.TB) { ScriptLayout(tb, "good", []byte(goodScript)) }); len(r.errs) > 0 {
		t.Fatalf("the good script fails: %v", r.errs)
	}
	for name, c := range map[string]struct{ script, says string }{
		"bare LF":        {strings.Replace(goodScript, "\r\nparam(", "\nparam(", 1), "bare LF"},
		"trailing space": {strings.Replace(goodScript, "Start-Transcript\r\n", "Start-Transcript \r\n", 1), "trailing whitespace"},
		"no strict mode": {strings.Replace(goodScript, "Set-StrictMode -Version Latest", "", 1), "Set-StrictMode"},
		"Write-Host":     {goodScript + "Write-Host hi\r\n", "Write-Host"},
		"non-ASCII":      {goodScript + "# café\r\n", "BOM"},
		"undocumented":   {strings.Replace(goodScript, "    [string] $Name\r\n", "    [string] $Name,\r\n    [int] $Port\r\n", 1), "parameter Port has no .PARAMETER help"},
		"no param block": {strings.Replace(goodScript, "\r\nparam(", "\r\nparams(", 1), "no param() block"},
	} {
		r := record(t, func(tb testing.TB) { ScriptLayout(tb, name, []byte(c.script)) })
		if !slices.ContainsFunc(r.errs, func(e string) bool { return strings.Contains(e, c.says) }) {
			t.Errorf("%s: %v, want one saying %q", name, r.errs, c.says)
		}
	}
}
