package winsim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The Octopus web API the scripts call, answered from the world's state.
// The PowerShell host sends every web request here, with the host it was
// meant for in X-Winsim-Host and the calling machine in X-Winsim-Machine:
//   - GET /api/octopusservernodes/ping on localhost:PORT, the calling
//     machine's node on that web port, or on HOST:PORT, the node of any
//     machine that listens on http://HOST:PORT/: 200, 418 while it drains,
//     503 when its service is not running or cannot open the database;
//   - GET /api on a node, without an API key: the API's root document with
//     the Version of that machine's Octopus.Server.exe (the upgrade guide
//     reads it so, https://octopus.com/docs/administration/upgrading/guide/automate-upgrades);
//   - GET and PUT /api/maintenanceconfiguration on the public URL, with the
//     API key: IsInMaintenanceMode, and a PUT of {Id: "maintenance",
//     IsInMaintenanceMode} sets it (the same page);
//   - GET /api/serverstatus/redis on localhost:PORT, without an API key:
//     that node's IsEnabled, IsConfigured and IsReachable (multi-node
//     polling, docs/octopus-facts.md §6.5);
//   - GET /api/octopusservernodes/summary and DELETE
//     /api/octopusservernodes/{id} on the public URL, with the API key;
//   - GET /api/configuration/certificates/certificate-global, the cluster's
//     certificate, which register-with trusts (OctopusClients
//     CertificateConfigurationRepository.GetOctopusCertificate);
//   - GET /api/spaces/all and GET /api/{spaceId}/machines/all, the lists
//     OctopusDSC's cTentacleAgent reads to find a Tentacle's registration
//     by its thumbprint (Get-Space, Get-MachineFromOctopusServer), each
//     target with its Name, Thumbprint and Endpoint.Thumbprint
//     (Octopus.Client MachineBasedResource).
//
// As a real node does, a running node whose row was deleted adds it back.

type api struct {
	world  string
	apiKey string
	mu     sync.Mutex
	srv    *httptest.Server
}

func newAPI(world, apiKey string) *api {
	a := &api{world: world, apiKey: apiKey}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	return a
}

var (
	nodeIDPath   = regexp.MustCompile(`^/api/octopusservernodes/(OctopusServerNodes-[^/]+)$`)
	machinesPath = regexp.MustCompile(`^/api/(Spaces-[0-9]+)/machines/all$`)
)

func writeJSON200(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func orNone(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func (a *api) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	target := r.Header.Get("X-Winsim-Host")
	machineDir := r.Header.Get("X-Winsim-Machine")
	c, err := LoadCluster(a.world)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.rejoinRunningNodes(c)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/octopusservernodes/ping":
		a.ping(w, c, machineDir, target)
		return
	case r.Method == http.MethodGet && r.URL.Path == "/api/serverstatus/redis":
		a.redisStatus(w, c, machineDir, target)
		return
	case r.Method == http.MethodGet && r.URL.Path == "/api":
		a.root(w, c, machineDir, target)
		return
	case strings.HasPrefix(r.URL.Path, "/api/"):
		if r.Header.Get("X-Octopus-ApiKey") != a.apiKey {
			http.Error(w, `{"ErrorMessage":"You must be logged in to perform this action."}`, http.StatusUnauthorized)
			return
		}
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/octopusservernodes/summary":
		type node struct {
			Id, Name            string
			RunningTaskCount    int
			IsInMaintenanceMode bool
		}
		nodes := []node{}
		for _, db := range c.Databases {
			for _, name := range slices.Sorted(maps.Keys(db.Nodes)) {
				row := db.Nodes[name]
				nodes = append(nodes, node{"OctopusServerNodes-" + name, name, row.RunningTasks, row.Drain})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"Nodes": nodes})
	case r.URL.Path == "/api/maintenanceconfiguration":
		a.maintenance(w, r, c)
	case r.Method == http.MethodGet && r.URL.Path == "/api/configuration/certificates/certificate-global":
		writeJSON200(w, map[string]string{"Id": "certificate-global", "Thumbprint": thumbprint("server " + a.world)})
	case r.Method == http.MethodGet && r.URL.Path == "/api/spaces/all":
		writeJSON200(w, c.Spaces)
	case r.Method == http.MethodGet && machinesPath.MatchString(r.URL.Path):
		spaceID := machinesPath.FindStringSubmatch(r.URL.Path)[1]
		type endpoint struct{ CommunicationStyle, Thumbprint string }
		type machine struct {
			Id, Name, SpaceId, Thumbprint   string
			Endpoint                        endpoint
			EnvironmentIds, Roles           []string
			TenantedDeploymentParticipation string
		}
		list := []machine{}
		for _, name := range slices.Sorted(maps.Keys(c.Machines)) {
			t := c.Machines[name]
			sp, err := c.space(t.Space)
			if err != nil || sp.Id != spaceID {
				continue
			}
			list = append(list, machine{"Machines-" + name, name, sp.Id, t.Thumbprint, endpoint{t.Style, t.Thumbprint},
				orNone(t.Environments), orNone(t.Roles), t.TenantedDeploymentParticipation})
		}
		writeJSON200(w, list)
	case r.Method == http.MethodDelete && nodeIDPath.MatchString(r.URL.Path):
		name := strings.TrimPrefix(nodeIDPath.FindStringSubmatch(r.URL.Path)[1], "OctopusServerNodes-")
		found := false
		for _, db := range c.Databases {
			if _, ok := db.Nodes[name]; ok {
				delete(db.Nodes, name)
				found = true
			}
		}
		if !found {
			http.Error(w, `{"ErrorMessage":"not found"}`, http.StatusNotFound)
			return
		}
		if err := c.save(a.world); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		http.Error(w, `{"ErrorMessage":"winsim does not answer this"}`, http.StatusNotFound)
	}
}

