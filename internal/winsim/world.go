package winsim

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed host.ps1
var hostScript []byte

// EnvPwsh names the PowerShell the runs use; without it, pwsh on PATH.
const EnvPwsh = "OCTOHA_PWSH"

// FindPwsh is the PowerShell to run scripts with, or an error saying why
// there is none.
func FindPwsh() (string, error) {
	if p := os.Getenv(EnvPwsh); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvPwsh, p, err)
		}
		return abs, nil
	}
	p, err := exec.LookPath("pwsh")
	if err != nil {
		return "", fmt.Errorf("no PowerShell: set %s or put pwsh on PATH", EnvPwsh)
	}
	return p, nil
}

// Pool is a few long-lived PowerShell processes, each running host.ps1;
// a run borrows one. PowerShell takes about a second to start, so it
// starts once per process, not once per script.
type Pool struct {
	free chan *host
	all  []*host
	dir  string
}

type host struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *bytes.Buffer
}

// NewPool starts n PowerShell hosts with pwsh.
func NewPool(pwsh string, n int) (*Pool, error) {
	dir, err := os.MkdirTemp("", "winsim-host-")
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, "host.ps1")
	if err := os.WriteFile(script, hostScript, 0o644); err != nil {
		return nil, err
	}
	p := &Pool{free: make(chan *host, n), dir: dir}
	errs := make([]error, n)
	hosts := make([]*host, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { hosts[i], errs[i] = startHost(pwsh, script) })
	}
	wg.Wait()
	for i, h := range hosts {
		if errs[i] != nil {
			p.Close()
			return nil, errs[i]
		}
		p.all = append(p.all, h)
		p.free <- h
	}
	return p, nil
}

func startHost(pwsh, script string) (*host, error) {
	cmd := exec.Command(pwsh, "-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", script)
	cmd.Env = append(os.Environ(), "POWERSHELL_TELEMETRY_OPTOUT=1", "POWERSHELL_UPDATECHECK=Off", "NO_COLOR=1", "TERM=dumb")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	h := &host{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20), stderr: &bytes.Buffer{}}
	cmd.Stderr = h.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", pwsh, err)
	}
	// A first request proves the host is up.
	var answer struct{ Errors []string }
	if _, err := h.do(map[string]any{"Kind": "parse", "Script": script}, &answer); err != nil {
		return nil, fmt.Errorf("%s did not start the winsim host: %w", pwsh, err)
	}
	return h, nil
}

const answerMarker = "@@winsim@@ "

// do sends one request and decodes its answer into v; hostText is what
// the script wrote straight to the host meanwhile.
func (h *host) do(request, v any) (hostText []string, err error) {
	line, err := json.Marshal(request)
	if err != nil {
		return nil, err
	}
	if _, err := h.in.Write(append(line, '\n')); err != nil {
		return nil, fmt.Errorf("writing to PowerShell: %w (stderr: %s)", err, h.stderr.String())
	}
	for {
		text, err := h.out.ReadString('\n')
		if err != nil {
			return hostText, fmt.Errorf("reading from PowerShell: %w (stderr: %s)", err, h.stderr.String())
		}
		text = strings.TrimRight(text, "\r\n")
		if rest, ok := strings.CutPrefix(text, answerMarker); ok {
			var failure struct{ HostError string }
			if json.Unmarshal([]byte(rest), &failure) == nil && failure.HostError != "" {
				return hostText, errors.New("winsim host: " + failure.HostError)
			}
			return hostText, json.Unmarshal([]byte(rest), v)
		}
		hostText = append(hostText, text)
	}
}

// Do runs one request on a free host.
func (p *Pool) Do(request, v any) ([]string, error) {
	h := <-p.free
	defer func() { p.free <- h }()
	return h.do(request, v)
}

// Close stops every host.
func (p *Pool) Close() {
	for _, h := range p.all {
		h.in.Close()
		h.cmd.Wait()
	}
	os.RemoveAll(p.dir)
}

// Help is what Get-Help -Full prints for the script at path.
func (p *Pool) Help(path string) (string, error) {
	var answer struct{ Text string }
	_, err := p.Do(map[string]any{"Kind": "help", "Script": path}, &answer)
	return answer.Text, err
}

// Parse is what PowerShell's own parser reports for the script at path.
func (p *Pool) Parse(path string) ([]string, error) {
	var answer struct{ Errors []string }
	_, err := p.Do(map[string]any{"Kind": "parse", "Script": path}, &answer)
	return answer.Errors, err
}

// World is one set of machines that see the same shares, the same SQL
// Server and the same web API.
type World struct {
	Dir    string
	APIKey string
	pool   *Pool
	api    *api
	self   string
	// shares are the folders made under / for UNC paths, removed at the end.
	shares []string
}

