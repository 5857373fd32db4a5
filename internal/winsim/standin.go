package winsim

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/octoha/octoha/steps"
)

// The stand-in programs. A test binary that calls StandIn first in its
// TestMain becomes Octopus.Server.exe, Tentacle.exe, sc.exe or the shim
// behind the Windows cmdlets when the wrapper script that runs it says so.

const (
	toolServer   = "Octopus.Server.exe"
	toolTentacle = "Tentacle.exe"
	toolSC       = "sc.exe"
	// toolShim answers the cmdlets Linux lacks (Get-Service and the like).
	toolShim = "shim"
)

// Environment variables the wrapper scripts and the PowerShell host set.
const (
	envTool    = "OCTOHA_WINSIM_TOOL"
	envMachine = "OCTOHA_WINSIM_MACHINE"
	envWorld   = "OCTOHA_WINSIM_WORLD"
)

// Call is one run of a stand-in, as calls.jsonl records it.
type Call struct {
	Tool string
	Args []string
	Exit int
}

// Command is the call's command: its first argument.
func (c Call) Command() string {
	if len(c.Args) == 0 {
		return ""
	}
	return c.Args[0]
}

// StandIn runs the stand-in the environment names and exits; without one
// it returns, and the test binary goes on as itself.
func StandIn() {
	tool := os.Getenv(envTool)
	if tool == "" {
		return
	}
	os.Exit(runStandIn(tool, os.Args[1:], os.Stdout, os.Stderr))
}

