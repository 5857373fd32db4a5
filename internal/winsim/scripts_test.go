package winsim_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/internal/winsim"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// Every emitted script, run in a real PowerShell as an admin would run it:
// -WhatIf on a fresh machine, a first run, a second run on the same
// machine, the same first runs with Windows PowerShell 5.1's way of
// passing arguments to an .exe, a run that fails half way and its re-run,
// and the scripts made for one node run on another. Each node and the
// Tentacle run on a machine of their own; the shares are shared. This is
// for every example, for four answers files full of hostile values, and
// for what add-node and remove-node write.

func TestMain(m *testing.M) {
	winsim.StandIn()
	code := m.Run()
	if sharedPool != nil {
		sharedPool.Close()
	}
	os.Exit(code)
}

var (
	poolOnce   sync.Once
	sharedPool *winsim.Pool
	poolErr    error
)

// pool starts the PowerShell hosts once for the whole test binary, or
// skips when this machine has no PowerShell.
func pool(t *testing.T) *winsim.Pool {
	t.Helper()
	pwsh, err := winsim.FindPwsh()
	if err != nil {
		if os.Getenv(winsim.EnvPwsh) != "" {
			t.Fatal(err)
		}
		t.Skip("skipped: no PowerShell (" + err.Error() + ")")
	}
	if os.Geteuid() != 0 {
		t.Skip("skipped: these runs need root (the scripts' #Requires -RunAsAdministrator, and UNC shares as folders under /)")
	}
	poolOnce.Do(func() { sharedPool, poolErr = winsim.NewPool(pwsh, max(2, runtime.GOMAXPROCS(0))) })
	if poolErr != nil {
		t.Fatal(poolErr)
	}
	return sharedPool
}

// clusterCase is one answers file and the secrets its admin types.
type clusterCase struct {
	name    string
	answers steps.Answers
	secrets secrets
	hostile bool
}

type secrets struct {
	Admin, Service, SQL, Redis, APIKey string
}

func (s secrets) all() []string {
	return []string{s.Admin, s.Service, s.SQL, s.Redis, s.APIKey}
}

// hostileText breaks out of any quoting that is not PowerShell's own:
// every quote PowerShell knows (smart ones too), backticks, $(...), a
// statement separator and a comment. A breakout calls Invoke-Pwned.
func hostileText(tag string) string {
	return fmt.Sprintf("%s'\u2018\u2019\"\u201c\u201d`$(Invoke-Pwned %s);Invoke-Pwned;$env:PATH #", tag, tag)
}

// hostilePath is hostileText without the double quote and the colon, which
// no Windows file name may hold.
func hostilePath(tag string) string {
	return strings.NewReplacer(`"`, "", ":", "").Replace(hostileText(tag))
}

// hostileSecret is hostileText ending in a backslash, which the legacy
// argument passing must not let escape the closing quote.
func hostileSecret(tag string) string {
	return fmt.Sprintf("p%s'\u2019\"`$(Invoke-Pwned %s); x \\", tag, tag)
}

func exampleCases(t *testing.T) []clusterCase {
	t.Helper()
	names, examples := testkit.Examples(t)
	var out []clusterCase
	for i, name := range names {
		out = append(out, clusterCase{name: name, answers: examples[name], secrets: secrets{
			Admin: fmt.Sprintf("Admin-pw-%d", i), Service: fmt.Sprintf("Service-pw-%d", i), SQL: fmt.Sprintf("Sql-pw-%d", i),
			Redis: fmt.Sprintf("Redis-pw-%d", i), APIKey: fmt.Sprintf("API-EXAMPLE%04dKEY", i)}})
	}
	return out
}

// exampleCase is the example called name, with its secrets, changed by
// change when it is not nil.
func exampleCase(t *testing.T, name string, change func(a *steps.Answers)) clusterCase {
	t.Helper()
	for _, c := range exampleCases(t) {
		if c.name == name {
			a := c.answers
			a.Nodes = slices.Clone(a.Nodes)
			if change != nil {
				change(&a)
			}
			c.answers = a
			return c
		}
	}
	t.Fatalf("no example %s", name)
	return clusterCase{}
}

