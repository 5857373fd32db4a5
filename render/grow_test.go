package render

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/lbtest"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// changeCase is one change to an example cluster and its rendered folder.
type changeCase struct {
	name    string
	example string
	add     *steps.Node // nil: remove
	remove  string
	files   []string
	// edit, when set, changes the example's answers before the change.
	edit func(*steps.Answers)
}

// localSystem makes the Octopus service run as Local System, so that each
// node connects to SQL Server as its computer account.
func localSystem(a *steps.Answers) { a.Octopus.ServiceAccount = "" }

var changeCases = []changeCase{
	{name: "add-listening-nginx", example: "2-node-listening-nginx", add: &steps.Node{Name: "OCTO3", Host: "octo3.corp.local"},
		files: []string{"join-node-OCTO3.ps1", "nginx/octopus.conf", "kubernetes/agent-values.yaml", "kubernetes/update-agents.sh", "CHECKLIST.md"}},
	{name: "add-local-system-listening-nginx", example: "2-node-listening-nginx", edit: localSystem, add: &steps.Node{Name: "OCTO3", Host: "octo3.corp.local"},
		files: []string{"join-node-OCTO3.ps1", "nginx/octopus.conf", "sql/prepare-database.sql", "kubernetes/agent-values.yaml", "kubernetes/update-agents.sh", "CHECKLIST.md"}},
	{name: "add-unique-address-haproxy", example: "3-node-polling-unique-address-haproxy", add: &steps.Node{Name: "OCTO4", Host: "octo4.corp.local"},
		files: []string{"join-node-OCTO4.ps1", "haproxy/haproxy.cfg", "update-polling-tentacles.ps1", "register-tentacle.ps1", "kubernetes/agent-values.yaml", "kubernetes/update-agents.sh", "CHECKLIST.md"}},
	{name: "add-unique-port-nginx", example: "4-node-polling-unique-port-nginx", add: &steps.Node{Name: "OCTO5", Host: "octo5.corp.local"},
		files: []string{"join-node-OCTO5.ps1", "nginx/octopus.conf", "update-polling-tentacles.ps1", "register-tentacle.ps1", "kubernetes/agent-values.yaml", "kubernetes/update-agents.sh", "CHECKLIST.md"}},
	{name: "add-redis-haproxy", example: "3-node-polling-redis-haproxy", add: &steps.Node{Name: "OCTO4", Host: "octo4.corp.local"},
		files: []string{"join-node-OCTO4.ps1", "haproxy/haproxy.cfg", "CHECKLIST.md"}},
	{name: "remove-unique-port-nginx", example: "4-node-polling-unique-port-nginx", remove: "OCTO2",
		files: []string{"drain-node-OCTO2.ps1", "nginx/octopus.conf", "update-polling-tentacles.ps1", "register-tentacle.ps1", "kubernetes/agent-values.yaml", "kubernetes/update-agents.sh", "CHECKLIST.md"}},
	{name: "remove-first-unique-address-haproxy", example: "3-node-polling-unique-address-haproxy", remove: "OCTO1",
		files: []string{"drain-node-OCTO1.ps1", "haproxy/haproxy.cfg", "update-polling-tentacles.ps1", "register-tentacle.ps1", "kubernetes/agent-values.yaml", "kubernetes/update-agents.sh", "CHECKLIST.md"}},
	{name: "remove-listening-iis-arr", example: "3-node-listening-iis-arr", remove: "OCTO3",
		files: []string{"drain-node-OCTO3.ps1", "iis-arr/configure-arr.ps1", "kubernetes/agent-values.yaml", "kubernetes/update-agents.sh", "CHECKLIST.md"}},
}

// render applies the change and renders its folder; after are the changed
// answers.
func (c changeCase) render(t *testing.T) (files []File, after steps.Answers) {
	t.Helper()
	a := loadExample(t, c.example)
	if c.edit != nil {
		c.edit(&a)
	}
	var err error
	if c.add != nil {
		after, err = a.AddNode(*c.add)
		if err != nil {
			t.Fatal(err)
		}
		files, err = AddNodeFiles(after, len(after.Nodes)-1)
	} else {
		var at int
		after, at, err = a.RemoveNode(c.remove)
		if err != nil {
			t.Fatal(err)
		}
		files, err = RemoveNodeFiles(a, at, after)
	}
	if err != nil {
		t.Fatal(err)
	}
	return files, after
}

// TestChangeGolden renders each change's folder and compares it with
// testdata/grow/<case>/; -update rewrites them.
func TestChangeGolden(t *testing.T) {
	for _, c := range changeCases {
		t.Run(c.name, func(t *testing.T) {
			files, after := c.render(t)
			if got := paths(files); !reflect.DeepEqual(got, c.files) {
				t.Errorf("files %v, want %v", got, c.files)
			}
			if fs := validate.Check(after); fs.HasErrors() {
				t.Errorf("the changed answers do not validate: %v", fs)
			}
			dir := filepath.Join("testdata", "grow", c.name)
			for _, f := range files {
				testkit.Golden(t, filepath.Join(dir, filepath.FromSlash(f.Path)), f.Content)
			}
		})
	}
}