func runStandIn(tool string, args []string, stdout, stderr io.Writer) int {
	machineDir, worldDir := os.Getenv(envMachine), os.Getenv(envWorld)
	s := &standIn{tool: tool, args: args, out: stdout, machineDir: machineDir, worldDir: worldDir}
	code := s.run()
	if code != 0 && s.errText != "" {
		fmt.Fprintln(stderr, s.errText)
	}
	if f, err := os.OpenFile(filepath.Join(machineDir, "calls.jsonl"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		line, _ := json.Marshal(Call{Tool: tool, Args: args, Exit: code})
		f.Write(append(line, '\n'))
		f.Close()
	}
	return code
}

// standIn is one call of a stand-in.
type standIn struct {
	tool, machineDir, worldDir string
	args                       []string
	out                        io.Writer
	errText                    string

	m *Machine
	c *Cluster
}

func (s *standIn) fail(format string, a ...any) int {
	s.errText = fmt.Sprintf(format, a...)
	return 1
}

func (s *standIn) run() int {
	if s.machineDir == "" || s.worldDir == "" {
		return s.fail("winsim: %s and %s must be set", envMachine, envWorld)
	}
	var err error
	if s.m, err = LoadMachine(s.machineDir); err != nil {
		return s.fail("%v", err)
	}
	if s.c, err = LoadCluster(s.worldDir); err != nil {
		return s.fail("%v", err)
	}
	before, _ := json.Marshal([]any{s.m, s.c})
	var code int
	switch s.tool {
	case toolServer, toolTentacle:
		code = s.octopusTool()
	case toolSC:
		code = s.sc()
	case toolShim:
		code = s.shim()
	default:
		return s.fail("winsim: no stand-in called %s", s.tool)
	}
	if code != 0 {
		return code
	}
	// Only a change is saved: a command that reads leaves the files alone.
	if after, _ := json.Marshal([]any{s.m, s.c}); string(after) == string(before) {
		return 0
	}
	if err := s.m.save(s.machineDir); err != nil {
		return s.fail("%v", err)
	}
	if err := s.c.save(s.worldDir); err != nil {
		return s.fail("%v", err)
	}
	return 0
}

// option kinds: a switch takes no value; a value option takes one, given
// as --name=value or --name value; a list option may repeat.
type optKind int

const (
	optSwitch optKind = iota
	optValue
	optList
)

// Options every command of both tools takes.
var commonOptions = map[string]optKind{"console": optSwitch, "noconsolelogging": optSwitch, "nologo": optSwitch}

// serverCommands are the Octopus.Server.exe commands octoha's scripts may
// run, with their options as docs/octopus-facts.md §1.3 lists
// them. Anything else is refused, as the real tool refuses an unknown
// option, so a script that invents a flag fails here.
var serverCommands = map[string]map[string]optKind{
	"list-instances":     {"format": optValue},
	"create-instance":    {"instance": optValue, "config": optValue, "home": optValue, "serverNodeName": optValue},
	"database":           {"instance": optValue, "connectionString": optValue, "create": optSwitch, "grant": optValue, "masterKey": optValue, "upgrade": optSwitch, "skipLicenseCheck": optSwitch, "skipDatabaseCompatibilityCheck": optSwitch},
	"configure":          {"instance": optValue, "home": optValue, "webListenPrefixes": optValue, "webForceSSL": optValue, "commsListenPort": optValue, "commsListenWebSocket": optValue, "trustedProxies": optValue, "multiNodePollingTentaclesRedisConnectionString": optValue},
	"service":            {"instance": optValue, "start": optSwitch, "stop": optSwitch, "restart": optSwitch, "install": optSwitch, "reconfigure": optSwitch, "uninstall": optSwitch, "username": optValue, "user": optValue, "password": optValue, "dependOn": optValue},
	"admin":              {"instance": optValue, "username": optValue, "user": optValue, "email": optValue, "password": optValue, "apiKey": optValue},
	"license":            {"instance": optValue, "licenseFile": optValue, "licenseBase64": optValue, "skipLicenseCheck": optSwitch},
	"path":               {"instance": optValue, "clusterShared": optValue, "artifacts": optValue, "taskLogs": optValue, "nugetRepository": optValue, "imports": optValue, "eventExports": optValue},
	"node":               {"instance": optValue, "taskCap": optValue, "drain": optValue, "wait": optValue, "cancel-tasks": optSwitch, "cancel-wait": optValue},
	"show-master-key":    {"instance": optValue, "config": optValue, "format": optValue},
	"show-configuration": {"instance": optValue, "format": optValue, "file": optValue},
	"show-thumbprint":    {"instance": optValue},
}

// tentacleCommands are the Tentacle.exe commands, likewise (docs/octopus-facts.md §6.3).
var tentacleCommands = map[string]map[string]optKind{
	"list-instances":        {"format": optValue},
	"create-instance":       {"instance": optValue, "config": optValue, "home": optValue},
	"new-certificate":       {"instance": optValue, "if-blank": optSwitch},
	"configure":             {"instance": optValue, "home": optValue, "app": optValue, "port": optValue, "trust": optList, "reset-trust": optSwitch, "noListen": optValue},
	"register-with":         {"instance": optValue, "server": optValue, "name": optValue, "comms-style": optValue, "server-comms-address": optValue, "server-comms-port": optValue, "publicHostName": optValue, "force": optSwitch, "space": optValue, "environment": optList, "role": optList, "tenant": optList, "tenanttag": optList, "tenanted-deployment-participation": optValue, "policy": optValue, "apiKey": optValue},
	"poll-server":           {"instance": optValue, "server": optValue, "server-comms-address": optValue, "server-web-socket": optValue, "apiKey": optValue},
	"show-configuration":    {"instance": optValue},
	"show-thumbprint":       {"instance": optValue, "thumbprint-only": optSwitch},
	"service":               {"instance": optValue, "start": optSwitch, "stop": optSwitch, "restart": optSwitch, "install": optSwitch, "reconfigure": optSwitch, "uninstall": optSwitch, "username": optValue, "password": optValue},
	"clear-trusted-servers": {"instance": optValue, "keep": optValue},
}

// opts are one call's parsed options.
type opts map[string][]string

func (o opts) has(name string) bool { _, ok := o[name]; return ok }
func (o opts) value(name string) string {
	v := o[name]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}
func (o opts) values(name string) []string { return o[name] }

// parseOptions reads args as Mono.Options does for these tools: --name,
// --name=value, --name value (and - or / for --).
func parseOptions(args []string, known map[string]optKind) (opts, error) {
	o := opts{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		var name string
		switch {
		case strings.HasPrefix(arg, "--"):
			name = arg[2:]
		case strings.HasPrefix(arg, "-"), strings.HasPrefix(arg, "/"):
			name = arg[1:]
		default:
			return nil, fmt.Errorf("Unrecognized command line arguments: %s", arg)
		}
		value, hasValue := "", false
		if eq := strings.IndexAny(name, "=:"); eq >= 0 {
			name, value, hasValue = name[:eq], name[eq+1:], true
		}
		kind, ok := known[name]
		if !ok {
			kind, ok = commonOptions[name]
		}
		if !ok {
			return nil, fmt.Errorf("Unrecognized command line arguments: %s", arg)
		}
		if kind == optSwitch {
			if hasValue {
				return nil, fmt.Errorf("the option --%s takes no value, but was given %q", name, value)
			}
			o[name] = append(o[name], "")
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("Missing required value for option '--%s'", name)
			}
			i++
			value = args[i]
		}
		if kind == optValue && o.has(name) {
			return nil, fmt.Errorf("the option --%s was given twice", name)
		}
		o[name] = append(o[name], value)
	}
	return o, nil
}

// octopusTool runs one Octopus.Server.exe or Tentacle.exe command.
func (s *standIn) octopusTool() int {
	if len(s.args) == 0 {
		return s.fail("no command given")
	}
	command, rest := s.args[0], s.args[1:]
	table := serverCommands
	if s.tool == toolTentacle {
		table = tentacleCommands
	}
	known, ok := table[command]
	if !ok {
		return s.fail("Command '%s' is not supported", command)
	}
	o, err := parseOptions(rest, known)
	if err != nil {
		return s.fail("%v", err)
	}
	if s.m.failing(s.tool, command) {
		return s.fail("%s %s failed (the test asked for it)", s.tool, command)
	}
	if s.m.inert(s.tool, command) {
		fmt.Fprintf(s.out, "%s %s did nothing (the test asked for it)\n", s.tool, command)
		return 0
	}
	if command == "list-instances" {
		return s.listInstances(o)
	}
	if command != "create-instance" && !o.has("instance") {
		return s.fail("%s %s: this test expects --instance on every command", s.tool, command)
	}
	if s.tool == toolServer {
		return s.server(command, o)
	}
	return s.tentacle(command, o)
}