// localNode is the node that serves target, once it runs and has opened
// its database: on localhost:PORT the calling machine's, on HOST:PORT the
// node of the machine that listens there. Otherwise it answers the request
// with the error a client would get and returns nil.
func localNode(w http.ResponseWriter, c *Cluster, machineDir, target string) (*ServerInstance, *Database) {
	_, in, db := nodeAt(w, c, machineDir, target)
	return in, db
}

// nodeAt is localNode with the node's machine.
func nodeAt(w http.ResponseWriter, c *Cluster, machineDir, target string) (*Machine, *ServerInstance, *Database) {
	host, port, _ := strings.Cut(target, ":")
	if port == "" {
		port = "80"
	}
	dirs := []string{machineDir}
	if !strings.EqualFold(host, "localhost") {
		dirs, _ = filepath.Glob(filepath.Join(filepath.Dir(machineDir), "*"))
	}
	for _, dir := range dirs {
		m, err := LoadMachine(dir)
		if err != nil || dir == "" {
			continue
		}
		if in, db, answered := serveOn(w, m, c, "http://"+strings.ToLower(host)+":"+port+"/"); answered {
			return m, in, db
		}
	}
	http.Error(w, "nothing listens on "+target, http.StatusBadGateway)
	return nil, nil, nil
}

// serveOn finds m's instance that listens on prefix: answered is true when
// there is one, and in is nil when it cannot serve (the error is sent).
func serveOn(w http.ResponseWriter, m *Machine, c *Cluster, prefix string) (in *ServerInstance, db *Database, answered bool) {
	for name, in := range m.Server {
		if !slices.ContainsFunc(strings.Split(in.WebListenPrefixes, ","), func(p string) bool { return strings.EqualFold(p, prefix) }) {
			continue
		}
		svc := m.Services[serviceName(toolServer, name)]
		db := c.database(in)
		switch {
		case svc == nil || svc.Status != "Running":
			http.Error(w, "the service is not running", http.StatusServiceUnavailable)
		case !db.opens(in):
			http.Error(w, "the node cannot open its database", http.StatusServiceUnavailable)
		default:
			return in, db, true
		}
		return nil, nil, true
	}
	return nil, nil, false
}

// root answers GET /api on a node: its version.
func (a *api) root(w http.ResponseWriter, c *Cluster, machineDir, target string) {
	m, in, _ := nodeAt(w, c, machineDir, target)
	if in == nil {
		return
	}
	writeJSON200(w, map[string]string{"Application": "Octopus Deploy", "Version": m.Versions[toolServer]})
}

