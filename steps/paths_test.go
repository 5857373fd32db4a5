package steps

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestFieldPathsNameAnswers: every field path constant names a field of
// Answers by its yaml tags, so a renamed tag cannot leave a path behind.
func TestFieldPathsNameAnswers(t *testing.T) {
	known := yamlPaths(reflect.TypeOf(Answers{}), "")
	n := NodeField(2)
	paths := []string{
		FieldOctopus, FieldOctopusVersion, FieldOctopusInstance, FieldOctopusInstallDir, FieldOctopusHomeDir,
		FieldOctopusServiceAccount, FieldOctopusWebPort, FieldOctopusCommsPort, FieldOctopusAdminUsername,
		FieldOctopusAdminEmail, FieldOctopusTaskCap,
		FieldDatabase, FieldDatabaseServer, FieldDatabasePort, FieldDatabaseName, FieldDatabaseAuth, FieldDatabaseUser,
		FieldDatabaseEncrypt, FieldDatabaseTrustServerCertificate, FieldDatabaseMultiSubnetFailover, FieldDatabaseCreate,
		FieldStorage, FieldStorageRoot, FieldStorageArtifacts, FieldStorageTaskLogs, FieldStoragePackages,
		FieldStorageImports, FieldStorageEventExports,
		FieldLoadBalancer, FieldLoadBalancerKind, FieldLoadBalancerPublicURL, FieldLoadBalancerPersistence,
		FieldLoadBalancerHealthCheck, FieldLoadBalancerTrustedProxies, FieldLoadBalancerCertificate,
		FieldLoadBalancerCertificateKey, FieldLoadBalancerCertificateThumbprint,
		FieldNodes, FieldTentacles, FieldTentaclesMode, FieldTentaclesPolling, FieldTentaclesBasePort,
		FieldTentaclesPollingAddress, FieldTentaclesRedisHost, FieldTentaclesRedisPort, FieldTentaclesRedisSSL,
		FieldTentaclesInstance, FieldTentaclesSpace, FieldTentaclesEnvironments, FieldTentaclesRoles,
		n.Node, n.Name, n.Host, n.WebPort, n.CommsPort, TrustedProxyField(1),
	}
	for _, p := range paths {
		if !slices.Contains(known, indexFree(p)) {
			t.Errorf("%q names no field of Answers", p)
		}
	}
	if n.Host != "nodes[2].host" || TrustedProxyField(1) != "loadBalancer.trustedProxies[1]" {
		t.Errorf("node path %q, proxy path %q", n.Host, TrustedProxyField(1))
	}
}

// yamlPaths lists every field path of t, lists written as name[].
func yamlPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		out = append(out, p)
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			p += "[]"
			out = append(out, p)
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			out = append(out, yamlPaths(ft, p)...)
		}
	}
	return out
}

// indexFree turns nodes[2].host into nodes[].host.
func indexFree(p string) string {
	var b strings.Builder
	skip := false
	for _, r := range p {
		switch {
		case r == '[':
			skip = true
			b.WriteRune(r)
		case r == ']':
			skip = false
			b.WriteRune(r)
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestCloneSharesNoSlice(t *testing.T) {
	a := Defaults()
	a.Nodes = []Node{{Name: "OCTO1"}}
	a.LoadBalancer.TrustedProxies = []string{"10.0.0.1"}
	a.Tentacles.Environments, a.Tentacles.Roles = []string{"Prod"}, []string{"web"}
	b := a.Clone()
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("the clone differs from its original: %+v", b)
	}
	b.Nodes[0].Name, b.LoadBalancer.TrustedProxies[0] = "X", "X"
	b.Tentacles.Environments[0], b.Tentacles.Roles[0] = "X", "X"
	if a.Nodes[0].Name != "OCTO1" || a.LoadBalancer.TrustedProxies[0] != "10.0.0.1" ||
		a.Tentacles.Environments[0] != "Prod" || a.Tentacles.Roles[0] != "web" {
		t.Errorf("a change to the clone shows in the original: %+v", a)
	}
}

func TestPollingPredicates(t *testing.T) {
	for _, c := range []struct {
		mode, polling              string
		everyNode, oneAddr, unique bool
		redis, agentsEveryNode     bool
	}{
		{ModeListening, PollingUniquePort, false, false, false, false, true},
		{ModeListening, PollingRedis, false, false, false, false, true},
		{ModePolling, PollingUniqueAddress, true, false, false, false, true},
		{ModePolling, PollingUniquePort, true, true, true, false, true},
		{ModePolling, PollingRedis, false, true, false, true, false},
	} {
		a := Defaults()
		a.Tentacles.Mode, a.Tentacles.Polling = c.mode, c.polling
		got := []bool{a.PollsEveryNode(), a.PollsOneAddress(), a.UsesUniquePorts(), a.UsesRedis(), a.AgentsPollEveryNode()}
		if want := []bool{c.everyNode, c.oneAddr, c.unique, c.redis, c.agentsEveryNode}; !slices.Equal(got, want) {
			t.Errorf("%s/%s: every node, one address, unique ports, redis, agents poll every node = %v, want %v", c.mode, c.polling, got, want)
		}
	}
}

func TestStorageAnswers(t *testing.T) {
	a := Defaults()
	a.Storage = Storage{Root: "r", Artifacts: "a", TaskLogs: "t", Packages: "p", Imports: "i", EventExports: "e"}
	want := []StorageAnswer{{FieldStorageRoot, "r"}, {FieldStorageArtifacts, "a"}, {FieldStorageTaskLogs, "t"},
		{FieldStoragePackages, "p"}, {FieldStorageImports, "i"}, {FieldStorageEventExports, "e"}}
	if got := a.StorageAnswers(); !slices.Equal(got, want) {
		t.Errorf("StorageAnswers() = %v, want %v", got, want)
	}
}