// TestChangeChecklists holds what each checklist must tell the admin.
func TestChangeChecklists(t *testing.T) {
	says := map[string][]string{
		"add-listening-nginx": {"Tentacles: **no change**", "TCP 10933", "`<NodeLimit>` must allow 3 nodes", "Professional licence allows 2", "octoha remove-node --answers octoha-answers.yaml --name OCTO3", "Configuration > Nodes lists all 3 nodes", "show-master-key",
			"`sh kubernetes/update-agents.sh RELEASE NAMESPACE CHART_VERSION`", "OCTO3: inbound TCP 10943 (the comms port) from the Kubernetes clusters"},
		"add-local-system-listening-nginx": {"Before the join script, the DBA runs `sql/prepare-database.sql`", "the new node's computer account has a\n      login", "`sqlcmd -S 'tcp:sql01.corp.local,1433' -E -i sql\\prepare-database.sql`"},
		"add-unique-address-haproxy": {"`octo4.corp.local` resolves to the new node from the load balancer and from every polling tentacle", "inbound TCP 10943 from every polling tentacle", "`https://octo4.corp.local:10943` with `poll-server`", "systemctl reload haproxy",
			"4. [ ] For **every Kubernetes agent**", "5. [ ] **Undrain OCTO4** once every polling tentacle has run step 3 and every Kubernetes agent step 4"},
		"add-unique-port-nginx":               {"inbound TCP 10947 from polling tentacles", "forwards TCP 10947", "`https://octopus-poll.corp.local:10947`"},
		"add-redis-haproxy":                   {"Tentacles: **no change**", "Redis hands each task", "TCP 6380 to `redis01.corp.local`", "the Redis password"},
		"remove-unique-port-nginx":            {"keep their ports", "- OCTO3: TCP 10945", "- OCTO4: TCP 10946", "Port 10944 becomes free", "Tentacle 8.1.1713 or later", "--reset-trust", "no longer forwards TCP 10944", "Stop first, delete second"},
		"remove-first-unique-address-haproxy": {"**Never run `install-first-node.ps1` again**", "nothing is re-rendered for them", "`clear-trusted-servers --keep=...`"},
		"remove-listening-iis-arr":            {"It no longer sends users to OCTO3", "iis-arr/configure-arr.ps1"},
	}
	for _, c := range changeCases {
		files, _ := c.render(t)
		var checklist string
		for _, f := range files {
			if f.Path == ChecklistFile {
				checklist = string(f.Content)
			}
		}
		for _, s := range says[c.name] {
			if !strings.Contains(checklist, s) {
				t.Errorf("%s: CHECKLIST.md does not say %q", c.name, s)
			}
		}
		if c.name != "remove-first-unique-address-haproxy" && strings.Contains(checklist, "Never run `install-first-node.ps1`") {
			t.Errorf("%s: only removing the first node warns about install-first-node.ps1", c.name)
		}
	}
}

// TestChangedConfigsPassTheirOwnCheck runs nginx -t / haproxy -c on every
// changed balancer config.
func TestChangedConfigsPassTheirOwnCheck(t *testing.T) {
	for _, c := range changeCases {
		t.Run(c.name, func(t *testing.T) {
			files, after := c.render(t)
			kind := after.LoadBalancer.Kind
			if kind != steps.LBNginx && kind != steps.LBHAProxy {
				t.Skipf("%s has no checker here; its script is parsed by the render/ps tests", kind)
			}
			if kind == steps.LBNginx {
				lbtest.RequireNginxStream(t)
			} else {
				lbtest.RequireHAProxy(t)
			}
			// The example certificates do not exist here: render again with
			// a generated pair in the form each balancer wants.
			cert := testkit.SelfSigned(t, after.PublicHost())
			after.LoadBalancer.Certificate, after.LoadBalancer.CertificateKey = cert.CertFile, cert.KeyFile
			if kind == steps.LBHAProxy {
				after.LoadBalancer.Certificate, after.LoadBalancer.CertificateKey = cert.Combined, ""
			}
			_, config, err := LoadBalancer(after)
			if err != nil {
				t.Fatal(err)
			}
			// The same file the change wrote, apart from the certificate paths.
			var written []byte
			for _, f := range files {
				if f.Path == lbFileFor(kind) {
					written = f.Content
				}
			}
			if len(written) == 0 || bytes.Count(written, []byte("\n")) != bytes.Count(config, []byte("\n")) {
				t.Fatalf("the change did not write %s as LoadBalancer renders it", lbFileFor(kind))
			}
			hosts := []string{after.PublicHost(), after.PollingAddress()}
			for _, n := range after.Nodes {
				hosts = append(hosts, n.Host)
			}
			if out, err := lbtest.Check(t, kind, config, hosts); err != nil {
				t.Fatalf("%s refuses the changed config: %v\n%s", kind, err, out)
			}
			// The node added is in it, the node removed is not.
			name := c.remove
			if c.add != nil {
				name = c.add.Name
			}
			if in := bytes.Contains(config, []byte(strings.ToLower(name)+".corp.local")); in != (c.add != nil) {
				t.Errorf("%s in the config: %v", name, in)
			}
		})
	}
}

// TestAddNodeGivesANewComputerAccountItsLogin: with the service as Local
// System each node connects as its computer account, so add-node writes
// the DBA's script with the new node's login; with a service account the
// login is there already and the script is not written.
func TestAddNodeGivesANewComputerAccountItsLogin(t *testing.T) {
	a := loadExample(t, "2-node-listening-nginx")
	for _, account := range []string{"", `CORP\svc-octopus`} {
		a.Octopus.ServiceAccount = account
		grown, err := a.AddNode(steps.Node{Name: "OCTO3", Host: "octo3.corp.local"})
		if err != nil {
			t.Fatal(err)
		}
		files, err := AddNodeFiles(grown, 2)
		if err != nil {
			t.Fatal(err)
		}
		var script string
		for _, f := range files {
			if f.Path == DatabaseScript {
				script = string(f.Content)
			}
		}
		switch {
		case account == "" && !strings.Contains(script, `@domain + N'\OCTO3$'`):
			t.Errorf("Local System: add-node writes no login for OCTO3's computer account (files %v)", paths(files))
		case account != "" && script != "":
			t.Errorf("service account: add-node writes %s", DatabaseScript)
		}
	}
}