// NewWorld makes an empty world under t's temporary folder, whose web API
// takes apiKey. The test binary must call StandIn in its TestMain: the
// stand-ins are this binary.
func NewWorld(t testing.TB, pool *Pool, apiKey string) *World {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: under load a PowerShell host can still be closing a
	// file of the last run when the test ends, and t.TempDir's removal
	// then fails the test; removeAll tries again.
	dir, err := os.MkdirTemp("", "winsim-world-")
	if err != nil {
		t.Fatal(err)
	}
	w := &World{Dir: dir, APIKey: apiKey, pool: pool, self: self}
	if err := os.MkdirAll(filepath.Join(dir, "machines"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty, err := LoadCluster(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := empty.save(dir); err != nil {
		t.Fatal(err)
	}
	if err := w.wrapper(filepath.Join(dir, "shim"), toolShim); err != nil {
		t.Fatal(err)
	}
	w.api = newAPI(dir, w.APIKey)
	t.Cleanup(func() {
		w.api.srv.Close()
		for _, s := range append(w.shares, dir) {
			if err := removeAll(s); err != nil {
				t.Errorf("removing the world: %v", err)
			}
		}
	})
	return w
}

// removeAll is os.RemoveAll, tried a few times over a second.
func removeAll(path string) error {
	var err error
	for range 10 {
		if err = os.RemoveAll(path); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// wrapper writes an executable at path that runs this binary as tool.
func (w *World) wrapper(path, tool string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	script := fmt.Sprintf("#!/bin/sh\n%s=%s exec %s \"$@\"\n", envTool, shellQuote(tool), shellQuote(w.self))
	return os.WriteFile(path, []byte(script), 0o755)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// UNCFolder is the folder PowerShell on Linux reads for a UNC path:
// \\host\share\dir is //host/share/dir, which is /host/share/dir.
func UNCFolder(unc string) (string, error) {
	if !strings.HasPrefix(unc, `\\`) {
		return "", fmt.Errorf("%q is not a UNC path", unc)
	}
	parts := strings.Split(strings.TrimPrefix(unc, `\\`), `\`)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", fmt.Errorf("%q names no share", unc)
	}
	return "/" + filepath.Join(parts...), nil
}

// Share makes the folder for a UNC path, which every machine then sees.
// It needs root: the folder is under /.
func (w *World) Share(t testing.TB, unc string) string {
	t.Helper()
	dir, err := UNCFolder(unc)
	if err != nil {
		t.Fatal(err)
	}
	top := "/" + strings.Split(strings.TrimPrefix(dir, "/"), "/")[0]
	if _, err := os.Stat(top); err == nil && !slices.Contains(w.shares, top) {
		t.Fatalf("%s already exists: another world uses the file server %s", top, unc)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("making the share %s: %v", unc, err)
	}
	if !slices.Contains(w.shares, top) {
		w.shares = append(w.shares, top)
	}
	return dir
}

// EmptyDatabase makes a database on the world's SQL Server as a DBA makes
// one for Octopus (database.create: false): it exists, with no Octopus
// schema and no master key. Server and port are the answers'; the name
// must be one a connection string carries unquoted.
func (w *World) EmptyDatabase(t testing.TB, server string, port int, name string) {
	t.Helper()
	source := server
	if port != 0 {
		source = fmt.Sprintf("tcp:%s,%d", server, port)
	}
	key, err := databaseKey("Data Source=" + source + ";Initial Catalog=" + name)
	if err != nil {
		t.Fatal(err)
	}
	c := w.Cluster(t)
	c.Databases[key] = &Database{Paths: map[string]string{}, Nodes: map[string]*NodeRow{}}
	if err := c.save(w.Dir); err != nil {
		t.Fatal(err)
	}
}

// SetCluster replaces the world's shared state, as a change made in the
// web portal (a node's task cap, the shared paths) would.
func (w *World) SetCluster(t testing.TB, c *Cluster) {
	t.Helper()
	if err := c.save(w.Dir); err != nil {
		t.Fatal(err)
	}
}

// Cluster is the world's shared state now.
func (w *World) Cluster(t testing.TB) *Cluster {
	t.Helper()
	c, err := LoadCluster(w.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// SetDrain drains (or undrains) the node called name in every database
// that has its row, as Drain in Configuration > Nodes does; the row must
// exist.
func (w *World) SetDrain(t testing.TB, name string, drained bool) {
	t.Helper()
	c := w.Cluster(t)
	found := false
	for _, db := range c.Databases {
		if row := db.Nodes[name]; row != nil {
			row.Drain = drained
			found = true
		}
	}
	if !found {
		t.Fatalf("no database has a row for node %s", name)
	}
	if err := c.save(w.Dir); err != nil {
		t.Fatal(err)
	}
}

// UpdateCluster changes the world's shared state, as an admin does in the
// portal (a target's environments, a space).
func (w *World) UpdateCluster(t testing.TB, change func(c *Cluster)) {
	t.Helper()
	c := w.Cluster(t)
	change(c)
	if err := c.save(w.Dir); err != nil {
		t.Fatal(err)
	}
}

// Redis puts a Redis server at host:port that takes password, with TLS
// or without; the nodes reach it from then on.
func (w *World) Redis(t testing.TB, host string, port int, password string, ssl bool) {
	t.Helper()
	c := w.Cluster(t)
	c.Redis[strings.ToLower(fmt.Sprintf("%s:%d", host, port))] = &RedisServer{Password: password, SSL: ssl}
	if err := c.save(w.Dir); err != nil {
		t.Fatal(err)
	}
}

// ServerThumbprint is the thumbprint of the cluster's certificate, the one
// every node shows with show-thumbprint and the API reports.
func (w *World) ServerThumbprint() string { return thumbprint("server " + w.Dir) }

// Box is one simulated machine.
type Box struct {
	w    *World
	Name string
	Dir  string
}

// Machine makes a machine called name (its COMPUTERNAME) with drives C:
// to F: and a user's folder, and no Octopus software yet.
func (w *World) Machine(t testing.TB, name string) *Box {
	t.Helper()
	b := &Box{w: w, Name: name, Dir: filepath.Join(w.Dir, "machines", name)}
	m := &Machine{Name: name, Drives: map[string]string{}, Versions: map[string]string{}}
	for _, d := range []string{"C", "D", "E", "F"} {
		root := filepath.Join(b.Dir, d)
		if err := os.MkdirAll(root, 0o755); err != nil {
			t.Fatal(err)
		}
		m.Drives[d] = root
	}
	for _, dir := range []string{`C:\ProgramData`, `C:\Install`, `C:\Windows\System32`} {
		p, _ := m.localPath(dir)
		os.MkdirAll(p, 0o755)
	}
	if err := m.save(b.Dir); err != nil {
		t.Fatal(err)
	}
	scExe, _ := m.localPath(`C:\Windows\System32\sc.exe`)
	if err := w.wrapper(scExe, toolSC); err != nil {
		t.Fatal(err)
	}
	return b
}

// Install puts a stand-in .exe (Octopus.Server.exe or Tentacle.exe) in the
// Windows folder installDir, reporting version as its FileVersion.
func (b *Box) Install(t testing.TB, exe, installDir, version string) {
	t.Helper()
	m := b.State(t)
	p, ok := m.localPath(installDir + `\` + exe)
	if !ok {
		t.Fatalf("%s is not on a drive of %s", installDir, b.Name)
	}
	if err := b.w.wrapper(p, exe); err != nil {
		t.Fatal(err)
	}
	m.Versions[exe] = version
	if err := m.save(b.Dir); err != nil {
		t.Fatal(err)
	}
}

// WriteFile writes a file at a Windows path on one of the machine's drives.
func (b *Box) WriteFile(t testing.TB, windows string, content []byte) {
	t.Helper()
	p, ok := b.State(t).localPath(windows)
	if !ok {
		t.Fatalf("%s is not on a drive of %s", windows, b.Name)
	}
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// State is the machine's state now.
func (b *Box) State(t testing.TB) *Machine {
	t.Helper()
	m, err := LoadMachine(b.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Fail makes the named commands ("Octopus.Server.exe database") exit 1
// until Fail is called again.
func (b *Box) Fail(t testing.TB, commands ...string) {
	t.Helper()
	m := b.State(t)
	m.Fail = commands
	if err := m.save(b.Dir); err != nil {
		t.Fatal(err)
	}
}

// Change changes the machine's state, as something outside the scripts
// does (a service stopped, a server trusted by hand).
func (b *Box) Change(t testing.TB, change func(m *Machine)) {
	t.Helper()
	m := b.State(t)
	change(m)
	if err := m.save(b.Dir); err != nil {
		t.Fatal(err)
	}
}

// Inert makes the named commands exit 0 and change nothing until Inert is
// called again.
func (b *Box) Inert(t testing.TB, commands ...string) {
	t.Helper()
	m := b.State(t)
	m.Inert = commands
	if err := m.save(b.Dir); err != nil {
		t.Fatal(err)
	}
}

// Wipe makes the machine new again, as a rebuilt machine of the same name
// is: its drives, instances, services and call log are gone.
func (b *Box) Wipe(t testing.TB) *Box {
	t.Helper()
	if err := os.RemoveAll(b.Dir); err != nil {
		t.Fatal(err)
	}
	return b.w.Machine(t, b.Name)
}

// Calls are every stand-in call on this machine so far.
func (b *Box) Calls(t testing.TB) []Call {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(b.Dir, "calls.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var calls []Call
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var c Call
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	return calls
}

// Transcripts is the text of every transcript the scripts left in the
// machine's $env:ProgramData\octoha\logs.
func (b *Box) Transcripts(t testing.TB) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(b.Dir, "C", "ProgramData", "octoha", "logs", "*"))
	var all strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
	}
	return all.String()
}

// RunOptions are one run's parameters, as an admin would pass them.
type RunOptions struct {
	// Params are plain parameters; Secrets become SecureStrings; Switches
	// are switch parameters (WhatIf, Force, ...).
	Params   map[string]string
	Secrets  map[string]string
	Switches []string
	// Legacy passes arguments to an .exe as Windows PowerShell 5.1 does.
	Legacy bool
}

// Run is what one run of a script did.
type Run struct {
	Script string
	// Output is every stream the script wrote, one record a line
	// (warnings as WARNING: ..., errors as ERROR: ...); Host is what it
	// wrote straight to the host (What if: lines).
	Output []string
	Host   []string
	// Error is the terminating error that stopped the script, or "".
	Error string
	// Calls are the stand-in calls this run made.
	Calls  []Call
	Sleeps int
	// TranscriptLeftOpen says the script ended with its transcript still
	// recording (the host then stopped it).
	TranscriptLeftOpen bool
}

// Text is the run's output and host text, for messages.
func (r Run) Text() string {
	return strings.Join(append(slices.Clone(r.Host), r.Output...), "\n")
}

// LastLine is the last non-empty line of the run's output.
func (r Run) LastLine() string {
	for i := len(r.Output) - 1; i >= 0; i-- {
		if line := strings.TrimSpace(r.Output[i]); line != "" {
			return line
		}
	}
	return ""
}

// Run runs the script at path (a Linux path) on the machine.
func (b *Box) Run(t testing.TB, path string, o RunOptions) Run {
	t.Helper()
	before := len(b.Calls(t))
	m := b.State(t)
	programData, _ := m.localPath(`C:\ProgramData`)
	passing := "Standard"
	if o.Legacy {
		passing = "Legacy"
	}
	request := map[string]any{
		"Kind": "run", "Script": path, "Drives": m.Drives, "Location": m.Drives["C"],
		"Params": orEmpty(o.Params), "Secrets": orEmpty(o.Secrets), "Switches": o.Switches, "ArgumentPassing": passing,
		"Env": map[string]string{
			"COMPUTERNAME": b.Name, "ProgramData": programData, "SystemRoot": `C:\Windows`,
			envMachine: b.Dir, envWorld: b.w.Dir, "OCTOHA_WINSIM_API": b.w.api.srv.URL, "OCTOHA_WINSIM_SHIM": filepath.Join(b.w.Dir, "shim"),
		},
	}
	var answer struct {
		Output             []string
		Error              *string
		Sleeps             int
		TranscriptLeftOpen bool
	}
	hostText, err := b.w.pool.Do(request, &answer)
	if err != nil {
		t.Fatalf("running %s on %s: %v", filepath.Base(path), b.Name, err)
	}
	r := Run{Script: filepath.Base(path), Output: answer.Output, Host: hostText, Sleeps: answer.Sleeps, TranscriptLeftOpen: answer.TranscriptLeftOpen}
	if answer.Error != nil {
		r.Error = *answer.Error
	}
	r.Calls = b.Calls(t)[before:]
	if answer.TranscriptLeftOpen {
		t.Errorf("%s on %s left its transcript running in the session (the host stopped it)", r.Script, b.Name)
	}
	if _, err := os.Stat(filepath.Join(b.w.Dir, "PWNED")); err == nil {
		data, _ := os.ReadFile(filepath.Join(b.w.Dir, "PWNED"))
		t.Fatalf("%s on %s ran a hostile value as code: %s", r.Script, b.Name, data)
	}
	return r
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Snapshot is everything a run can change in the world, as text: the
// shared state, every machine's state and files, and the shares. Call logs
// and transcripts are left out: every run, -WhatIf too, adds to them.
func (w *World) Snapshot(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	walk := func(root string) {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(w.Dir, path)
			if d.Name() == "calls.jsonl" || strings.HasSuffix(filepath.ToSlash(path), "ProgramData/octoha") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type()&os.ModeType == 0 {
				data, _ := os.ReadFile(path)
				if !d.IsDir() && strings.HasSuffix(path, ".exe") {
					data = nil // the stand-in wrappers
				}
				fmt.Fprintf(&b, "file %s\n%s\n", rel, data)
			} else {
				fmt.Fprintf(&b, "dir %s\n", rel)
			}
			return nil
		})
	}
	walk(w.Dir)
	for _, s := range w.shares {
		fmt.Fprintf(&b, "share %s\n", s)
		walk(s)
	}
	return b.String()
}