// maintenance answers GET and PUT /api/maintenanceconfiguration.
func (a *api) maintenance(w http.ResponseWriter, r *http.Request, c *Cluster) {
	type configuration struct {
		Id                  string
		IsInMaintenanceMode bool
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON200(w, configuration{"maintenance", c.MaintenanceMode})
	case http.MethodPut:
		var put configuration
		if err := json.NewDecoder(r.Body).Decode(&put); err != nil || put.Id != "maintenance" {
			http.Error(w, `{"ErrorMessage":"the body must be the maintenance configuration, Id maintenance"}`, http.StatusBadRequest)
			return
		}
		c.MaintenanceMode = put.IsInMaintenanceMode
		if err := c.save(a.world); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON200(w, put)
	default:
		http.Error(w, `{"ErrorMessage":"method not allowed"}`, http.StatusMethodNotAllowed)
	}
}

// ping answers a node's ping URL on the calling machine.
func (a *api) ping(w http.ResponseWriter, c *Cluster, machineDir, target string) {
	in, db := localNode(w, c, machineDir, target)
	switch {
	case in == nil:
	case db.Nodes[in.NodeName] != nil && db.Nodes[in.NodeName].Drain:
		w.WriteHeader(http.StatusTeapot)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// redisStatus answers GET /api/serverstatus/redis on a node: IsEnabled
// when it has a Redis connection string, IsConfigured when that string
// parses, IsReachable when the world has a Redis server at its endpoint
// that takes its password and TLS setting (the three properties of the
// Octopus docs' multi-node polling page, "Check the connection to Redis").
func (a *api) redisStatus(w http.ResponseWriter, c *Cluster, machineDir, target string) {
	in, _ := localNode(w, c, machineDir, target)
	if in == nil {
		return
	}
	status := map[string]bool{"IsEnabled": in.RedisConnectionString != ""}
	if status["IsEnabled"] {
		endpoint, password, ssl, err := parseRedisConnectionString(in.RedisConnectionString)
		status["IsConfigured"] = err == nil
		server := c.Redis[strings.ToLower(endpoint)]
		status["IsReachable"] = err == nil && server != nil && server.Password == password && server.SSL == ssl
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]bool{"IsEnabled": status["IsEnabled"], "IsConfigured": status["IsConfigured"], "IsReachable": status["IsReachable"]})
}

// parseRedisConnectionString reads a StackExchange.Redis configuration
// string as far as octoha's scripts write one: host:port, then
// password=... and ssl=true|false. An unknown option is an error, as
// StackExchange.Redis's ConfigurationOptions.Parse makes it.
func parseRedisConnectionString(s string) (endpoint, password string, ssl bool, err error) {
	parts := strings.Split(s, ",")
	endpoint = parts[0]
	if _, _, ok := strings.Cut(endpoint, ":"); !ok || strings.Contains(endpoint, "=") {
		return "", "", false, fmt.Errorf("no host:port endpoint first in %q", s)
	}
	for _, p := range parts[1:] {
		key, value, ok := strings.Cut(p, "=")
		switch {
		case !ok:
			return "", "", false, fmt.Errorf("option %q has no value", p)
		case strings.EqualFold(key, "password"):
			password = value
		case strings.EqualFold(key, "ssl"):
			if ssl, err = strconv.ParseBool(value); err != nil {
				return "", "", false, err
			}
		default:
			return "", "", false, fmt.Errorf("unknown option %q", key)
		}
	}
	return endpoint, password, ssl, nil
}

// database is the database a node's connection string names, or nil.
func (c *Cluster) database(in *ServerInstance) *Database {
	key, err := databaseKey(in.ConnectionString)
	if err != nil {
		return nil
	}
	return c.Databases[key]
}

// rejoinRunningNodes adds back the row of every running node that can
// open its database: a deleted node that still runs re-registers itself.
func (a *api) rejoinRunningNodes(c *Cluster) {
	dirs, _ := filepath.Glob(filepath.Join(a.world, "machines", "*"))
	changed := false
	for _, dir := range dirs {
		if st, err := os.Stat(filepath.Join(dir, "state.json")); err != nil || st.IsDir() {
			continue
		}
		m, err := LoadMachine(dir)
		if err != nil {
			continue
		}
		for name, in := range m.Server {
			svc := m.Services[serviceName(toolServer, name)]
			db := c.database(in)
			if svc != nil && svc.Status == "Running" && db.opens(in) && db.Nodes[in.NodeName] == nil {
				db.Nodes[in.NodeName] = &NodeRow{}
				changed = true
			}
		}
	}
	if changed {
		c.save(a.world)
	}
}