func (s *standIn) listInstances(o opts) int {
	type entry struct{ InstanceName, ConfigurationFilePath string }
	var list []entry
	if s.tool == toolServer {
		for name, in := range s.m.Server {
			list = append(list, entry{name, in.Config})
		}
	} else {
		for name, in := range s.m.Tentacle {
			list = append(list, entry{name, in.Config})
		}
	}
	slices.SortFunc(list, func(a, b entry) int { return strings.Compare(a.InstanceName, b.InstanceName) })
	if !strings.EqualFold(o.value("format"), "json") {
		for _, e := range list {
			fmt.Fprintf(s.out, "%s\t%s\n", e.InstanceName, e.ConfigurationFilePath)
		}
		return 0
	}
	if list == nil {
		list = []entry{}
	}
	return s.printJSON(list)
}

func (s *standIn) printJSON(v any) int {
	enc := json.NewEncoder(s.out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return s.fail("%v", err)
	}
	return 0
}

// ensureDir makes the local folder for a Windows path on the machine.
func (s *standIn) ensureDir(windows string) {
	if p, ok := s.m.localPath(windows); ok {
		os.MkdirAll(p, 0o755)
	}
}

// database is the database an instance's connection string names, or nil.
func (s *standIn) database(in *ServerInstance) (*Database, string) {
	key, err := databaseKey(in.ConnectionString)
	if err != nil {
		return nil, ""
	}
	return s.c.Databases[key], key
}