// hostileCases are four examples with a hostile value in every field
// whose value octoha's own checks accept, and hostile secrets.
func hostileCases(t *testing.T, examples []clusterCase) []clusterCase {
	t.Helper()
	var out []clusterCase
	for _, c := range examples {
		switch c.name {
		case "2-node-listening-nginx-sql-auth", "3-node-polling-redis-haproxy", "4-node-polling-unique-port-nginx", "2-node-polling-unique-address-external":
		default:
			continue
		}
		a := c.answers
		a.Nodes = slices.Clone(a.Nodes)
		n := 0
		try := func(set func(v string), old string, value func(tag string) string) {
			n++
			set(value(fmt.Sprintf("H%02d", n)))
			if validate.Check(a).HasErrors() {
				set(old)
			}
		}
		text := hostileText
		for _, p := range []*string{&a.Octopus.Instance, &a.Octopus.AdminUsername, &a.Database.Name, &a.Database.User, &a.Tentacles.Instance, &a.Tentacles.Space} {
			try(func(v string) { *p = v }, *p, text)
		}
		try(func(v string) { a.Octopus.AdminEmail = v }, a.Octopus.AdminEmail, func(tag string) string { return hostilePath(tag) + "@corp.local" })
		try(func(v string) { a.Octopus.HomeDir = v }, a.Octopus.HomeDir, func(tag string) string { return `D:\Oct` + hostilePath(tag) })
		try(func(v string) { a.Octopus.InstallDir = v }, a.Octopus.InstallDir, func(tag string) string { return `E:\Program Files\Oct` + hostilePath(tag) })
		if a.Octopus.ServiceAccount != "" {
			try(func(v string) { a.Octopus.ServiceAccount = v }, a.Octopus.ServiceAccount, func(tag string) string { return `CORP\svc` + text(tag) })
		}
		try(func(v string) { a.Storage.Root = v }, a.Storage.Root, func(tag string) string { return a.Storage.Root + `\Oct` + hostilePath(tag) })
		try(func(v string) { a.Tentacles.Environments = []string{v, "Test"} }, strings.Join(a.Tentacles.Environments, ""), text)
		try(func(v string) { a.Tentacles.Roles = []string{v} }, strings.Join(a.Tentacles.Roles, ""), text)
		for i := range a.Nodes {
			try(func(v string) { a.Nodes[i].Name = v }, a.Nodes[i].Name, text)
		}
		if findings := validate.Check(a); findings.HasErrors() {
			t.Fatalf("hostile %s: %v", c.name, findings)
		}
		out = append(out, clusterCase{name: "hostile-" + c.name, answers: a, hostile: true, secrets: secrets{
			Admin: hostileSecret("A"), Service: hostileSecret("S"), SQL: hostileSecret("Q"), Redis: strings.ReplaceAll(hostileSecret("R"), ",", ""),
			// An API key goes into a web request's header, which holds ASCII only.
			APIKey: "API-K'\"`$(Invoke-Pwned K);x \\"}})
	}
	if len(out) != 4 {
		t.Fatalf("%d hostile cases, want 4", len(out))
	}
	return out
}

var fileServers atomic.Int64

// cluster is one world with a case's answers rendered into it.
type cluster struct {
	c   clusterCase
	a   steps.Answers
	w   *winsim.World
	out string
	// host is the world's file server, unique so that worlds run at once.
	host  string
	boxes map[string]*winsim.Box
	tent  *winsim.Box
	// runs are every run so far, for the secrets check.
	runs []winsim.Run
}

