package steps

import "testing"

func TestNodeNameFor(t *testing.T) {
	for host, want := range map[string]string{
		"octo1.corp.local": "OCTO1",
		"Octo-2":           "OCTO-2",
		" octo3.corp ":     "OCTO3",
		"10.0.0.5":         "",
		"[fe80::1]":        "",
		"fe80::1":          "",
		"":                 "",
		".corp.local":      "",
		"octo$1.corp":      "",
	} {
		if got := NodeNameFor(host); got != want {
			t.Errorf("NodeNameFor(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestNextNodeCountsOn(t *testing.T) {
	for _, c := range []struct {
		last     Node
		wantHost string
		wantName string
		ok       bool
	}{
		{Node{Name: "OCTO1", Host: "octo1.corp.local"}, "octo2.corp.local", "OCTO2", true},
		{Node{Name: "", Host: "octo1.corp.local"}, "octo2.corp.local", "OCTO2", true},
		{Node{Name: "Primary", Host: "octo09.corp.local"}, "octo10.corp.local", "", true},
		{Node{Name: "node-a1", Host: "web9"}, "web10", "node-a2", true},
		{Node{Name: "OCTO", Host: "octo.corp.local"}, "", "", false},
		{Node{Name: "OCTO1", Host: "10.0.0.5"}, "", "", false},
		{Node{Name: "OCTO1", Host: ""}, "", "", false},
	} {
		a := Defaults()
		a.Nodes = []Node{c.last}
		n, ok := a.NextNode()
		if ok != c.ok || n.Host != c.wantHost || n.Name != c.wantName {
			t.Errorf("after %+v: NextNode() = %+v, %v; want host %q name %q, %v", c.last, n, ok, c.wantHost, c.wantName, c.ok)
		}
	}
	// Never a host or name already taken.
	a := Defaults()
	a.Nodes = []Node{{Name: "OCTO2", Host: "octo2.corp.local"}, {Name: "OCTO1", Host: "octo1.corp.local"}}
	if n, ok := a.NextNode(); ok {
		t.Errorf("proposed %+v, which node 1 already is", n)
	}
	if _, ok := (&Answers{}).NextNode(); ok {
		t.Error("proposed a node after none")
	}
}

func TestProposedCertificate(t *testing.T) {
	a := Defaults()
	a.LoadBalancer.PublicURL = "https://octopus.corp.local"
	for kind, want := range map[string][3]string{
		LBNginx:    {"/etc/ssl/certs/octopus.corp.local.pem", "/etc/ssl/private/octopus.corp.local.key", "ok"},
		LBApache:   {"/etc/ssl/certs/octopus.corp.local.pem", "/etc/ssl/private/octopus.corp.local.key", "ok"},
		LBHAProxy:  {"/etc/haproxy/certs/octopus.corp.local.pem", "", "ok"},
		LBIISARR:   {"", "", ""},
		LBExternal: {"", "", ""},
	} {
		a.LoadBalancer.Kind = kind
		cert, key, ok := a.ProposedCertificate()
		if cert != want[0] || key != want[1] || ok != (want[2] == "ok") {
			t.Errorf("%s: %q %q %v", kind, cert, key, ok)
		}
	}
	a.LoadBalancer.Kind = LBNginx
	a.LoadBalancer.PublicURL = "http://octopus.corp.local"
	if _, _, ok := a.ProposedCertificate(); ok {
		t.Error("proposed a certificate for an http URL")
	}
}

// TestNodeAtNeverTakesAnotherRow: the row --plain fills counts on from
// the row above, and never to a host or name a row below already has.
func TestNodeAtNeverTakesAnotherRow(t *testing.T) {
	a := Answers{Nodes: []Node{{Host: "octo1.corp.local"}, {}, {}}}
	if n, ok := a.NodeAt(1); !ok || n.Host != "octo2.corp.local" || n.Name != "OCTO2" {
		t.Errorf("NodeAt(1) = %+v, %v", n, ok)
	}
	a.Nodes[2] = Node{Name: "OCTO2", Host: "other.corp.local"}
	if n, ok := a.NodeAt(1); ok {
		t.Errorf("NodeAt(1) proposes %+v, whose name row 3 has", n)
	}
	for _, i := range []int{0, 3} {
		if n, ok := a.NodeAt(i); ok {
			t.Errorf("NodeAt(%d) = %+v", i, n)
		}
	}
}
