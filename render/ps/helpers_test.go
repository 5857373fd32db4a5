package ps

import (
	"sort"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

// script is one rendered file with the name the caller gives it.
type script struct {
	Name    string
	Content []byte
}

// exampleAnswers loads every answers file under examples/, keyed by its
// name without .yaml, in name order.
func exampleAnswers(t testing.TB) ([]string, map[string]steps.Answers) {
	t.Helper()
	names, answers := testkit.Examples(t)
	sort.Strings(names)
	return names, answers
}

// renderAll renders every script this package makes for a, named as
// render.All names them.
func renderAll(t testing.TB, a steps.Answers) []script {
	t.Helper()
	var out []script
	add := func(name string, content []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, script{name, content})
	}
	content, err := FirstNode(a)
	add("install-first-node.ps1", content, err)
	for i := 1; i < len(a.Nodes); i++ {
		content, err := JoinNode(a, i)
		add("join-node-"+a.Nodes[i].Name+".ps1", content, err)
	}
	content, err = RebuildNode(a)
	add(RebuildScriptName(a.Nodes[0].Name), content, err)
	content, err = RegisterTentacle(a)
	add("register-tentacle.ps1", content, err)
	if a.LoadBalancer.Kind == steps.LBIISARR {
		content, err = ConfigureARR(a)
		add("iis-arr/configure-arr.ps1", content, err)
	}
	return out
}