// newCluster makes a world for the case: its file server gets a name of
// its own, and every other answer is the case's.
func newCluster(t *testing.T, p *winsim.Pool, c clusterCase) *cluster {
	t.Helper()
	host := fmt.Sprintf("winsim-fs-%d-%d", os.Getpid(), fileServers.Add(1))
	a := c.answers
	for _, s := range []*string{&a.Storage.Root, &a.Storage.Artifacts, &a.Storage.TaskLogs, &a.Storage.Packages, &a.Storage.Imports, &a.Storage.EventExports} {
		if rest, ok := strings.CutPrefix(*s, `\\`); ok && *s != "" {
			_, share, _ := strings.Cut(rest, `\`)
			*s = `\\` + host + `\` + share
		}
	}
	cl := &cluster{c: c, a: a, w: winsim.NewWorld(t, p, c.secrets.APIKey), host: host, boxes: map[string]*winsim.Box{}}
	cl.out = filepath.Join(cl.w.Dir, "out")
	files, err := render.All(a)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, cl.out, files)
	cl.w.Share(t, a.Storage.Root)
	for _, s := range a.SharedFolders() {
		if s.Path != "" {
			cl.w.Share(t, s.Path)
		}
	}
	if !a.Database.Create {
		// database.create: false: the DBA made it, empty.
		cl.w.EmptyDatabase(t, a.Database.Server, a.Database.Port, a.Database.Name)
	}
	for i := range a.Nodes {
		cl.node(t, i)
	}
	if a.PollingMode() == steps.PollingRedis {
		r := a.Tentacles.Redis
		cl.w.Redis(t, r.Host, r.Port, c.secrets.Redis, r.SSL)
	}
	if a.Tentacles.Space != "" {
		cl.w.UpdateCluster(t, func(c *winsim.Cluster) {
			c.Spaces = append(c.Spaces, winsim.Space{Id: "Spaces-2", Name: a.Tentacles.Space})
		})
	}
	cl.tent = cl.w.Machine(t, "TENT1")
	cl.tent.Install(t, "Tentacle.exe", `C:\Program Files\Octopus Deploy\Tentacle`, "8.3.2995")
	return cl
}

// node is the machine of a.Nodes[i], made with Octopus installed.
func (cl *cluster) node(t *testing.T, i int) *winsim.Box {
	t.Helper()
	name := cl.a.Nodes[i].Name
	if b, ok := cl.boxes[name]; ok {
		return b
	}
	b := cl.w.Machine(t, name)
	b.Install(t, "Octopus.Server.exe", cl.a.Octopus.InstallDir, string(cl.a.Octopus.Version))
	b.WriteFile(t, `C:\Install\octopus-licence.xml`, []byte("<License>winsim</License>"))
	cl.boxes[name] = b
	return b
}

func writeFiles(t *testing.T, dir string, files []render.File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// serverSecrets are the secrets a node script asks for with these answers.
func (cl *cluster) serverSecrets() map[string]string {
	s := map[string]string{}
	if cl.a.Database.Auth == steps.AuthSQL {
		s["SqlPassword"] = cl.c.secrets.SQL
	}
	if cl.a.Octopus.ServiceAccount != "" && !strings.HasSuffix(cl.a.Octopus.ServiceAccount, "$") {
		s["ServicePassword"] = cl.c.secrets.Service
	}
	if cl.a.PollingMode() == steps.PollingRedis {
		s["RedisPassword"] = cl.c.secrets.Redis
	}
	return s
}

// script is one emitted script to run, with what it needs.
type script struct {
	path string
	opts winsim.RunOptions
	// onceOnly are the commands a second run must not repeat.
	onceOnly []string
}

func (cl *cluster) firstNode() script {
	secrets := cl.serverSecrets()
	secrets["AdminPassword"] = cl.c.secrets.Admin
	return script{
		path:     filepath.Join(cl.out, render.FirstNodeScript),
		opts:     winsim.RunOptions{Params: map[string]string{"LicenseFile": `C:\Install\octopus-licence.xml`}, Secrets: secrets},
		onceOnly: []string{"create-instance", "admin", "license", "database --create", "database --upgrade", "path", "node --taskCap"},
	}
}

func (cl *cluster) join(t *testing.T, dir string, i int) script {
	t.Helper()
	secrets := cl.serverSecrets()
	secrets["MasterKey"] = cl.masterKey(t)
	return script{path: filepath.Join(dir, render.JoinScript(cl.a.Nodes[i].Name)), opts: winsim.RunOptions{Secrets: secrets},
		onceOnly: []string{"create-instance", "database --create"}}
}

func (cl *cluster) tentacle() script {
	s := script{path: filepath.Join(cl.out, render.TentacleScript), opts: winsim.RunOptions{Secrets: map[string]string{"ApiKey": cl.c.secrets.APIKey}},
		onceOnly: []string{"create-instance"}}
	if !cl.a.UsesPolling() {
		// The admin reads the thumbprint on a node with show-thumbprint.
		s.opts.Params = map[string]string{"ServerThumbprint": cl.w.ServerThumbprint(), "PublicHostName": "tent1.corp.local"}
	}
	return s
}

// masterKey is the key the first node's database was made with, as
// show-master-key prints it.
func (cl *cluster) masterKey(t *testing.T) string {
	t.Helper()
	for _, in := range cl.boxes[cl.a.Nodes[0].Name].State(t).Server {
		if in.MasterKey != "" {
			return in.MasterKey
		}
	}
	return "AAAAAAAAAAAAAAAAAAAAAA=="
}

// markerPath is the cluster marker file on the share, as a local path.
func (cl *cluster) markerPath(t *testing.T) string {
	t.Helper()
	dir, err := winsim.UNCFolder(cl.a.Storage.Root)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "octoha-cluster.txt")
}

// readOnly are the commands a -WhatIf run may make.
var readOnly = map[string]bool{
	"Octopus.Server.exe list-instances": true, "Octopus.Server.exe show-configuration": true, "Octopus.Server.exe show-master-key": true,
	"Octopus.Server.exe show-thumbprint": true, "Tentacle.exe list-instances": true, "Tentacle.exe show-configuration": true,
	"Tentacle.exe show-thumbprint": true, "shim get-service": true, "shim get-firewall-rule": true, "shim file-version": true,
	"shim computer-account": true, "shim sql-scalar": true,
}

// nothingChanged is how a -WhatIf run's last line begins.
const nothingChanged = "-WhatIf: nothing was changed"

// whatIf runs s with -WhatIf: it must finish, change nothing, run only
// read commands, and end by saying that nothing was changed.
func (cl *cluster) whatIf(t *testing.T, b *winsim.Box, s script) winsim.Run {
	t.Helper()
	before := cl.w.Snapshot(t)
	o := s.opts
	o.Switches = append(slices.Clone(o.Switches), "WhatIf")
	r := b.Run(t, s.path, o)
	cl.record(r)
	if r.Error != "" {
		t.Errorf("%s -WhatIf on %s stopped: %s\n%s", r.Script, b.Name, r.Error, r.Text())
		return r
	}
	if after := cl.w.Snapshot(t); after != before {
		t.Errorf("%s -WhatIf on %s changed the machine:\n%s", r.Script, b.Name, diff(before, after))
	}
	for _, c := range r.Calls {
		if !readOnly[c.Tool+" "+c.Command()] {
			t.Errorf("%s -WhatIf on %s ran %s %s, which changes things", r.Script, b.Name, c.Tool, c.Command())
		}
	}
	if !strings.HasPrefix(r.LastLine(), nothingChanged) {
		t.Errorf("%s -WhatIf on %s ends with %q, not %q...\n%s", r.Script, b.Name, r.LastLine(), nothingChanged, r.Text())
	}
	return r
}

// run runs s as is: it must finish.
func (cl *cluster) run(t *testing.T, b *winsim.Box, s script, legacy bool) winsim.Run {
	t.Helper()
	o := s.opts
	o.Legacy = legacy
	r := b.Run(t, s.path, o)
	cl.record(r)
	if r.Error != "" {
		t.Errorf("%s on %s stopped: %s\n%s", r.Script, b.Name, r.Error, r.Text())
	}
	return r
}

// rerun runs s a second time: it must finish without repeating a
// once-only step, and claim what the first run claimed.
func (cl *cluster) rerun(t *testing.T, b *winsim.Box, s script, first, whatIf winsim.Run) {
	t.Helper()
	r := cl.run(t, b, s, false)
	for _, c := range r.Calls {
		for _, once := range s.onceOnly {
			command, flag, _ := strings.Cut(once, " ")
			if c.Command() == command && (flag == "" || slices.Contains(c.Args, flag)) {
				t.Errorf("the second run of %s on %s ran %s again", r.Script, b.Name, once)
			}
		}
	}
	if first.Error == "" && r.Error == "" && first.LastLine() != r.LastLine() {
		t.Errorf("%s on %s: the first run ends %q, the second %q", r.Script, b.Name, first.LastLine(), r.LastLine())
	}
	// What a real run claims at its end, -WhatIf must not claim.
	if claim := first.LastLine(); claim != "" && strings.Contains(whatIf.Text(), claim) {
		t.Errorf("%s -WhatIf on %s claims %q, as a real run does", r.Script, b.Name, claim)
	}
}

// wrongMachine runs s on a machine it was not made for: it must stop
// before it changes anything, naming both nodes.
func (cl *cluster) wrongMachine(t *testing.T, b *winsim.Box, s script, meant string) {
	t.Helper()
	before := cl.w.Snapshot(t)
	o := s.opts
	o.Switches = append(slices.Clone(o.Switches), "Force")
	if !strings.Contains(filepath.Base(s.path), "drain-node") {
		o.Switches = o.Switches[:len(o.Switches)-1]
	}
	r := b.Run(t, s.path, o)
	cl.record(r)
	if r.Error == "" {
		t.Errorf("%s, made for %s, ran to its end on %s:\n%s", r.Script, meant, b.Name, r.Text())
	} else if !strings.Contains(r.Error, meant) || !strings.Contains(r.Error, b.Name) {
		t.Errorf("%s on %s stopped without naming both nodes (%s, %s): %s", r.Script, b.Name, meant, b.Name, r.Error)
	}
	if after := cl.w.Snapshot(t); after != before {
		t.Errorf("%s, made for %s, changed %s:\n%s", r.Script, meant, b.Name, diff(before, after))
	}
}

// install runs the whole cluster's install: the first node, each joining
// node and a Tentacle, each -WhatIf, then for real, then again. It
// returns each first run's calls, by machine and script.
func (cl *cluster) install(t *testing.T) map[string][]winsim.Call {
	t.Helper()
	calls := map[string][]winsim.Call{}
	first := cl.boxes[cl.a.Nodes[0].Name]
	s := cl.firstNode()
	w := cl.whatIf(t, first, s)
	r := cl.run(t, first, s, false)
	calls[first.Name+"/"+r.Script] = r.Calls
	if r.Error != "" {
		t.FailNow()
	}
	if _, err := os.Stat(cl.markerPath(t)); err != nil {
		t.Errorf("the first node wrote no cluster marker: %v", err)
	}
	cl.runPrinted(t, first, r, "show-master-key")
	cl.rerun(t, first, s, r, w)
	for i := 1; i < len(cl.a.Nodes); i++ {
		b := cl.boxes[cl.a.Nodes[i].Name]
		s := cl.join(t, cl.out, i)
		w := cl.whatIf(t, b, s)
		r := cl.run(t, b, s, false)
		calls[b.Name+"/"+r.Script] = r.Calls
		cl.rerun(t, b, s, r, w)
	}
	s = cl.tentacle()
	w = cl.whatIf(t, cl.tent, s)
	r = cl.run(t, cl.tent, s, false)
	calls[cl.tent.Name+"/"+r.Script] = r.Calls
	cl.rerun(t, cl.tent, s, r, w)
	cl.checkInstalled(t)
	return calls
}

// runPrinted runs, as the admin would paste it, the command a run printed
// for command: it must run exactly that Octopus.Server.exe command on this
// cluster's instance, whatever quotes the install folder or instance hold.
func (cl *cluster) runPrinted(t *testing.T, b *winsim.Box, r winsim.Run, command string) {
	t.Helper()
	var line string
	for _, l := range r.Output {
		if strings.Contains(l, " "+command+" ") && strings.HasPrefix(strings.TrimSpace(l), "& ") {
			line = strings.TrimSpace(l)
		}
	}
	if line == "" {
		t.Errorf("%s on %s printed no %s command:\n%s", r.Script, b.Name, command, r.Text())
		return
	}
	path := filepath.Join(cl.w.Dir, "printed-"+command+".ps1")
	if err := os.WriteFile(path, []byte("\ufeff"+line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := b.Run(t, path, winsim.RunOptions{})
	if p.Error != "" || len(p.Calls) != 1 || p.Calls[0].Command() != command ||
		!slices.Equal(p.Calls[0].Args[1:], []string{"--instance", cl.a.Octopus.Instance}) {
		t.Errorf("the printed command %q does not run as %s --instance %q: %s %+v", line, command, cl.a.Octopus.Instance, p.Error, p.Calls)
	}
}

// checkInstalled: every node runs and has its row in the database, with
// the values the answers give; the Tentacle is registered and trusts
// every node it must.
func (cl *cluster) checkInstalled(t *testing.T) {
	t.Helper()
	c := cl.w.Cluster(t)
	if len(c.Databases) != 1 {
		t.Fatalf("%d databases, want 1: %v", len(c.Databases), c.Databases)
	}
	for _, db := range c.Databases {
		if !db.Schema {
			t.Errorf("the database has no Octopus schema")
		}
		if want := cl.grants(t); !slices.Equal(slices.Sorted(slices.Values(db.Grants)), want) {
			t.Errorf("database --grant made %q db_owner, want %q", db.Grants, want)
		}
		if !slices.Equal(db.Admins, []string{cl.a.Octopus.AdminUsername}) {
			t.Errorf("administrators %q, want %q", db.Admins, cl.a.Octopus.AdminUsername)
		}
		if db.Paths["clusterShared"] != cl.a.Storage.Root {
			t.Errorf("path --clusterShared is %q, want %q", db.Paths["clusterShared"], cl.a.Storage.Root)
		}
		for _, n := range cl.a.Nodes {
			if db.Nodes[n.Name] == nil {
				t.Errorf("node %s has no row in the database", n.Name)
			}
		}
	}
	for i, n := range cl.a.Nodes {
		m := cl.boxes[n.Name].State(t)
		in := m.Server[cl.a.Octopus.Instance]
		if in == nil {
			t.Errorf("%s has no instance %s", n.Name, cl.a.Octopus.Instance)
			continue
		}
		if in.NodeName != n.Name {
			t.Errorf("%s's node name is %q", n.Name, in.NodeName)
		}
		svc := m.Services[cl.a.ServiceName()]
		if svc == nil || svc.Status != "Running" {
			t.Errorf("%s: the service %s is not running: %+v", n.Name, cl.a.ServiceName(), svc)
		}
		if cl.a.Octopus.ServiceAccount != "" && svc != nil && svc.Account != cl.a.Octopus.ServiceAccount {
			t.Errorf("%s: the service runs as %q, want %q", n.Name, svc.Account, cl.a.Octopus.ServiceAccount)
		}
		cl.checkConnectionString(t, n.Name, in.ConnectionString)
		if got, want := firewall(m), cl.wantFirewall(i); !slices.Equal(got, want) {
			t.Errorf("%s: firewall rules %q, want %q", n.Name, got, want)
		}
		if want := fmt.Sprint(cl.a.NodeCommsPort(i)); in.CommsListenPort != want {
			t.Errorf("%s: comms port %s, want %s", n.Name, in.CommsListenPort, want)
		}
	}
	tent := cl.tent.State(t)
	tin := tent.Tentacle[cl.a.Tentacles.Instance]
	if tin == nil {
		t.Fatalf("TENT1 has no Tentacle instance %s", cl.a.Tentacles.Instance)
	}
	target := c.Machines["TENT1"]
	if target == nil {
		t.Fatalf("TENT1 is not registered: %v", c.Machines)
	}
	if !slices.Equal(target.Environments, cl.a.Tentacles.Environments) || !slices.Equal(target.Roles, cl.a.Tentacles.Roles) {
		t.Errorf("TENT1 is registered in %q with roles %q, want %q and %q", target.Environments, target.Roles, cl.a.Tentacles.Environments, cl.a.Tentacles.Roles)
	}
	want := 0
	switch cl.a.PollingMode() {
	case "":
	case steps.PollingRedis:
		want = 1
	default:
		want = len(cl.a.Nodes)
	}
	polled := 0
	for _, s := range tin.Trusted {
		if s.Address != "" {
			polled++
		}
	}
	if polled != want {
		t.Errorf("TENT1 polls %d addresses, want %d: %+v", polled, want, tin.Trusted)
	}
	// Every server it trusts is the cluster, by its one certificate; a
	// listening Tentacle trusts it once.
	for _, s := range tin.Trusted {
		if s.Thumbprint != cl.w.ServerThumbprint() {
			t.Errorf("TENT1 trusts %+v, which is not the cluster's certificate %s", s, cl.w.ServerThumbprint())
		}
	}
	if want == 0 && len(tin.Trusted) != 1 {
		t.Errorf("TENT1 trusts %d servers, want the cluster once: %+v", len(tin.Trusted), tin.Trusted)
	}
}

// grants are the logins the scripts must make db_owner with database
// --grant, sorted: with Windows authentication the service account, or
// each node's computer account when the service runs as Local System; with
// SQL authentication none, since every node connects as the SQL login.
func (cl *cluster) grants(t *testing.T) []string {
	t.Helper()
	var want []string
	switch {
	case cl.a.Database.Auth == steps.AuthSQL:
	case cl.a.Octopus.ServiceAccount != "":
		want = []string{cl.a.Octopus.ServiceAccount}
	default:
		for _, n := range cl.a.Nodes {
			if b := cl.boxes[n.Name]; b != nil && len(b.State(t).Server) > 0 {
				want = append(want, b.State(t).ComputerAccount())
			}
		}
	}
	slices.Sort(want)
	return want
}

// checkConnectionString: the string a node stored names the answers'
// server and database, and carries the SQL password whole.
func (cl *cluster) checkConnectionString(t *testing.T, node, s string) {
	t.Helper()
	cfg, err := msdsn.Parse(s)
	if err != nil {
		t.Errorf("%s: connection string %q: %v", node, s, err)
		return
	}
	if cfg.Database != cl.a.Database.Name {
		t.Errorf("%s: Initial Catalog %q, want %q", node, cfg.Database, cl.a.Database.Name)
	}
	if cl.a.Database.Auth == steps.AuthSQL && (cfg.User != cl.a.Database.User || cfg.Password != cl.c.secrets.SQL) {
		t.Errorf("%s: the connection string's login is %q / %q, want %q / %q", node, cfg.User, cfg.Password, cl.a.Database.User, cl.c.secrets.SQL)
	}
}

// totalRuns counts every script run, for the timing the test logs.
var totalRuns atomic.Int64

func (cl *cluster) record(r winsim.Run) {
	cl.runs = append(cl.runs, r)
	totalRuns.Add(1)
}

// noSecrets: no secret and no master key in any transcript or output.
func (cl *cluster) noSecrets(t *testing.T) {
	t.Helper()
	secrets := append(cl.c.secrets.all(), cl.masterKey(t))
	var texts []string
	for _, b := range append(slices.Collect(maps.Values(cl.boxes)), cl.tent) {
		texts = append(texts, b.Transcripts(t))
	}
	for _, r := range cl.runs {
		texts = append(texts, r.Text())
	}
	for _, text := range texts {
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("a secret (%.6s...) reached a transcript or the screen", s)
			}
		}
	}
}

// diff is the lines of after that are not in before, and the other way.
func diff(before, after string) string {
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, "+ "+l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out = append(out, "- "+l)
		}
	}
	if len(out) > 20 {
		out = append(out[:20], "...")
	}
	return strings.Join(out, "\n")
}

// normalise makes a call comparable across worlds.
func (cl *cluster) normalise(calls []winsim.Call) []string {
	var out []string
	for _, c := range calls {
		if c.Tool == "shim" {
			continue
		}
		// A master key is random where the first node makes one.
		args := slices.Clone(c.Args)
		for i := range args {
			if i > 0 && args[i-1] == "--masterKey" {
				args[i] = "MASTERKEY"
			}
		}
		call := fmt.Sprintf("%s %q -> %d", c.Tool, args, c.Exit)
		out = append(out, strings.NewReplacer(cl.host, "FILESERVER", cl.w.Dir, "WORLD").Replace(call))
	}
	return out
}
