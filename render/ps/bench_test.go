package ps

import (
	"fmt"
	"testing"

	"github.com/octoha/octoha/steps"
)

// BenchmarkRenderScripts16Nodes renders what a 16-node cluster needs from
// this package: the first node, 15 joins and the tentacle script.
func BenchmarkRenderScripts16Nodes(b *testing.B) {
	a := steps.Defaults()
	a.Octopus.ServiceAccount = `CORP\svc-octopus`
	a.Database.Server = "sql01.corp.local"
	a.Storage.Root = `\\fs01.corp.local\Octopus`
	a.LoadBalancer.PublicURL = "https://octopus.corp.local"
	a.Tentacles.Mode = steps.ModePolling
	a.Tentacles.Polling = steps.PollingUniqueAddress
	for i := 1; i <= 16; i++ {
		a.Nodes = append(a.Nodes, steps.Node{Name: fmt.Sprintf("OCTO%d", i), Host: fmt.Sprintf("octo%d.corp.local", i)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FirstNode(a); err != nil {
			b.Fatal(err)
		}
		for i := 1; i < len(a.Nodes); i++ {
			if _, err := JoinNode(a, i); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := RegisterTentacle(a); err != nil {
			b.Fatal(err)
		}
	}
}
