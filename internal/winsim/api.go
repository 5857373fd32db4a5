package winsim

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The Octopus web API the scripts call, answered from the world's state.
// The PowerShell host sends every web request here, with the host it was
// meant for in X-Winsim-Host and the calling machine in X-Winsim-Machine:
//   - GET /api/octopusservernodes/ping on localhost:PORT, the calling
//     machine's node on that web port: 200, 418 while it drains, 503 when
//     its service is not running or cannot open the database;
//   - GET /api/octopusservernodes/summary and DELETE
//     /api/octopusservernodes/{id} on the public URL, with the API key.
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

var nodeIDPath = regexp.MustCompile(`^/api/octopusservernodes/(OctopusServerNodes-[^/]+)$`)

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

// ping answers a node's ping URL on the calling machine.
func (a *api) ping(w http.ResponseWriter, c *Cluster, machineDir, target string) {
	m, err := LoadMachine(machineDir)
	if err != nil || machineDir == "" {
		http.Error(w, "no such machine", http.StatusBadGateway)
		return
	}
	host, port, _ := strings.Cut(target, ":")
	if !strings.EqualFold(host, "localhost") {
		http.Error(w, "winsim answers the ping URL on localhost only", http.StatusBadGateway)
		return
	}
	if port == "" {
		port = "80"
	}
	for name, in := range m.Server {
		if !slices.Contains(strings.Split(in.WebListenPrefixes, ","), "http://localhost:"+port+"/") {
			continue
		}
		svc := m.Services[serviceName(toolServer, name)]
		db := c.database(in)
		switch {
		case svc == nil || svc.Status != "Running":
			http.Error(w, "the service is not running", http.StatusServiceUnavailable)
		case !db.opens(in):
			http.Error(w, "the node cannot open its database", http.StatusServiceUnavailable)
		case db.Nodes[in.NodeName] != nil && db.Nodes[in.NodeName].Drain:
			w.WriteHeader(http.StatusTeapot)
		default:
			w.WriteHeader(http.StatusOK)
		}
		return
	}
	http.Error(w, "nothing listens on port "+port, http.StatusBadGateway)
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