// databaseKey names a database by its server and catalog, as a
// connection string gives them.
func databaseKey(connectionString string) (string, error) {
	cfg, err := msdsn.Parse(connectionString)
	if err != nil {
		return "", err
	}
	if cfg.Database == "" {
		return "", fmt.Errorf("the connection string names no Initial Catalog")
	}
	server := cfg.Host
	if cfg.Instance != "" {
		server += `\` + cfg.Instance
	}
	if cfg.Port != 0 {
		server += fmt.Sprintf(",%d", cfg.Port)
	}
	return strings.ToLower(server) + "/" + cfg.Database, nil
}

func (s *standIn) server(command string, o opts) int {
	name := o.value("instance")
	if command == "create-instance" {
		if name == "" {
			return s.fail("create-instance needs --instance")
		}
		if _, ok := s.m.Server[name]; ok {
			return s.fail("An instance named %s already exists", name)
		}
		home := o.value("home")
		node := o.value("serverNodeName")
		if node == "" {
			node = s.m.Name
		}
		s.m.Server[name] = &ServerInstance{Config: o.value("config"), Home: home, NodeName: node}
		s.ensureDir(home)
		fmt.Fprintf(s.out, "Instance %s created\n", name)
		return 0
	}
	in, ok := s.m.Server[name]
	if !ok {
		return s.fail("Instance %s of Octopus Server has not been configured on this machine", name)
	}
	switch command {
	case "database":
		return s.serverDatabase(in, o)
	case "configure":
		for flag, field := range map[string]*string{
			"webListenPrefixes": &in.WebListenPrefixes, "commsListenPort": &in.CommsListenPort, "webForceSSL": &in.WebForceSSL,
			"trustedProxies": &in.TrustedProxies, "multiNodePollingTentaclesRedisConnectionString": &in.RedisConnectionString, "home": &in.Home,
		} {
			if o.has(flag) {
				*field = o.value(flag)
			}
		}
		return 0
	case "service":
		return s.service(toolServer, name, o)
	case "admin", "license", "path":
		db, failed := s.schemaDatabase(in, command)
		if db == nil {
			return failed
		}
		return s.serverClusterWide(command, db, o)
	case "node":
		db, failed := s.schemaDatabase(in, command)
		if db == nil {
			return failed
		}
		// A node that has not run yet gets its row here, and keeps it
		// (drained or capped) when it starts: [INFER] from OctopusDSC,
		// which sets node --taskCap on a new instance before installing
		// its service; the Octopus docs are silent (FACTS.md).
		row := db.Nodes[in.NodeName]
		if row == nil {
			row = &NodeRow{}
			db.Nodes[in.NodeName] = row
		}
		if o.has("taskCap") {
			row.TaskCap = o.value("taskCap")
		}
		if o.has("drain") {
			row.Drain = strings.EqualFold(o.value("drain"), "true")
		}
		return 0
	case "show-master-key":
		if in.MasterKey == "" {
			return s.fail("The instance has no master key")
		}
		fmt.Fprintln(s.out, in.MasterKey)
		return 0
	case "show-configuration":
		return s.showServerConfiguration(in, o)
	case "show-thumbprint":
		fmt.Fprintf(s.out, "The thumbprint of this Octopus Server is: %s\n", thumbprint("server "+s.worldDir))
		return 0
	}
	return s.fail("winsim: %s %s is listed but not modelled", s.tool, command)
}

// schemaDatabase is the instance's database for a command that reads or
// writes Octopus's tables, or nil and the failed exit code when it does
// not exist or has no Octopus schema yet. [INFER] The Octopus commands
// check the schema first: they take --skipDatabaseSchemaUpgradeCheck
// (docs/octopus-facts.md §0), and a database without Octopus's tables has nowhere to
// keep an administrator or a licence.
func (s *standIn) schemaDatabase(in *ServerInstance, command string) (*Database, int) {
	db, _ := s.database(in)
	if db == nil {
		return nil, s.fail("%s: the instance's database does not exist", command)
	}
	if !db.Schema {
		return nil, s.fail("%s: the database has no Octopus schema; run database --upgrade", command)
	}
	return db, 0
}

// serverDatabase is the database command, as the Octopus docs describe it
// (docs octopus.server.exe-command-line/database.md):
//   - --connectionString and --masterKey are saved in the instance's
//     configuration;
//   - --create "creates a new empty database, and upgrades the database to
//     the expected schema", making a master key unless one is given
//     (docs/octopus-facts.md §1.4); on a database that exists "it will say it already
//     exists and won't do anything" (the page's basic example), so a
//     database a DBA made gets neither schema nor key from it;
//   - --upgrade "upgrades the database to the expected schema" of an
//     existing database. [INFER] On an empty one that makes the whole
//     schema. The docs do not say what it does without a master key; here
//     it refuses, so that a script relying on an unstated default fails;
//   - --grant "grants db_owner access to the database" to a login.
//
// The schema remembers the version that made or upgraded it last. From
// 2023.2.9755 on "a database upgrade will abort if Octopus detects there
// are nodes still running" (the High Availability part of
// https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases):
// here a running node is another machine's Octopus service, running, on the
// same database.
func (s *standIn) serverDatabase(in *ServerInstance, o opts) int {
	if o.has("connectionString") {
		if _, err := databaseKey(o.value("connectionString")); err != nil {
			return s.fail("The connection string is not valid: %v", err)
		}
		in.ConnectionString = o.value("connectionString")
	}
	if in.ConnectionString == "" {
		return s.fail("database: no connection string")
	}
	if o.has("masterKey") {
		in.MasterKey = o.value("masterKey")
	}
	db, key := s.database(in)
	if o.has("create") {
		if db != nil {
			fmt.Fprintln(s.out, "The database already exists; nothing was done.")
			return 0
		}
		if in.MasterKey == "" {
			in.MasterKey = masterKey(key)
		}
		db = &Database{Schema: true, SchemaVersion: s.m.Versions[toolServer], MasterKey: in.MasterKey, Paths: map[string]string{}, Nodes: map[string]*NodeRow{}}
		s.c.Databases[key] = db
		fmt.Fprintln(s.out, "The database was created.")
	}
	if o.has("upgrade") {
		if db == nil {
			return s.fail("Cannot open database requested by the login. The login failed.")
		}
		if running := s.otherRunningNodes(key); len(running) > 0 && s.hasUpgradeGuard() {
			return s.fail("The database upgrade was aborted: nodes are still running (%s). Stop them first.", strings.Join(running, ", "))
		}
		version := s.m.Versions[toolServer]
		if !db.Schema {
			if in.MasterKey == "" {
				return s.fail("database --upgrade: this instance has no master key (winsim refuses what the docs leave open)")
			}
			db.Schema = true
			if db.MasterKey == "" {
				db.MasterKey = in.MasterKey
			}
			db.SchemaVersion = version
			fmt.Fprintln(s.out, "The database schema was upgraded.")
		} else if newer(version, db.SchemaVersion) {
			db.SchemaVersion = version
			fmt.Fprintf(s.out, "The database schema was upgraded to %s.\n", version)
		}
	}
	if o.has("grant") {
		if db == nil {
			return s.fail("Cannot open database requested by the login. The login failed.")
		}
		if login := o.value("grant"); !slices.Contains(db.Grants, login) {
			db.Grants = append(db.Grants, login)
		}
	}
	return 0
}

func (s *standIn) serverClusterWide(command string, db *Database, o opts) int {
	switch command {
	case "admin":
		user := o.value("username")
		if user == "" {
			user = o.value("user")
		}
		if user == "" || (!o.has("password") && !o.has("apiKey")) {
			return s.fail("admin needs --username and --password")
		}
		if !slices.Contains(db.Admins, user) {
			db.Admins = append(db.Admins, user)
		}
	case "license":
		file := o.value("licenseFile")
		local, ok := s.m.localPath(file)
		if !ok {
			local = file
		}
		b, err := os.ReadFile(local)
		if err != nil {
			return s.fail("The licence file %s cannot be read: %v", file, err)
		}
		db.Licence = string(b)
	case "path":
		for flag := range serverCommands["path"] {
			if flag != "instance" && o.has(flag) {
				db.Paths[flag] = o.value(flag)
			}
		}
	}
	return 0
}

func (s *standIn) showServerConfiguration(in *ServerInstance, o opts) int {
	flat := map[string]string{
		"Octopus.Home":            in.Home,
		"Octopus.Server.NodeName": in.NodeName,
		"Octopus.Storage.ExternalDatabaseConnectionString": in.ConnectionString,
		"Octopus.WebPortal.ListenPrefixes":                 in.WebListenPrefixes,
		"Octopus.Communications.ServicesPort":              in.CommsListenPort,
	}
	switch strings.ToLower(o.value("format")) {
	case "json":
		return s.printJSON(flat)
	case "json-hierarchical":
		root := map[string]any{}
		for key, value := range flat {
			parts := strings.Split(key, ".")
			at := root
			for _, p := range parts[:len(parts)-1] {
				next, ok := at[p].(map[string]any)
				if !ok {
					next = map[string]any{}
					at[p] = next
				}
				at = next
			}
			at[parts[len(parts)-1]] = value
		}
		return s.printJSON(root)
	}
	fmt.Fprintln(s.out, `<?xml version="1.0" encoding="utf-8"?>`)
	fmt.Fprintln(s.out, `<octopus-settings>`)
	for _, key := range slices.Sorted(maps.Keys(flat)) {
		fmt.Fprintf(s.out, "  <set key=%q>%s</set>\n", key, flat[key])
	}
	fmt.Fprintln(s.out, `</octopus-settings>`)
	return 0
}

// service installs, starts, stops and restarts an instance's service as
// the Octopus tools do. --restart of a stopped service does nothing and
// exits 0 (OctopusTentacle WindowsServiceConfigurator).
func (s *standIn) service(tool, instance string, o opts) int {
	name := serviceName(tool, instance)
	svc := s.m.Services[name]
	if o.has("uninstall") {
		delete(s.m.Services, name)
		return 0
	}
	if o.has("install") && svc == nil {
		svc = &Service{Status: "Stopped", StartType: "Automatic", Account: "LocalSystem", Instance: instance, Tool: tool}
		s.m.Services[name] = svc
		fmt.Fprintf(s.out, "Service %s installed\n", name)
	}
	if svc == nil {
		if o.has("stop") {
			fmt.Fprintf(s.out, "The service %s is not installed\n", name)
			return 0
		}
		return s.fail("The service %s is not installed", name)
	}
	if o.has("install") || o.has("reconfigure") {
		if user := o.value("username"); user != "" {
			if os.Getenv("OCTOPUS_SERVICE_PASSWORD") == "" && !o.has("password") {
				return s.fail("A password is needed for the service account %s", user)
			}
			svc.Account = user
		}
	}
	if o.has("stop") {
		svc.Status = "Stopped"
	}
	if o.has("start") {
		if svc.StartType == "Disabled" {
			return s.fail("The service %s cannot be started: it is disabled", name)
		}
		svc.Status = "Running"
	}
	if o.has("restart") && svc.Status == "Running" {
		svc.Status = "Running"
	}
	if tool == toolServer && svc.Status == "Running" {
		s.registerNode(s.m.Server[instance])
	}
	return 0
}

// registerNode adds a running node's row to its database, as a starting
// Octopus Server does when it can open the database with its master key.
func (s *standIn) registerNode(in *ServerInstance) {
	if in == nil {
		return
	}
	if db, _ := s.database(in); db.opens(in) && db.Nodes[in.NodeName] == nil {
		db.Nodes[in.NodeName] = &NodeRow{}
	}
}

func (s *standIn) tentacle(command string, o opts) int {
	name := o.value("instance")
	if command == "create-instance" {
		if name == "" {
			return s.fail("create-instance needs --instance")
		}
		if _, ok := s.m.Tentacle[name]; ok {
			return s.fail("An instance named %s already exists", name)
		}
		s.m.Tentacle[name] = &TentacleInstance{Config: o.value("config"), Home: o.value("home")}
		return 0
	}
	in, ok := s.m.Tentacle[name]
	if !ok {
		return s.fail("Instance %s of Tentacle has not been configured on this machine", name)
	}
	switch command {
	case "new-certificate":
		if in.Thumbprint == "" || !o.has("if-blank") {
			in.Thumbprint = thumbprint("tentacle " + s.m.Name + " " + name)
		}
	case "configure":
		if o.has("home") {
			in.Home = o.value("home")
			s.ensureDir(in.Home)
		}
		if o.has("app") {
			in.App = o.value("app")
		}
		if o.has("port") {
			in.Port = o.value("port")
		}
		if o.has("noListen") {
			in.NoListen = strings.EqualFold(o.value("noListen"), "true")
		}
		if o.has("reset-trust") {
			in.Trusted = nil
		}
		for _, t := range o.values("trust") {
			in.trust(TrustedServer{Thumbprint: t})
		}
	case "register-with":
		return s.registerWith(in, o)
	case "poll-server":
		if in.Thumbprint == "" {
			return s.fail("poll-server: the Tentacle has no certificate")
		}
		// PollCommand copies the subscription of a polling server the
		// Tentacle already trusts, and refuses without one.
		if !slices.ContainsFunc(in.Trusted, func(t TrustedServer) bool { return t.Address != "" }) {
			return s.fail("poll-server: this Tentacle trusts no polling Octopus Server yet; register it with register-with --comms-style TentacleActive first")
		}
		if o.value("server-comms-address") == "" || o.value("apiKey") == "" {
			return s.fail("poll-server needs --server-comms-address and --apiKey")
		}
		in.trust(TrustedServer{Thumbprint: thumbprint("server " + s.worldDir), Address: o.value("server-comms-address")})
	case "show-configuration":
		return s.showTentacleConfiguration(in)
	case "show-thumbprint":
		if o.has("thumbprint-only") {
			fmt.Fprintln(s.out, in.Thumbprint)
		} else {
			fmt.Fprintf(s.out, "The thumbprint of this Tentacle is: %s\n", in.Thumbprint)
		}
	case "service":
		return s.service(toolTentacle, name, o)
	case "clear-trusted-servers":
		// ClearTrustedServersCommand keeps the servers whose Address, as
		// .NET's Uri prints it, is one of --keep's comma-separated
		// addresses (http:// read as https://), and drops every other;
		// a server without an Address (a listening one) makes it fail
		// with a NullReferenceException.
		keep := map[string]bool{}
		for _, a := range strings.Split(o.value("keep"), ",") {
			keep[uriString(strings.Replace(a, "http://", "https://", 1))] = true
		}
		for _, t := range in.Trusted {
			if t.Address == "" {
				return s.fail("Object reference not set to an instance of an object.")
			}
		}
		in.Trusted = slices.DeleteFunc(in.Trusted, func(t TrustedServer) bool { return !keep[uriString(t.Address)] })
	default:
		return s.fail("winsim: %s %s is listed but not modelled", s.tool, command)
	}
	return 0
}

// trust adds a trusted server or replaces the one with the same
// thumbprint and address (OctopusTentacle
// WritableTentacleConfiguration.AddOrUpdateTrustedOctopusServer: both
// compared without case).
func (in *TentacleInstance) trust(t TrustedServer) {
	in.Trusted = slices.DeleteFunc(in.Trusted, func(old TrustedServer) bool {
		return strings.EqualFold(old.Thumbprint, t.Thumbprint) && strings.EqualFold(old.Address, t.Address)
	})
	in.Trusted = append(in.Trusted, t)
}

// registerWith registers the Tentacle with the cluster as OctopusClients'
// RegisterMachineOperation does: it finds the target by name in the space;
// without --force an existing one is refused, whoever it belongs to; with
// --force it is overwritten, its certificate, environments, roles, tenants,
// tenant tags and tenanted participation (Untenanted when not given)
// included. Then the Tentacle trusts the certificate the API reports
// (OctopusTentacle RegisterMachineCommandBase: GetServerThumbprint, then
// AddOrUpdateTrustedOctopusServer), for a listening Tentacle too.
func (s *standIn) registerWith(in *TentacleInstance, o opts) int {
	name := o.value("name")
	if name == "" || o.value("server") == "" || o.value("apiKey") == "" {
		return s.fail("register-with needs --server, --name and --apiKey")
	}
	if in.Thumbprint == "" {
		return s.fail("No certificate has been generated for this Tentacle. Please run the new-certificate command first.")
	}
	space, err := s.c.space(o.value("space"))
	if err != nil {
		return s.fail("%v", err)
	}
	old := s.c.machineNamed(space.Name, name)
	if old != "" && !o.has("force") {
		return s.fail("A machine named '%s' already exists in the environment. Use the 'force' parameter if you intended to update the existing machine.", name)
	}
	participation := o.value("tenanted-deployment-participation")
	if participation == "" {
		participation = "Untenanted"
	}
	t := &Target{Thumbprint: in.Thumbprint, Style: o.value("comms-style"), Environments: o.values("environment"),
		Roles: o.values("role"), Space: space.Name, Tenants: o.values("tenant"), TenantTags: o.values("tenanttag"),
		TenantedDeploymentParticipation: participation}
	server := TrustedServer{Thumbprint: thumbprint("server " + s.worldDir)}
	switch t.Style {
	case "TentacleActive":
		t.Address = o.value("server-comms-address")
		if t.Address == "" {
			return s.fail("register-with: a polling Tentacle needs --server-comms-address here")
		}
		server.Address = t.Address
	case "TentaclePassive":
		t.Address = o.value("publicHostName")
	default:
		return s.fail("register-with: unknown --comms-style %q", t.Style)
	}
	if old != "" {
		delete(s.c.Machines, old)
	}
	s.c.Machines[name] = t
	in.trust(server)
	return 0
}

// showTentacleConfiguration prints what Tentacle's show-configuration
// prints: its settings as hierarchical JSON, a key's dots making the levels
// (OctopusTentacle ShowConfigurationCommand, JsonHierarchicalKeyValueStore;
// the keys are TentacleConfiguration's, the trusted servers are
// OctopusServerConfiguration objects with CommunicationStyle as a number,
// 1 listening and 2 polling, and a null Address for a listening one).
func (s *standIn) showTentacleConfiguration(in *TentacleInstance) int {
	type server struct {
		Thumbprint         string
		CommunicationStyle int
		Address            *string
		Squid              *string
	}
	servers := []server{}
	for _, t := range in.Trusted {
		style, address := 1, (*string)(nil) // TentaclePassive
		if t.Address != "" {
			style, address = 2, &t.Address // TentacleActive
		}
		servers = append(servers, server{t.Thumbprint, style, address, nil})
	}
	return s.printJSON(map[string]any{
		"Octopus": map[string]any{"Home": in.Home},
		"Tentacle": map[string]any{
			"CertificateThumbprint": in.Thumbprint,
			"Communication":         map[string]any{"TrustedOctopusServers": servers},
			"Deployment":            map[string]any{"ApplicationDirectory": in.App},
			"Services":              map[string]any{"PortNumber": in.Port, "NoListen": in.NoListen},
		},
	})
}

// uriString is an absolute URL as .NET's Uri.ToString prints it, as far as
// comms addresses need: scheme and host in lower case, the default port
// dropped, an empty path as /.
func uriString(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return s
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if u.Scheme == "https" && strings.HasSuffix(u.Host, ":443") {
		u.Host = strings.TrimSuffix(u.Host, ":443")
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

// sc runs sc.exe config NAME obj= ACCOUNT, the one form the scripts use.
func (s *standIn) sc() int {
	if len(s.args) < 4 || s.args[0] != "config" || s.args[2] != "obj=" {
		return s.fail("winsim: sc.exe %q is not modelled", s.args)
	}
	svc := s.m.Services[s.args[1]]
	if svc == nil {
		return s.fail("[SC] OpenService FAILED 1060: The specified service does not exist as an installed service.")
	}
	svc.Account = s.args[3]
	fmt.Fprintln(s.out, "[SC] ChangeServiceConfig SUCCESS")
	return 0
}

// shim answers the cmdlets that Linux lacks, for the functions of the
// same names that the PowerShell host defines.
func (s *standIn) shim() int {
	if len(s.args) == 0 {
		return s.fail("shim: no command")
	}
	args := s.args[1:]
	switch s.args[0] {
	case "get-service":
		type row struct{ Name, Status, StartType string }
		list := []row{}
		for _, name := range slices.Sorted(maps.Keys(s.m.Services)) {
			if len(args) == 0 || strings.EqualFold(args[0], name) {
				svc := s.m.Services[name]
				list = append(list, row{name, svc.Status, svc.StartType})
			}
		}
		return s.printJSON(list)
	case "set-service":
		if len(args) != 2 {
			return s.fail("shim set-service NAME STARTTYPE")
		}
		svc := s.m.Services[args[0]]
		if svc == nil {
			return s.fail("Service %s was not found on computer '.'", args[0])
		}
		svc.StartType = args[1]
	case "get-firewall-rule":
		if len(args) == 1 && s.m.firewallRule(args[0]) != nil {
			fmt.Fprintln(s.out, args[0])
		}
	case "new-firewall-rule":
		// NAME DISPLAYNAME DIRECTION PROTOCOL ACTION PORT...: the host's
		// New-NetFirewallRule has already checked them as the cmdlet does.
		if len(args) < 5 {
			return s.fail("shim new-firewall-rule NAME DISPLAYNAME DIRECTION PROTOCOL ACTION PORT...")
		}
		if s.m.firewallRule(args[0]) != nil {
			// Windows refuses a second rule with the same Name (its ID).
			return s.fail("Cannot create a file when that file already exists: the rule %s exists", args[0])
		}
		s.m.Firewall = append(s.m.Firewall, FirewallRule{Name: args[0], DisplayName: args[1], Direction: args[2],
			Protocol: args[3], Action: args[4], LocalPort: args[5:]})
	case "file-version":
		if len(args) == 1 {
			fmt.Fprintln(s.out, s.m.Versions[args[0]])
		}
	case "computer-account":
		fmt.Fprintln(s.out, s.m.ComputerAccount())
	case "sql-scalar":
		return s.sqlScalar(args)
	case "msiexec":
		return s.msiexec(args)
	default:
		return s.fail("shim: unknown command %s", s.args[0])
	}
	return 0
}

// SchemaQuery is the one query a script may send SQL Server (through the
// PowerShell host's stand-in for System.Data.SqlClient): 1 when the
// database has Octopus's node table, dbo.OctopusServerNode (reference
// §4.5), else 0. Any other query is refused, as internal/tdsfake refuses
// what it does not know.
const SchemaQuery = `SELECT CASE WHEN OBJECT_ID(N'dbo.OctopusServerNode', N'U') IS NULL THEN 0 ELSE 1 END`

// sqlScalar answers shim sql-scalar from the world's databases, as SQL
// Server would: a database that does not exist cannot be opened (SQL
// Server error 4060). The connection string and the query come in the
// environment variables the PowerShell host sets.
func (s *standIn) sqlScalar(args []string) int {
	connection, query := os.Getenv("OCTOHA_WINSIM_SQL_CONNECTION"), os.Getenv("OCTOHA_WINSIM_SQL_QUERY")
	if len(args) != 0 || connection == "" {
		return s.fail("shim sql-scalar takes the connection string and the query in the environment")
	}
	if query != SchemaQuery {
		return s.fail("winsim answers only the schema query, not %q", query)
	}
	key, err := databaseKey(connection)
	if err != nil {
		return s.fail("The connection string is not valid: %v", err)
	}
	db := s.c.Databases[key]
	if db == nil {
		return s.fail("Cannot open database requested by the login. The login failed.")
	}
	if db.Schema {
		fmt.Fprintln(s.out, 1)
	} else {
		fmt.Fprintln(s.out, 0)
	}
	return 0
}

// hasUpgradeGuard says this machine's Octopus.Server.exe refuses a
// database upgrade while other nodes run (steps.UpgradeGuard).
func (s *standIn) hasUpgradeGuard() bool {
	v, err := steps.ParseOctopusVersion(s.m.Versions[toolServer])
	return err == nil && steps.UpgradeGuard.In(v)
}

// newer says Octopus version a is newer than b ("" is older than any).
func newer(a, b string) bool {
	va, err := steps.ParseOctopusVersion(a)
	if err != nil {
		return false
	}
	vb, err := steps.ParseOctopusVersion(b)
	return err != nil || va.Compare(vb) > 0
}

// otherRunningNodes are the nodes of other machines whose Octopus service
// runs on the database key names.
func (s *standIn) otherRunningNodes(key string) []string {
	dirs, _ := filepath.Glob(filepath.Join(s.worldDir, "machines", "*"))
	var running []string
	for _, dir := range dirs {
		if filepath.Clean(dir) == filepath.Clean(s.machineDir) {
			continue
		}
		m, err := LoadMachine(dir)
		if err != nil {
			continue
		}
		for name, in := range m.Server {
			svc := m.Services[serviceName(toolServer, name)]
			if k, err := databaseKey(in.ConnectionString); err == nil && k == key && svc != nil && svc.Status == "Running" {
				running = append(running, in.NodeName)
			}
		}
	}
	slices.Sort(running)
	return running
}

// msiexec stands for msiexec.exe installing an Octopus Server MSI, as far
// as octoha's upgrade scripts use it (msiexec's documented options,
// https://learn.microsoft.com/windows-server/administration/windows-commands/msiexec):
// /i PACKAGE, /quiet, /norestart and /l*v LOG, nothing else. It prints its
// exit code (https://learn.microsoft.com/windows/win32/msi/error-codes):
// 0 once Octopus.Server.exe on this machine is the package's version, 1619
// (ERROR_INSTALL_PACKAGE_OPEN_FAILED) for a package it cannot open, 1603
// (ERROR_INSTALL_FAILURE) when the machine is told to fail "shim msiexec".
// A stand-in package is a text file holding ProductVersion=VERSION, the
// property the Windows Installer's ProductVersion names (the PowerShell
// host's WindowsInstaller.Installer reads the same line).
func (s *standIn) msiexec(args []string) int {
	var pkg, log string
	for i := 0; i < len(args); i++ {
		switch strings.ToLower(args[i]) {
		case "/i", "/l*v":
			if i+1 == len(args) {
				return s.fail("msiexec: %s needs a value", args[i])
			}
			if strings.EqualFold(args[i], "/i") {
				pkg = unquoteArgument(args[i+1])
			} else {
				log = unquoteArgument(args[i+1])
			}
			i++
		case "/quiet", "/norestart":
		default:
			return s.fail("msiexec: winsim does not model the option %s", args[i])
		}
	}
	if s.m.failing(toolShim, "msiexec") {
		fmt.Fprintln(s.out, 1603)
		return 0
	}
	version := ""
	if p, ok := s.m.filePath(pkg); ok {
		if b, err := os.ReadFile(p); err == nil {
			version, _ = strings.CutPrefix(strings.TrimSpace(string(b)), "ProductVersion=")
		}
	}
	if version == "" {
		fmt.Fprintln(s.out, 1619)
		return 0
	}
	s.m.Versions[toolServer] = version
	if p, ok := s.m.filePath(log); ok && log != "" {
		os.WriteFile(p, []byte("winsim msiexec installed Octopus Server "+version+"\n"), 0o644)
	}
	fmt.Fprintln(s.out, 0)
	return 0
}

// unquoteArgument is one argument as an .exe reads it back from the form
// ConvertTo-NativeArgument writes: without its double quotes, each \" a ".
func unquoteArgument(a string) string {
	if len(a) >= 2 && strings.HasPrefix(a, `"`) && strings.HasSuffix(a, `"`) {
		a = strings.ReplaceAll(a[1:len(a)-1], `\"`, `"`)
	}
	return a
}
